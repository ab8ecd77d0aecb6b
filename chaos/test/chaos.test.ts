import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { ChaosStack } from '../src/chaos-stack.js';
import { runUnwritableDataDir } from '../src/data-dir-scenario.js';
import { scenarios } from '../src/fault-scenarios.js';
import { runScenario, timings } from '../src/scenario-runner.js';
import type { ScenarioResult } from '../src/summary-table.js';

// The shortest versions of a representative subset of `npm run chaos` (see chaos/src/main.ts).
const test = anyTest as TestFn<{ stack: ChaosStack; runId: string }>;

test.before(async (t) => {
  const runId = Date.now().toString(36);
  t.context.runId = runId;
  t.context.stack = await ChaosStack.start({
    namespace: `ShopChaosTest${runId}`,
    windowSeconds: 5,
    analyticsWorkers: 2,
    log: (line) => t.log(line),
  });
});
test.after.always(async (t) => {
  await t.context.stack?.stop();
});

async function run(t: ExecutionContext<{ stack: ChaosStack; runId: string }>, name: string): Promise<ScenarioResult> {
  const scenario = scenarios.find((candidate) => candidate.name === name);
  if (!scenario) throw new Error(`no scenario ${name}`);
  const result = await runScenario(scenario, t.context.stack, timings.quick, t.context.runId);
  t.log(JSON.stringify(result));
  return result;
}

function assertInvariants(t: ExecutionContext, result: ScenarioResult): void {
  const [sold, decrement, counted] = result.units.split(' = ').map(Number);
  t.true((sold ?? 0) > 0, 'the workload sold something');
  t.is(decrement, sold, 'the stock went down by what the API sold');
  t.is(counted, sold, 'CloudWatch counted what the API sold');
  t.is(result.eventsLost, 0, 'every committed change has its event on the stream');
  t.is(result.duplicatesCounted, 0);
  t.is(result.errorsOutsideWindow, 0, 'no error outside the fault window');
  t.is(result.indexDrift, 0, 'the search index agrees with the table');
  t.deepEqual(result.problems, []);
}

test.serial(
  'when inventory is killed with SIGKILL under load and restarted, then sales, stock, stream and CloudWatch agree',
  async (t) => {
    const result = await run(t, 'kill-9-inventory');
    t.true(result.errors > 0, 'the kill was felt by the clients');
    assertInvariants(t, result);
  },
);

test.serial(
  'when Kinesis is unreachable for 8 s under load, then every change reaches the stream and CloudWatch afterwards',
  async (t) => {
    assertInvariants(t, await run(t, 'kinesis-unreachable'));
  },
);

test.serial(
  'when the search node is killed with SIGKILL under load, then search answers 503 meanwhile, no other request fails and the index catches up with the table',
  async (t) => {
    const result = await run(t, 'kill-9-search-node');
    t.is(result.errors, 0, 'nothing but search depends on the engine');
    assertInvariants(t, result);
  },
);

test.serial(
  'when DATA_DIR lies under a regular file, then npm start fails at once naming ENOTDIR and the path, touching nothing',
  async (t) => {
    const result = await runUnwritableDataDir();
    t.deepEqual(result.problems, []);
  },
);
