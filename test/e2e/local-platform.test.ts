import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isListening } from '@shop/local-stack';
import { pinnedNodeVersion } from '@shop/platform';
import test, { type ExecutionContext } from 'ava';
import { freePorts, startPlatform } from './local-platform.js';
import { descendantProcesses, type ProcessInfo } from './process-tree.js';

const nodeVersion = pinnedNodeVersion();

/** The `/metrics` URLs npm start printed, by process name (`catalog`, `analytics 1`, …). */
function printedMetricsUrls(output: string[]): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const line of output) {
    const match = /(?:^|\s{2})((?:catalog|inventory|analytics \d+)) (http:\/\/\S+\/metrics)\s*$/.exec(line);
    if (match?.[1] && match[2]) urls[match[1]] = match[2];
  }
  return urls;
}

// A sample line of the Prometheus text format: a name, optional labels, a value, an optional timestamp.
const sampleLine = /^[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})? (?:[-+]?(?:\d+(?:\.\d*)?(?:e[-+]?\d+)?|Inf)|NaN)(?: -?\d+)?$/;

/** `url` answers Prometheus text, with the process metrics of `service` (the label each process sets). */
async function assertPrometheusText(t: ExecutionContext, url: string, service: string) {
  // A worker's metrics server may still be opening when `ready` is printed; a wrong port may never answer.
  const scrape = () => fetch(url, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
  let response = await scrape();
  for (let attempt = 0; response === undefined && attempt < 20; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    response = await scrape();
  }
  t.is(response?.status, 200, service);
  t.regex(response?.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/, service);
  const lines = ((await response?.text()) ?? '').split('\n').filter((line) => line !== '');
  const samples = lines.filter((line) => !line.startsWith('#'));
  t.deepEqual(
    samples.filter((line) => !sampleLine.test(line)),
    [],
    `${service}: every sample line is Prometheus text`,
  );
  t.true(lines.includes('# TYPE process_cpu_user_seconds_total counter'), service);
  t.true(
    samples.some((line) => line.startsWith(`process_cpu_user_seconds_total{service="${service}"} `)),
    `the metrics are ${service}'s`,
  );
  t.true(lines.includes('# TYPE http_requests_total counter'), `${service} counts requests`);
  t.true(
    samples.some((line) => line.startsWith('nodejs_version_info{') && line.includes(`version="v${nodeVersion}"`)),
    `${service} runs on Node.js ${nodeVersion}`,
  );
}

/** The processes below `pid` once a record processor runs among them (the KCL daemon starts one per shard lease). */
async function processesWithRecordProcessor(pid: number): Promise<ProcessInfo[]> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const processes = await descendantProcesses(pid);
    if (processes.some((info) => info.commandLine.includes('record-processor-main')) || Date.now() > deadline) {
      return processes;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

test('when the platform starts, serves through the gateway, stops and starts again, then data survives and nothing is left running', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'shop-e2e-'));
  const ports = await freePorts();
  try {
    const first = await startPlatform(ports, dataDir);
    t.true(
      first.output.some((line) => line.includes(first.gateway)),
      'the gateway URL is printed',
    );
    t.is((await fetch(`${first.gateway}/healthz`)).status, 200);
    t.is((await fetch(`${first.gateway}/readyz`)).status, 200);
    t.true(
      first.output.some((line) => /admin\s+Admin-pass-1\s+catalog-admin, inventory-staff/.test(line)),
      'the local users are printed',
    );
    const metricsUrls = printedMetricsUrls(first.output);
    t.deepEqual(
      metricsUrls,
      {
        catalog: `http://127.0.0.1:${ports.CATALOG_METRICS_PORT}/metrics`,
        inventory: `http://127.0.0.1:${ports.INVENTORY_METRICS_PORT}/metrics`,
        'analytics 1': `http://127.0.0.1:${ports.ANALYTICS_METRICS_PORT}/metrics`,
      },
      "each service's and the analytics worker's /metrics is printed",
    );
    const services = { catalog: 'catalog', inventory: 'inventory', 'analytics 1': 'analytics-worker' };
    for (const [name, url] of Object.entries(metricsUrls)) {
      await assertPrometheusText(t, url, services[name as keyof typeof services]);
    }
    t.regex(first.output[0] ?? '', new RegExp(`^Starting the shop platform on Node\\.js v${nodeVersion} `));

    // Every Node process of the stack (stand-ins, services, the worker, the record processors the
    // Java daemon starts) runs the binary npm install pinned, whatever Node the machine has.
    const pinnedBinary = await realpath(
      join(import.meta.dirname, '../../node_modules', `node-linux-${process.arch}`, 'bin/node'),
    );
    const processes = await processesWithRecordProcessor(first.child.pid ?? 0);
    const nodeProcesses = processes.filter((info) => /\/node$/.test(info.executable));
    for (const script of [
      'dynalite',
      'kinesalite',
      'catalog',
      'inventory',
      'analytics-worker',
      'record-processor-main',
    ]) {
      t.true(
        nodeProcesses.some((info) => info.commandLine.includes(script)),
        `a ${script} process runs: ${processes.map((info) => info.commandLine).join('\n')}`,
      );
    }
    t.deepEqual(
      nodeProcesses.filter((info) => info.executable !== pinnedBinary).map((info) => info.commandLine),
      [],
      `every Node process runs ${pinnedBinary}`,
    );

    const admin = await first.writeHeaders('admin');
    const lantern = JSON.stringify({ name: 'Lantern', description: 'Bright', price: 24.5, category: 'camping' });
    const anonymous = await fetch(`${first.gateway}/api/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: lantern,
    });
    t.is(anonymous.status, 401, 'writes need a token');
    const shopper = await fetch(`${first.gateway}/api/products`, {
      method: 'POST',
      headers: await first.writeHeaders('shopper'),
      body: lantern,
    });
    t.is(shopper.status, 403, "a shopper's token is not an admin's");

    const created = await fetch(`${first.gateway}/api/products`, { method: 'POST', headers: admin, body: lantern });
    t.is(created.status, 201);
    const location = created.headers.get('location') ?? '';
    t.regex(location, /^\/api\/products\/[0-9A-Z]{26}$/);
    const productId = location.split('/').pop() ?? '';
    const stock = await fetch(`${first.gateway}/api/inventory/${productId}`);
    t.is(stock.status, 200, 'a product created in catalog has a stock level at once, through the gateway');
    t.like(await stock.json(), { productId, onHand: 0, available: 0 });
    const restock = await fetch(`${first.gateway}/api/inventory/${productId}/adjustments`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ quantity: 4, reason: 'restock' }),
    });
    t.is(restock.status, 201);

    const doomed = await fetch(`${first.gateway}/api/products`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ name: 'Discontinued', description: 'Going away', price: 1 }),
    });
    const doomedId = ((await doomed.json()) as { id: string }).id;
    const stocked = await fetch(`${first.gateway}/api/inventory/${doomedId}/adjustments`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ quantity: 2, reason: 'restock' }),
    });
    t.is(stocked.status, 201);
    t.is((await fetch(`${first.gateway}/api/products/${doomedId}`, { method: 'DELETE', headers: admin })).status, 204);
    t.is((await fetch(`${first.gateway}/api/inventory/${doomedId}`)).status, 404, 'deleting in catalog ends its stock');
    const afterDelete = await fetch(`${first.gateway}/api/inventory/${doomedId}/adjustments`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ quantity: 1, reason: 'restock' }),
    });
    t.is(afterDelete.status, 404);

    const unknown = await fetch(`${first.gateway}/api/nothing-here`);
    t.is(unknown.status, 404);
    t.is(unknown.headers.get('content-type')?.split(';')[0], 'application/problem+json');

    t.is(await first.stop('SIGTERM'), 0, 'SIGTERM stops the platform cleanly');
    for (const [name, port] of Object.entries(ports)) t.false(await isListening(port), `${name} ${port} is closed`);

    const second = await startPlatform(ports, dataDir);
    const read = await fetch(`${second.gateway}${location}`);
    t.is(read.status, 200);
    t.like(await read.json(), { name: 'Lantern', price: 24.5, category: 'camping' });
    const kept = await fetch(`${second.gateway}/api/inventory/${productId}`);
    t.like(await kept.json(), { onHand: 4 }, 'stock survives the restart too');
    t.is(await second.stop('SIGINT'), 0, 'Ctrl-C stops it cleanly too');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('when a port is taken, then npm start names the port and its variable and exits 1', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'shop-e2e-'));
  const ports = await freePorts();
  const { createServer } = await import('node:net');
  const blocker = createServer().listen(ports.DYNAMODB_PORT, '127.0.0.1');
  try {
    const error = await t.throwsAsync(startPlatform(ports, dataDir));
    t.regex(error?.message ?? '', new RegExp(`Port ${ports.DYNAMODB_PORT} is already in use; set DYNAMODB_PORT`));
    t.regex(error?.message ?? '', /exited with 1/);
  } finally {
    blocker.close();
    await rm(dataDir, { recursive: true, force: true });
  }
});
