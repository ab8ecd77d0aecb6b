// How the search engine's stand-in is run: a real OpenSearch 2.19 node in a plain JVM, from the
// jars and the launcher that scripts/install-opensearch.mjs puts into deploy/local/.opensearch/lib.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm install` puts the node's jars and the compiled OpenSearchLauncher. */
export const openSearchLib = fileURLToPath(new URL('../.opensearch/lib', import.meta.url));

const launcherClass = 'OpenSearchLauncher';

export interface OpenSearchNodeOptions {
  httpPort: number;
  transportPort: number;
  /** The node's own directory: its config (written by the launcher), data and logs. */
  home: string;
  /** JVM heap sizes such as `512m` or `1g`; 256m to start with (or `max` if smaller) and 512m at most by default. */
  heap?: { initial?: string; max?: string };
}

function megabytes(size: string): number {
  const value = Number.parseInt(size, 10);
  return /g$/i.test(size) ? value * 1024 : /k$/i.test(size) ? value / 1024 : value;
}

// -Xms above -Xmx stops the JVM, so a small maximum is the start as well.
function heapSizes(heap: OpenSearchNodeOptions['heap']): { initial: string; max: string } {
  const max = heap?.max ?? '512m';
  return { initial: heap?.initial ?? (megabytes(max) < 256 ? max : '256m'), max };
}

/** True when the jars and the launcher are installed. */
export function openSearchInstalled(): boolean {
  return existsSync(join(openSearchLib, `${launcherClass}.class`));
}

/** The `java` command line that runs one local node on 127.0.0.1 with `options`. */
export function openSearchCommand(options: OpenSearchNodeOptions): { command: string; args: string[] } {
  const settings: Record<string, string> = {
    'path.home': options.home,
    'path.data': join(options.home, 'data'),
    'path.logs': join(options.home, 'logs'),
    'cluster.name': 'shop-local',
    'node.name': 'local-search',
    'discovery.type': 'single-node',
    'network.host': '127.0.0.1',
    'http.port': String(options.httpPort),
    'transport.port': String(options.transportPort),
    // The disk watermarks would make indices read-only on a nearly full developer disk.
    'cluster.routing.allocation.disk.threshold_enabled': 'false',
  };
  const heap = heapSizes(options.heap);
  return {
    command: 'java',
    args: [
      `-Xms${heap.initial}`,
      `-Xmx${heap.max}`,
      // What OpenSearch's own jvm.options sets for log4j.
      '-Dlog4j2.disable.jmx=true',
      '-Dlog4j.shutdownHookEnabled=false',
      '-Dlog4j2.formatMsgNoLookups=true',
      `-Djava.io.tmpdir=${join(options.home, 'tmp')}`,
      '-cp',
      `${openSearchLib}:${join(openSearchLib, '*')}`,
      launcherClass,
      ...Object.entries(settings).map(([key, value]) => `${key}=${value}`),
    ],
  };
}
