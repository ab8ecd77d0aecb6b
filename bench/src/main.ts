// `npm run bench [-- --quick] [-- --only=<scenario>[,<scenario>…]]`: starts its own stack on free ports, measures
// each scenario against a baseline in the same run, prints a table with ratios and records
// bench/results.json.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { analyticsEvents } from './analytics-events.scenario.js';
import { BenchStack, repositoryRoot } from './bench-stack.js';
import { catalogOutbox } from './catalog-outbox.scenario.js';
import { catalogRead } from './catalog-read.scenario.js';
import { eventsOutageRecovery } from './events-outage-recovery.scenario.js';
import { gatewayOverhead } from './gateway-overhead.scenario.js';
import { inventoryHotSku } from './inventory-hot-sku.scenario.js';
import { mediaAttach } from './media-attach.scenario.js';
import { machine, recordResults, type ScenarioResult } from './results-file.js';
import type { BenchSettings, Scenario } from './scenario.js';
import { searchIndexLag } from './search-index-lag.scenario.js';
import { searchReindex } from './search-reindex.scenario.js';
import { searchRequests } from './search-requests.scenario.js';
import { storefrontCapacity } from './storefront-capacity.scenario.js';
import { storefrontMix } from './storefront-mix.scenario.js';

const scenarios: Scenario[] = [
  catalogRead,
  catalogOutbox,
  eventsOutageRecovery,
  inventoryHotSku,
  analyticsEvents,
  gatewayOverhead,
  storefrontMix,
  storefrontCapacity,
  searchRequests,
  searchIndexLag,
  searchReindex,
  mediaAttach,
];
const quick = process.argv.includes('--quick');
const only = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const settings: BenchSettings = quick
  ? { quick, rounds: 2, durationSeconds: 4, warmupSeconds: 1, connections: 10, products: 30 }
  : { quick, rounds: 4, durationSeconds: 20, warmupSeconds: 5, connections: 10, products: 200 };
const round2 = (value: number) => Math.round(value * 100) / 100;

async function main() {
  console.log(
    `bench (${quick ? 'quick' : 'full'}) on ${machine()}, load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
  );
  const results: Record<string, ScenarioResult> = {};
  const rows: Record<string, Record<string, number | string>> = {};
  let allMet = true;
  for (const scenario of scenarios.filter((candidate) => !only || only.includes(candidate.name))) {
    const stack = await BenchStack.start(scenario.standIns);
    try {
      const outcome = await scenario.run(stack, settings);
      const { service, baseline } = outcome.measured;
      const result: ScenarioResult = {
        rps: Math.round(service.rps),
        p50Ms: round2(service.p50Ms),
        p99Ms: round2(service.p99Ms),
        errors: service.errors,
        rssMb: outcome.rssMb,
        ...(baseline
          ? {
              baselineRps: Math.round(baseline.rps),
              baselineP99Ms: round2(baseline.p99Ms),
              rpsRatio: round2(service.rps / baseline.rps),
              p99Ratio: round2(service.p99Ms / Math.max(baseline.p99Ms, 1)),
            }
          : {}),
        ...(outcome.figures ? { figures: outcome.figures } : {}),
      };
      results[scenario.name] = result;
      rows[scenario.name] = {
        rps: result.rps,
        p50Ms: result.p50Ms,
        p99Ms: result.p99Ms,
        errors: result.errors,
        rssMb: result.rssMb,
      };
      if (baseline) {
        rows[`${scenario.name} baseline`] = {
          rps: Math.round(baseline.rps),
          p50Ms: round2(baseline.p50Ms),
          p99Ms: round2(baseline.p99Ms),
          errors: baseline.errors,
          rssMb: outcome.baselineRssMb ?? 0,
        };
      }
      const { targets } = outcome;
      const rpsRatio = result.rpsRatio ?? 0;
      const p99Ratio = result.p99Ratio ?? 0;
      const met =
        (!targets || rpsRatio >= targets.rpsRatio) &&
        (targets?.p99Ratio === undefined || p99Ratio <= targets.p99Ratio) &&
        result.errors === 0 &&
        (outcome.checks ?? []).every((check) => check.ok);
      allMet &&= met;
      const against = baseline
        ? `throughput ${rpsRatio}x baseline${targets ? ` (target >= ${targets.rpsRatio})` : ''}, p99 ${p99Ratio}x${targets?.p99Ratio === undefined ? '' : ` (target <= ${targets.p99Ratio})`}`
        : `${result.rps} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`;
      console.log(
        `${scenario.name}: ${against}, errors ${result.errors} -> ${met ? (targets ? 'meets targets' : 'no errors, checks hold') : 'MISSES targets'}`,
      );
      for (const check of outcome.checks ?? []) console.log(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}`);
      for (const [name, value] of Object.entries(outcome.figures ?? {})) console.log(`  ${name}: ${value}`);
      for (const table of outcome.tables ?? []) console.table(table);
    } finally {
      await stack.stop();
    }
  }
  console.table(rows);
  recordResults(join(repositoryRoot, 'bench', 'results.json'), quick ? 'quick' : 'full', results);
  if (!allMet) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
