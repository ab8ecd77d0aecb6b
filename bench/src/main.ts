// `npm run bench [-- --quick]`: starts its own stack on free ports, measures each scenario against
// a baseline in the same run, prints a table with ratios and records bench/results.json.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  findFreePort,
  nodeChildCommand,
  type SupervisedChild,
  startStandIns,
  superviseChild,
  waitForHttp,
} from '@shop/local-stack';
import { averageRuns, type LoadResult, runLoad } from './load-runner.js';
import { machine, recordResults, type ScenarioResult } from './results-file.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const quick = process.argv.includes('--quick');
const settings = quick
  ? { rounds: 2, durationSeconds: 5, warmupSeconds: 3, connections: 10, products: 50 }
  : { rounds: 4, durationSeconds: 20, warmupSeconds: 5, connections: 10, products: 200 };

function rssMb(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/status`)) return 0;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
}

async function startChild(name: string, script: string, env: Record<string, string>, readyUrl: string, logDir: string) {
  const { command, args } = nodeChildCommand(join(root, script), { tsx: true });
  const child = superviseChild({ name, command, args, cwd: root, env, logFile: join(logDir, `${name}.log`) });
  child.onUnexpectedExit(() => console.error(`${name} exited during the benchmark:\n${child.tail()}`));
  await waitForHttp(readyUrl, 30_000, { signal: child.exitSignal }).catch((error: unknown) => {
    throw new Error(`${name} did not start: ${(error as Error).message}\n${child.tail()}`);
  });
  return child;
}

async function seedProducts(baseUrl: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const response = await fetch(`${baseUrl}/api/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: `Bench product ${index}`,
        description: 'Seeded by the benchmark',
        price: (1000 + index) / 100,
        category: `bench-${index % 5}`,
      }),
    });
    if (response.status !== 201) throw new Error(`seeding failed with ${response.status}: ${await response.text()}`);
    ids.push(((await response.json()) as { id: string }).id);
  }
  return ids;
}

async function main() {
  console.log(`bench (${quick ? 'quick' : 'full'}) on ${machine()}`);
  const standIns = await startStandIns();
  const children: SupervisedChild[] = [];
  try {
    const [catalogPort, baselinePort] = [await findFreePort(), await findFreePort()];
    const env = {
      AWS_REGION: standIns.region,
      DYNAMODB_ENDPOINT: standIns.dynamoDbEndpoint,
      KINESIS_ENDPOINT: standIns.kinesisEndpoint,
      TABLE_NAME: standIns.tableName,
      STREAM_NAME: standIns.streamName,
      LOG_LEVEL: 'warn',
    };
    const catalogUrl = `http://127.0.0.1:${catalogPort}`;
    const baselineUrl = `http://127.0.0.1:${baselinePort}`;
    const catalog = await startChild(
      'catalog',
      'services/catalog/src/main.ts',
      { ...env, CATALOG_PORT: String(catalogPort) },
      `${catalogUrl}/readyz`,
      join(standIns.dataDir, 'logs'),
    );
    children.push(catalog);
    const ids = await seedProducts(catalogUrl, settings.products);
    children.push(
      await startChild(
        'baseline',
        'bench/src/baseline-server.ts',
        { ...env, BASELINE_PORT: String(baselinePort) },
        `${baselineUrl}/api/products/${ids[0]}`,
        join(standIns.dataDir, 'logs'),
      ),
    );
    const paths = ids.map((id) => `/api/products/${id}`);
    const load = (url: string, durationSeconds: number) =>
      runLoad({ url, paths, durationSeconds, connections: settings.connections });

    await load(baselineUrl, settings.warmupSeconds);
    await load(catalogUrl, settings.warmupSeconds);
    const baselineRuns: LoadResult[] = [];
    const catalogRuns: LoadResult[] = [];
    // Rounds alternate which side goes first, so drift in the stand-ins (caches warming, LevelDB
    // compaction) and machine noise fall on both sides alike.
    for (let round = 0; round < settings.rounds; round += 1) {
      if (round % 2 === 0) {
        baselineRuns.push(await load(baselineUrl, settings.durationSeconds));
        catalogRuns.push(await load(catalogUrl, settings.durationSeconds));
      } else {
        catalogRuns.push(await load(catalogUrl, settings.durationSeconds));
        baselineRuns.push(await load(baselineUrl, settings.durationSeconds));
      }
    }
    const baseline = averageRuns(baselineRuns);
    const service = averageRuns(catalogRuns);
    const result: ScenarioResult = {
      rps: Math.round(service.rps),
      p50Ms: service.p50Ms,
      p99Ms: service.p99Ms,
      errors: catalogRuns.reduce((sum, run) => sum + run.errors, 0),
      rssMb: rssMb(catalog.pid),
      baselineRps: Math.round(baseline.rps),
      baselineP99Ms: baseline.p99Ms,
      rpsRatio: Math.round((service.rps / baseline.rps) * 100) / 100,
      p99Ratio: Math.round((service.p99Ms / Math.max(baseline.p99Ms, 1)) * 100) / 100,
    };
    console.table({
      'catalog.get': {
        rps: result.rps,
        p50Ms: result.p50Ms,
        p99Ms: result.p99Ms,
        errors: result.errors,
        rssMb: result.rssMb,
      },
      baseline: {
        rps: result.baselineRps,
        p50Ms: baseline.p50Ms,
        p99Ms: baseline.p99Ms,
        errors: baselineRuns.reduce((sum, run) => sum + run.errors, 0),
        rssMb: rssMb(children[1]?.pid),
      },
    });
    const meets = result.rpsRatio >= 0.8 && result.p99Ratio <= 1.5 && result.errors === 0;
    console.log(
      `catalog.get: throughput ${result.rpsRatio}x baseline (target >= 0.8), p99 ${result.p99Ratio}x baseline (target <= 1.5), errors ${result.errors} -> ${meets ? 'meets targets' : 'MISSES targets'}`,
    );
    recordResults(join(root, 'bench', 'results.json'), quick ? 'quick' : 'full', { 'catalog.get': result });
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    await standIns.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
