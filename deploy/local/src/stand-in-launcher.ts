import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDynamoDbClient, createKinesisClient } from '@shop/platform';
import {
  type ChildExit,
  describeExit,
  nodeChildCommand,
  type SupervisedChild,
  type SuperviseOptions,
  superviseChild,
} from './child-supervisor.js';
import { HttpWaitTimeoutError, waitForHttp } from './http-probe.js';
import { openSearchCommand, openSearchInstalled, openSearchLib } from './opensearch-server.js';
import { assertPortFree, findFreePorts } from './port-finder.js';
import { ensureMediaBuckets, ensureStream, ensureTable, localMediaBuckets } from './resource-provisioner.js';

export type StandInName = 'dynamodb' | 'kinesis' | 'moto' | 'search';

export interface StandInsOptions {
  /** Where the stand-ins keep their data; a fresh temporary directory (removed on stop) by default. */
  dataDir?: string;
  /** Fixed ports; any left out is a random free port. */
  ports?: { dynamodb?: number; kinesis?: number; moto?: number; search?: number; searchTransport?: number };
  /** Also start moto server (CloudWatch, SNS, Cognito, and S3 with the upload and media buckets). */
  moto?: boolean;
  /** Also start an OpenSearch node (the search engine), data in `<dataDir>/opensearch`. */
  search?: boolean;
  /** The OpenSearch node's JVM heap sizes; `{ initial: '256m', max: '512m' }` by default. */
  searchHeap?: { initial?: string; max?: string };
  region?: string;
  tableName?: string;
  streamName?: string;
  shardCount?: number;
  /**
   * Whether kinesalite keeps the stream in LevelDB under the data directory (on by default, so
   * events survive a restart or a kill) or only in memory.
   */
  kinesisPersistence?: boolean;
  /** Receives one line per stand-in that is up and one for the table and stream. */
  log?: (line: string) => void;
  /** Where each stand-in's output is appended, as `<name>.log`; `<dataDir>/logs` by default. */
  logDir?: string;
  /** Called when a stand-in exits without `stop()` or `restart()` having asked for it. */
  onUnexpectedExit?: (name: StandInName, message: string) => void;
  /** How long each stand-in may take to answer; 30 s by default, 120 s for the OpenSearch node. */
  startTimeoutMs?: number;
}

export interface StandIns {
  region: string;
  dynamoDbEndpoint: string;
  kinesisEndpoint: string;
  motoEndpoint?: string;
  /** The upload and media buckets in moto's S3, when moto runs. */
  mediaBuckets?: { upload: string; media: string };
  /** The OpenSearch node's HTTP endpoint, when `search` was asked for. */
  searchEndpoint?: string;
  tableName: string;
  streamName: string;
  dataDir: string;
  /** The running processes, e.g. for fault tests that kill or pause one; replaced by `restart`. */
  processes: {
    readonly dynamodb: SupervisedChild;
    readonly kinesis: SupervisedChild;
    readonly moto?: SupervisedChild;
    readonly search?: SupervisedChild;
  };
  /** Stops every stand-in (SIGTERM, then SIGKILL) and removes the data directory if we created it. */
  stop(): Promise<void>;
  /** Stops one stand-in (if still running) and starts it again on the same port and data. */
  restart(name: RestartableStandIn): Promise<void>;
}

export type RestartableStandIn = 'dynamodb' | 'kinesis' | 'search';

/** Thrown when a stand-in could not be started; the message names it and ends with its last output. */
export class StandInStartError extends Error {
  readonly standIn: StandInName;

