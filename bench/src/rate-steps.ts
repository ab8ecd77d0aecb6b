// Finds the highest arrival rate a mix sustains: one open-loop run per step, rising by a fixed
// increment, until a step misses the latency limit, has errors, or the cap is reached.
import type { OpenLoopResult } from './open-loop.js';

export interface RateStepOptions {
  startRate: number;
  increment: number;
  /** The last rate tried, even if it passes. */
  capRate: number;
  /** A step passes when its p99 is below this and it had no errors. */
  p99LimitMs: number;
}

export interface RateStep {
  rate: number;
  result: OpenLoopResult;
  passed: boolean;
}

export interface RateSearch {
  steps: RateStep[];
  /** The highest rate that passed, 0 when the first step failed. */
  highestPassingRate: number;
  stoppedBy: 'p99' | 'errors' | 'cap';
}

/** Whether a step's result meets the limit: no errors and p99 strictly below it. */
export function stepPasses(result: Pick<OpenLoopResult, 'errors' | 'p99Ms'>, p99LimitMs: number): boolean {
  return result.errors === 0 && result.p99Ms < p99LimitMs;
}

/** Runs `runStep` at rising rates and stops at the first failing step or past the cap. */
export async function searchHighestRate(
  options: RateStepOptions,
  runStep: (rate: number) => Promise<OpenLoopResult>,
): Promise<RateSearch> {
  const steps: RateStep[] = [];
  let highestPassingRate = 0;
  for (let rate = options.startRate; rate <= options.capRate; rate += options.increment) {
    const result = await runStep(rate);
    const passed = stepPasses(result, options.p99LimitMs);
    steps.push({ rate, result, passed });
    if (!passed) return { steps, highestPassingRate, stoppedBy: result.errors > 0 ? 'errors' : 'p99' };
    highestPassingRate = rate;
  }
  return { steps, highestPassingRate, stoppedBy: 'cap' };
}
