import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceName } from '@shop/local-stack';
import type { ChaosStack } from './chaos-stack.js';
import { checkInvariants } from './invariant-checks.js';
import { isErrorStatus, RetryingApiClient } from './retrying-api-client.js';
import { createScenarioProducts, SteadyWorkload } from './steady-workload.js';
import type { ScenarioResult } from './summary-table.js';

/** How long each phase lasts: `quick` for `--quick` and `npm test`, `full` for `npm run chaos`. */
export interface ChaosTiming {
  loadBeforeMs: number;
  loadAfterMs: number;
  kinesisOutageMs: number;
  dynamoDbPauseMs: number;
  /** How long a killed analytics worker stays down (past the lease failover of 10 s in a full run). */
  workerDownMs: number;
  concurrency: number;
  checkTimeoutMs: number;
}

export const timings: Record<'quick' | 'full', ChaosTiming> = {
  quick: {
    loadBeforeMs: 3_000,
    loadAfterMs: 3_000,
    kinesisOutageMs: 8_000,
    dynamoDbPauseMs: 5_000,
    workerDownMs: 3_000,
    concurrency: 6,
    checkTimeoutMs: 90_000,
  },
  full: {
    loadBeforeMs: 6_000,
    loadAfterMs: 6_000,
    kinesisOutageMs: 30_000,
    dynamoDbPauseMs: 5_000,
    workerDownMs: 15_000,
    concurrency: 8,
    checkTimeoutMs: 120_000,
  },
};

/**
 * Errors answered up to this long after a fault was lifted still belong to it: requests sent
 * into the fault that come back after it, and backlogs (e.g. the outbox's 503s) draining.
 */
export const faultGraceMs = 5_000;

/** When the fault began and when the scenario had lifted it (restarted, reopened, resumed). */
export interface FaultInjection {
  startedAt: number;
  liftedAt: number;
  problems: string[];
}

export interface PreparedFault {
  /** Where each service's requests go during this scenario; the gateway by default. */
  baseUrl?: (service: ServiceName) => string;
  inject(): Promise<FaultInjection>;
  cleanup?(): Promise<void>;
}

export interface FaultScenario {
  name: string;
  /** False when not a single request may fail, e.g. a graceful scale-in. */
  errorsAllowed: boolean;
  concurrency?: number;
  prepare(stack: ChaosStack, timing: ChaosTiming): Promise<PreparedFault>;
}

/** From the fault's start until the first success after the last error; 0 without errors. */
function apiRecoveryMs(client: RetryingApiClient, startedAt: number): number {
  const errors = client.attempts.filter((attempt) => isErrorStatus(attempt.status));
  if (errors.length === 0) return 0;
  const lastError = Math.max(...errors.map((attempt) => attempt.answeredAt));
  const recovered = client.attempts
    .filter((attempt) => attempt.status >= 200 && attempt.status < 300 && attempt.answeredAt > lastError)
    .map((attempt) => attempt.answeredAt);
  return (recovered.length > 0 ? Math.min(...recovered) : lastError) - startedAt;
}

/**
 * Runs one scenario on the stack: its own products, a steady workload, the fault while the load
 * runs, more load after it was lifted, then the invariants.
 */
export async function runScenario(
  scenario: FaultScenario,
  stack: ChaosStack,
  timing: ChaosTiming,
  runId: string,
): Promise<ScenarioResult> {
  const began = Date.now();
  const prepared = await scenario.prepare(stack, timing);
  const clientOptions = { baseUrl: prepared.baseUrl ?? (() => stack.gatewayUrl), authorization: stack.authorization };
  const client = new RetryingApiClient(clientOptions);
  const stocked = await createScenarioProducts(client, `chaos-${scenario.name}-${runId}`, 6);
  const products = stocked.products;
  const workload = new SteadyWorkload(client, products, stocked, {
    concurrency: scenario.concurrency ?? timing.concurrency,
    pauseMs: 50,
  });
  workload.start();
  let injection: FaultInjection;
  try {
    await sleep(timing.loadBeforeMs);
    injection = await prepared.inject();
    await sleep(timing.loadAfterMs);
  } finally {
    await workload.stop();
    await prepared.cleanup?.();
  }
  // The checks read through a client of their own, so the request counts are the workload's.
  const report = await checkInvariants(
    stack,
    new RetryingApiClient(clientOptions),
    workload,
    products,
    timing.checkTimeoutMs,
  );
  const exits = await stack.takeUnexpectedExits();

  const errors = client.attempts.filter((attempt) => isErrorStatus(attempt.status));
  const outside = errors.filter(
    (attempt) => attempt.answeredAt < injection.startedAt || attempt.answeredAt > injection.liftedAt + faultGraceMs,
  );
  const problems = [
    ...injection.problems,
    ...workload.problems.slice(0, 5),
    ...report.problems,
    ...exits.map((exit) => `died unexpectedly: ${exit}`),
  ];
  if (workload.problems.length > 5) problems.push(`… and ${workload.problems.length - 5} more failed requests`);
  if (!scenario.errorsAllowed && errors.length > 0) {
    const statuses = [...new Set(errors.map((attempt) => attempt.status))].join(', ');
    const first = errors
      .slice(0, 3)
      .map((attempt) => `${attempt.method} ${attempt.baseUrl} at +${attempt.answeredAt - injection.startedAt} ms`);
    problems.push(
      `${errors.length} failed request(s) where none may fail (status ${statuses}; first: ${first.join(', ')})`,
    );
  }
  if (outside.length > 0) problems.push(`${outside.length} error(s) outside the fault window`);
  if (report.negativeStock.length > 0) problems.push(`negative stock: ${report.negativeStock.join(', ')}`);
  if (report.stockDecrement !== report.soldByApi) {
    problems.push(`stock went down by ${report.stockDecrement}, the API sold ${report.soldByApi}`);
  }
  if (report.unitsInCloudWatch !== report.soldByApi) {
    problems.push(`CloudWatch counted ${report.unitsInCloudWatch} units sold, the API sold ${report.soldByApi}`);
  }
  if (report.eventsLost > 0) problems.push(`${report.eventsLost} committed change(s) without an event on the stream`);
  if (report.pending > 0) problems.push(`${report.pending} product(s) with events still pending`);
  if (report.soldByApi === 0) problems.push('the workload sold nothing: the scenario proved nothing');
  return {
    scenario: scenario.name,
    requests: client.attempts.length,
    errors: errors.length,
    errorsOutsideWindow: outside.length,
    units: `${report.soldByApi} = ${report.stockDecrement} = ${report.unitsInCloudWatch}`,
    eventsLost: report.eventsLost,
    duplicatesCounted: Math.max(0, report.unitsInCloudWatch - report.soldByApi),
    streamCopies: report.streamCopies,
    indexDrift: report.indexDrift,
    apiRecoveryMs: apiRecoveryMs(client, injection.startedAt),
    consistentMs: report.consistentMs,
    durationMs: Date.now() - began,
    problems,
  };
}
