import { availableParallelism, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchStack } from './bench-stack.js';
import { runOpenLoop } from './open-loop.js';
import { searchHighestRate } from './rate-steps.js';
import type { BenchSettings, Scenario } from './scenario.js';
import { seededRandom, storefrontRequests } from './storefront-mix.js';
import { mixRatePerSecond } from './storefront-mix.scenario.js';
import { startStorefront } from './storefront-stack.js';

const p99LimitMs = 100;

/**
 * The highest arrival rate at which the storefront mix keeps its p99 below 100 ms with no errors:
 * open-loop steps from 50 req/s up by 50, stopping at the first step that misses or at the cap.
 */
export const storefrontCapacity: Scenario = {
  name: 'storefront.max-rate',
  standIns: { search: true },
  async run(stack: BenchStack, settings: BenchSettings) {
    const stepSeconds = settings.quick ? 10 : 30;
    const { gateway, catalogue, stock } = await startStorefront(stack, settings.products);
    const next = storefrontRequests(catalogue, stock, seededRandom(20261126));
    // As long a warm-up as storefront.mix has, so the first step does not pay for compiling the code paths.
    await runOpenLoop({ url: gateway.url, ratePerSecond: 50, durationSeconds: settings.quick ? 5 : 15, next });
    const loadAverage = loadavg()[0] ?? 0;
    const search = await searchHighestRate(
      { startRate: 50, increment: 50, capRate: 1000, p99LimitMs },
      async (rate) => {
        const result = await runOpenLoop({ url: gateway.url, ratePerSecond: rate, durationSeconds: stepSeconds, next });
        console.log(
          `  step ${rate} req/s: ${result.successes}/${result.requests} 2xx, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`,
        );
        // The next step starts on a stack that is not still working off this one.
        await sleep(1000);
        return result;
      },
    );
    const passing = search.steps.filter((step) => step.passed).at(-1) ?? search.steps[0];
    if (!passing) throw new Error('no step was run');
    const cores = availableParallelism();
    console.log(
      `  highest rate with p99 < ${p99LimitMs} ms: ${search.highestPassingRate} req/s on ${cores} cores (stopped by ${search.stoppedBy})`,
    );
    return {
      measured: { service: passing.result },
      rssMb: 0,
      checks: [
        {
          name: `the highest passing rate ${search.highestPassingRate} req/s (on ${cores} cores, stopped by ${search.stoppedBy}) holds the storefront.mix rate of ${mixRatePerSecond} req/s`,
          ok: search.highestPassingRate >= mixRatePerSecond,
        },
      ],
      figures: {
        loadAverage1mAtStart: Math.round(loadAverage * 100) / 100,
        highestPassingRate: search.highestPassingRate,
        cores,
        stepSeconds,
        ...Object.fromEntries(search.steps.map((step) => [`p99MsAt${step.rate}`, step.result.p99Ms])),
      },
      tables: [
        Object.fromEntries(
          search.steps.map((step) => [
            `${step.rate} req/s`,
            {
              requests: step.result.requests,
              errors: step.result.errors,
              p50Ms: step.result.p50Ms,
              p99Ms: step.result.p99Ms,
              passed: step.passed ? 'yes' : 'NO',
            },
          ]),
        ),
      ],
    };
  },
};