  constructor(standIn: StandInName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StandInStartError';
    this.standIn = standIn;
  }
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const motoVenvPython = join(repoRoot, '.venv', 'bin', 'python');
const motoServerScript = join(repoRoot, '.venv', 'bin', 'moto_server');

// What `.venv/bin/moto_server` runs, plus a thread that ends moto when our stdin pipe closes,
// i.e. when the process that started it is gone (the same contract as orphan-guard.cjs).
const motoLauncher = `
import os, signal, sys, threading

def exit_with_parent():
    # os.read, not sys.stdin: a daemon thread blocked inside a buffered reader aborts the
    # interpreter at shutdown (it cannot take the reader's lock).
    while os.read(0, 65536):
        pass
    threading.Timer(5, lambda: os._exit(1)).start()
    os.kill(os.getpid(), signal.SIGTERM)

threading.Thread(target=exit_with_parent, daemon=True).start()
from moto.server import main
sys.exit(main())
`;

interface StandInSpec {
  name: StandInName;
  label: string;
  endpoint: string;
  /** Ports that must be free before it starts, with the option that sets each. */
  ports: Array<[number, string]>;
  readyUrl: string;
  /** Which answers to the ready URL mean it is up. */
  accept: (status: number) => boolean;
  launch: Omit<SuperviseOptions, 'name' | 'logFile'>;
  /** How long it may take to answer unless `startTimeoutMs` is given. */
  defaultStartTimeoutMs?: number;
}

function loopback(port: number): string {
  return `http://127.0.0.1:${port}`;
}

async function resolvePorts(options: StandInsOptions) {
  const wanted = options.ports ?? {};
  const random = await findFreePorts(5);
  const pick = (port: number | undefined, index: number) => port ?? (random[index] as number);
  return {
    dynamodb: pick(wanted.dynamodb, 0),
    kinesis: pick(wanted.kinesis, 1),
    moto: pick(wanted.moto, 2),
    search: pick(wanted.search, 3),
    searchTransport: pick(wanted.searchTransport, 4),
  };
}

type StandInPorts = Awaited<ReturnType<typeof resolvePorts>>;

function searchSpec(ports: StandInPorts, dataDir: string, heap: StandInsOptions['searchHeap']): StandInSpec {
  return {
    name: 'search',
    label: 'OpenSearch node (search engine)',
    endpoint: loopback(ports.search),
    ports: [
      [ports.search, 'ports.search'],
      [ports.searchTransport, 'ports.searchTransport'],
    ],
    // Yellow is as good as a single node gets for an index with replicas.
    readyUrl: `${loopback(ports.search)}/_cluster/health?wait_for_status=yellow&timeout=500ms`,
    accept: (status) => status === 200,
    launch: {
      ...openSearchCommand({
        httpPort: ports.search,
        transportPort: ports.searchTransport,
        home: join(dataDir, 'opensearch'),
        ...(heap ? { heap } : {}),
      }),
      // A clean close takes about 2 s; SIGKILL is for a node that hangs.
      stopTimeoutMs: 15_000,
    },
    // The JVM takes 8-25 s on a busy machine.
    defaultStartTimeoutMs: 120_000,
  };
}

function standInSpecs(
  ports: StandInPorts,
  dataDir: string,
  region: string,
  options: StandInsOptions,
): Record<StandInName, StandInSpec> {
  const dynalite = nodeChildCommand(fileURLToPath(new URL('./dynalite-server.ts', import.meta.url)), { tsx: true });
  const kinesalite = nodeChildCommand(fileURLToPath(new URL('./kinesalite-server.ts', import.meta.url)), { tsx: true });
  return {
    dynamodb: {
      name: 'dynamodb',
      label: 'dynalite (DynamoDB)',
      endpoint: loopback(ports.dynamodb),
      ports: [[ports.dynamodb, 'ports.dynamodb']],
      readyUrl: loopback(ports.dynamodb),
      accept: (status) => status === 200,
      launch: {
        command: dynalite.command,
        args: [...dynalite.args, '--port', String(ports.dynamodb), '--path', join(dataDir, 'dynamodb')],
        env: { AWS_REGION: region },
      },
    },
    kinesis: {
      name: 'kinesis',
      label: 'kinesalite (Kinesis)',
      endpoint: loopback(ports.kinesis),
      ports: [[ports.kinesis, 'ports.kinesis']],
      readyUrl: loopback(ports.kinesis),
      // It answers unsigned requests with an error status; any HTTP answer means it is listening.
      accept: () => true,
      launch: {
        command: kinesalite.command,
        args: [
          ...kinesalite.args,
          '--port',
          String(ports.kinesis),
          ...((options.kinesisPersistence ?? true) ? ['--path', join(dataDir, 'kinesis')] : []),
        ],
        env: { AWS_REGION: region },
      },
    },
    moto: {
      name: 'moto',
      label: 'moto server (CloudWatch, SNS, Cognito)',
      endpoint: loopback(ports.moto),
      ports: [[ports.moto, 'ports.moto']],
      readyUrl: `${loopback(ports.moto)}/moto-api/`,
      accept: (status) => status === 200,
      launch: {
        command: motoVenvPython,
        args: ['-c', motoLauncher, '-H', '127.0.0.1', '-p', String(ports.moto)],
        env: { AWS_REGION: region, PYTHONUNBUFFERED: '1' },
      },
    },
    search: searchSpec(ports, dataDir, options.searchHeap),
  };
}

async function launch(spec: StandInSpec, logDir: string, options: StandInsOptions): Promise<SupervisedChild> {
  const started = Date.now();
  const child = superviseChild({ ...spec.launch, name: spec.label, logFile: join(logDir, `${spec.name}.log`) });
  const timeoutMs = options.startTimeoutMs ?? spec.defaultStartTimeoutMs ?? 30_000;
  try {
    await waitForHttp(spec.readyUrl, timeoutMs, { accept: spec.accept, signal: child.exitSignal });
  } catch (error) {
    const exit = await child.stop();
    const why =
      error instanceof HttpWaitTimeoutError
        ? `did not answer on ${spec.endpoint} within ${timeoutMs} ms`
        : `${describeExit(exit)} before it answered on ${spec.endpoint}`;
    throw new StandInStartError(spec.name, `${spec.label} ${why}; its last output:\n${child.tail() || '(none)'}`, {
      cause: error,
    });
  }
  options.log?.(`${spec.label} on ${spec.endpoint} … ok (${Date.now() - started} ms)`);
  return child;
}

async function provision(
  name: 'dynamodb' | 'kinesis',
  settings: { region: string; endpoint: string; tableName: string; streamName: string; shardCount: number },
): Promise<string> {
  const clientOptions = { region: settings.region, endpoint: settings.endpoint };
  if (name === 'dynamodb') {
    const client = createDynamoDbClient(clientOptions);
    try {
      const table = await ensureTable(client, settings.tableName);
      return `table ${settings.tableName} ${table.created ? 'created' : 'exists'}, TTL ${table.ttl}`;
    } finally {
      client.destroy();
    }
  }
  const client = createKinesisClient(clientOptions);
  try {
    const stream = await ensureStream(client, settings.streamName, settings.shardCount);
    return `stream ${settings.streamName} ${stream.created ? `created with ${settings.shardCount} shards` : 'exists'}`;
  } finally {
    client.destroy();
  }
}

/**
 * Checks that moto and OpenSearch are installed when they are wanted, then makes the data directory
 * (a fresh temporary one unless given), picks the ports and lists the stand-ins to start; a
 * temporary directory is removed again if that fails.
 */
async function prepareStandIns(options: StandInsOptions, region: string, withMoto: boolean) {
  if (withMoto && !existsSync(motoServerScript)) {
    throw new StandInStartError(
      'moto',
      `moto server is not installed (${motoServerScript} is missing); run npm install`,
    );
  }
  if (options.search && !openSearchInstalled()) {
    throw new StandInStartError(
      'search',
      `the OpenSearch node is not installed (${openSearchLib} has no OpenSearchLauncher.class); run npm install`,
    );
  }
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'shop-stand-ins-')));
  const logDir = options.logDir ?? join(dataDir, 'logs');
  const removeDataDir = () => (ownsDataDir ? rm(dataDir, { recursive: true, force: true }) : Promise.resolve());
  try {
    const specs = standInSpecs(await resolvePorts(options), dataDir, region, options);
    await mkdir(join(dataDir, 'dynamodb'), { recursive: true });
    await mkdir(join(dataDir, 'kinesis'), { recursive: true });
    if (options.search) await mkdir(join(dataDir, 'opensearch', 'tmp'), { recursive: true });
    const names: StandInName[] = ['dynamodb', 'kinesis', ...(withMoto ? ['moto' as const] : [])];
    if (options.search) names.push('search');
    return { dataDir, logDir, removeDataDir, specs, names };
  } catch (error) {
    await removeDataDir();
    throw error;
  }
}

