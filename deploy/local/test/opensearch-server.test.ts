// The OpenSearch stand-in as a real node: one node lives through the tests in this file (they run
// in order), and the failure cases start a second JVM beside it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import {
  describeExit,
  findFreePorts,
  PortInUseError,
  type StandIns,
  startStandIns,
  superviseChild,
} from '../src/index.js';
import { openSearchCommand } from '../src/opensearch-server.js';
import { allExit, isAlive, isListening } from './process-liveness.js';

let dataDir = '';
let standIns: StandIns;

test.before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'opensearch-test-'));
  standIns = await startStandIns({ dataDir, search: true });
});

test.after.always(async () => {
  await standIns?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

function searchUrl(path: string): string {
  if (!standIns.searchEndpoint) throw new Error('the stand-ins have no search endpoint');
  return `${standIns.searchEndpoint}${path}`;
}

async function put(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(searchUrl(path), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Runs one more node with `home` and ports, and resolves with how it ended and its last output. */
async function runSecondNode(options: { home: string; httpPort: number; transportPort: number }) {
  const node = superviseChild({
    name: 'second OpenSearch node',
    ...openSearchCommand({ ...options, heap: { initial: '128m', max: '256m' } }),
    logFile: join(dataDir, 'logs', 'second-node.log'),
  });
  const timer = setTimeout(() => void node.stop(), 90_000);
  const exit = await node.exited;
  clearTimeout(timer);
  return { exit, output: node.tail(5) };
}

test.serial(
  'when the stand-ins start with search, then an OpenSearch 2.19 node answers on a loopback port',
  async (t) => {
    t.regex(standIns.searchEndpoint ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
    t.true(standIns.processes.search?.running);
    const health = (await (await fetch(searchUrl('/_cluster/health'))).json()) as { status: string };
    t.true(['green', 'yellow'].includes(health.status), `cluster status ${health.status}`);
    const info = (await (await fetch(searchUrl('/'))).json()) as { version: { number: string } };
    t.regex(info.version.number, /^2\.19\./);
  },
);

test.serial('when a document has external version 2, then indexing it at version 1 is refused with 409', async (t) => {
  const created = await put('/products/_doc/p1?version=2&version_type=external', { name: 'Trail shoe' });
  t.is(created.status, 201);
  const older = await put('/products/_doc/p1?version=1&version_type=external', { name: 'Old trail shoe' });
  t.is(older.status, 409);
  const stored = (await (await fetch(searchUrl('/products/_doc/p1'))).json()) as {
    _version: number;
    _source: { name: string };
  };
  t.is(stored._version, 2);
  t.is(stored._source.name, 'Trail shoe');
});

test.serial(
  'when the node is killed with SIGKILL after acknowledging a document, then it is there after a restart',
  async (t) => {
    const acknowledged = await put('/products/_doc/p2', { name: 'Rain jacket' });
    t.is(acknowledged.status, 201);
    const node = standIns.processes.search;
    if (!node?.pid) throw new Error('the OpenSearch node is not running');
    process.kill(node.pid, 'SIGKILL');
    t.is((await node.exited).signal, 'SIGKILL');

    await standIns.restart('search');
    const response = await fetch(searchUrl('/products/_doc/p2'));
    t.is(response.status, 200);
    t.like(await response.json(), { found: true, _source: { name: 'Rain jacket' } });
  },
);

test.serial('when the search port is taken, then a second start fails naming the port', async (t) => {
  const port = Number(new URL(searchUrl('/')).port);
  const error = await t.throwsAsync(startStandIns({ search: true, ports: { search: port } }), {
    instanceOf: PortInUseError,
  });
  t.regex(error?.message ?? '', new RegExp(`Port ${port} is already in use; set ports.search`));

  // Past the launcher's check (another process may take the port meanwhile), the node says so itself.
  const home = await mkdtemp(join(tmpdir(), 'opensearch-second-'));
  t.teardown(() => rm(home, { recursive: true, force: true }));
  const [transportPort] = await findFreePorts(1);
  const second = await runSecondNode({ home, httpPort: port, transportPort: transportPort as number });
  t.is(second.exit.code, 1, describeExit(second.exit));
  t.regex(second.output, new RegExp(`opensearch: HTTP port ${port} is already in use`));
});

test.serial(
  'when a second node is given the same data directory, then it exits with 1 saying the data is locked',
  async (t) => {
    const [httpPort, transportPort] = await findFreePorts(2);
    const second = await runSecondNode({
      home: join(dataDir, 'opensearch'),
      httpPort: httpPort as number,
      transportPort: transportPort as number,
    });
    t.is(second.exit.code, 1, describeExit(second.exit));
    t.regex(second.output, /opensearch: another node holds the data directory .*failed to obtain node locks/);
  },
);

test.serial('when the stand-ins stop, then no OpenSearch process is left and its port is closed', async (t) => {
  const pid = standIns.processes.search?.pid;
  if (pid === undefined) throw new Error('the OpenSearch node is not running');
  const port = Number(new URL(searchUrl('/')).port);
  await standIns.stop();
  t.true(await allExit([pid], 10_000), `OpenSearch (pid ${pid}) is still running: ${isAlive(pid)}`);
  t.false(await isListening(port));
});
