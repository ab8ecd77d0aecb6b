// `npm run chaos [-- --quick] [-- --only <name,…>]`: starts the whole platform on 127.0.0.1 with
// fresh data, runs each fault scenario under a steady workload, checks the invariants after it,
// prints the summary table, and exits 1 when any scenario failed.
import { parseArgs } from 'node:util';
import { ChaosStack } from './chaos-stack.js';
import { runUnwritableDataDir } from './data-dir-scenario.js';
import { scenarios } from './fault-scenarios.js';
import { runScenario, timings } from './scenario-runner.js';
import { formatSummary, resultWithoutLoad, type ScenarioResult } from './summary-table.js';

const dataDirScenario = 'unwritable-data-dir';

function log(line: string): void {
  console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
  });
  const known = [...scenarios.map((scenario) => scenario.name), dataDirScenario];
  const wanted = values.only ? values.only.split(',').map((name) => name.trim()) : known;
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${known.join(', ')}`);
    return 2;
  }
  const timing = timings[values.quick ? 'quick' : 'full'];
  const runId = Date.now().toString(36);
  const started = Date.now();
  const results: ScenarioResult[] = [];

  const selected = scenarios.filter((scenario) => wanted.includes(scenario.name));
  if (selected.length > 0) {
    log(`starting the platform (run ${runId}, ${values.quick ? 'quick' : 'full'})`);
    const stack = await ChaosStack.start({
      namespace: `ShopChaos${runId}`,
      windowSeconds: 5,
      analyticsWorkers: 2,
      log,
    });
    // Ctrl-C stops every process of the platform (the KCL daemons included) before exiting.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        log(`${signal}: stopping the platform`);
        void stack.stop().finally(() => process.exit(130));
      });
    }
    try {
      for (const scenario of selected) {
        log(`${scenario.name} …`);
        const result = await runScenario(scenario, stack, timing, runId).catch((error: unknown) =>
          resultWithoutLoad(scenario.name, 0, [
            `the scenario itself failed: ${(error as Error).stack ?? String(error)}`,
          ]),
        );
        results.push(result);
        log(`${scenario.name}: ${result.problems.length === 0 ? 'pass' : `FAIL (${result.problems.join('; ')})`}`);
      }
    } finally {
      await stack.stop();
    }
  }
  if (wanted.includes(dataDirScenario)) {
    log(`${dataDirScenario} …`);
    results.push(await runUnwritableDataDir());
  }
  console.log(`\n${formatSummary(results)}`);
  console.log(`\n${results.length} scenario(s) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return results.every((result) => result.problems.length === 0) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