/**
 * Starts the local stand-ins for AWS, each as its own child process on 127.0.0.1, and makes sure
 * the shared table and the event stream exist. Everything started is stopped again if any part fails.
 */
export async function startStandIns(options: StandInsOptions = {}): Promise<StandIns> {
  const region = options.region ?? 'us-east-1';
  const tableName = options.tableName ?? 'shop';
  const streamName = options.streamName ?? 'shop-events';
  const shardCount = options.shardCount ?? 2;
  const withMoto = options.moto ?? false;
  const { dataDir, logDir, removeDataDir, specs, names } = await prepareStandIns(options, region, withMoto);

  const children = new Map<StandInName, SupervisedChild>();
  const stopAll = () => Promise.all([...children.values()].map((child) => child.stop()));
  const settings = (name: 'dynamodb' | 'kinesis') => ({
    region,
    endpoint: specs[name].endpoint,
    tableName,
    streamName,
    shardCount,
  });

  let stopping = false;
  const watch = (name: StandInName, child: SupervisedChild) => {
    children.set(name, child);
    child.onUnexpectedExit((exit: ChildExit) => {
      if (stopping) return;
      options.onUnexpectedExit?.(
        name,
        `${specs[name].label} ${describeExit(exit)}; its last output:\n${child.tail() || '(none)'}`,
      );
    });
  };

  try {
    for (const name of names) for (const [port, option] of specs[name].ports) await assertPortFree(port, option);
    const results = await Promise.allSettled(
      names.map(async (name) => {
        watch(name, await launch(specs[name], logDir, options));
      }),
    );
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    const provisioning = [provision('dynamodb', settings('dynamodb')), provision('kinesis', settings('kinesis'))];
    if (withMoto) provisioning.push(ensureMediaBuckets(specs.moto.endpoint, region));
    const provisioned = await Promise.all(provisioning);
    options.log?.(`${provisioned.join('; ')} … ok`);
  } catch (error) {
    stopping = true;
    await stopAll();
    await removeDataDir();
    throw error;
  }

  const current = (name: StandInName): SupervisedChild => {
    const child = children.get(name);
    if (!child) throw new Error(`${name} stand-in is not running`);
    return child;
  };

  let stopped: Promise<void> | undefined;
  return {
    region,
    dynamoDbEndpoint: specs.dynamodb.endpoint,
    kinesisEndpoint: specs.kinesis.endpoint,
    ...(withMoto ? { motoEndpoint: specs.moto.endpoint, mediaBuckets: localMediaBuckets } : {}),
    ...(options.search ? { searchEndpoint: specs.search.endpoint } : {}),
    tableName,
    streamName,
    dataDir,
    processes: {
      get dynamodb() {
        return current('dynamodb');
      },
      get kinesis() {
        return current('kinesis');
      },
      get moto() {
        return children.get('moto');
      },
      get search() {
        return children.get('search');
      },
    },
    stop() {
      stopping = true;
      stopped ??= stopAll().then(removeDataDir);
      return stopped;
    },
    async restart(name) {
      if (stopping) throw new Error(`cannot restart ${name}: the stand-ins were stopped`);
      if (!names.includes(name)) throw new Error(`cannot restart ${name}: it was not started`);
      await children.get(name)?.stop();
      children.delete(name);
      for (const [port, option] of specs[name].ports) await assertPortFree(port, option);
      watch(name, await launch(specs[name], logDir, options));
      if (name !== 'search') options.log?.(`${await provision(name, settings(name))} … ok`);
    },
  };
}
