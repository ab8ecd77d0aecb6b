import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BenchStack, sampleRss } from './bench-stack.js';
import { runOpenLoop } from './open-loop.js';
import { rssGrowth } from './rss-growth.js';
import type { BenchSettings, Scenario } from './scenario.js';
import { seededRandom, storefrontRequests } from './storefront-mix.js';
import { startStorefront } from './storefront-stack.js';

/** The fixed arrival rate of the mix, below what the stack sustains on 2 cores (see `storefront.max-rate`). */
export const mixRatePerSecond = 100;
const rssGrowthLimit = 0.1;
const percent = (value: number) => Math.round(value * 1000) / 10;

/**
 * The storefront's mix through the gateway at a fixed arrival rate (open loop), with the resident
 * memory of every process of the stack sampled at minute 1 (a third of the run when quick) and at
 * the end: none may grow by 10 % or more, and no request may fail.
 */
export const storefrontMix: Scenario = {
  name: 'storefront.mix',
  standIns: { search: true },
  async run(stack: BenchStack, settings: BenchSettings) {
    const durationSeconds = settings.quick ? 30 : 300;
    const warmupSeconds = settings.quick ? 5 : 15;
    const firstSampleSeconds = settings.quick ? durationSeconds / 3 : 60;
    const sampleEverySeconds = settings.quick ? 5 : 30;
    const { gateway, catalogue, stock } = await startStorefront(stack, settings.products);
    const next = storefrontRequests(catalogue, stock, seededRandom(20261125));
    await runOpenLoop({ url: gateway.url, ratePerSecond: mixRatePerSecond, durationSeconds: warmupSeconds, next });

    const processes = stack.processes();
    const loadAverage = loadavg()[0] ?? 0;
    // Every process sampled each `sampleEverySeconds` as well, to tell memory that keeps growing
    // from memory that grows once and levels off.
    const samples = new Map<number, Record<string, number>>();
    const sampling = Array.from({ length: Math.floor(durationSeconds / sampleEverySeconds) }, (_, index) => {
      const atSeconds = (index + 1) * sampleEverySeconds;
      return sleep(atSeconds * 1000).then(() => samples.set(atSeconds, sampleRss(processes)));
    });
    const result = await runOpenLoop({
      url: gateway.url,
      ratePerSecond: mixRatePerSecond,
      durationSeconds,
      next,
      windowSeconds: sampleEverySeconds,
    });
    await Promise.all(sampling);
    const firstSample = samples.get(firstSampleSeconds) ?? {};
    const lastSample = sampleRss(processes);
    const growth = rssGrowth(firstSample, lastSample, rssGrowthLimit);
    if (result.errors > 0) console.error(`storefront.mix answers by status: ${JSON.stringify(result.statuses)}`);
    const overTime = Object.fromEntries(
      result.windows.map((window) => {
        const endSeconds = window.fromSeconds + sampleEverySeconds;
        return [
          `${window.fromSeconds}-${endSeconds} s`,
          {
            p50Ms: window.p50Ms,
            p99Ms: window.p99Ms,
            errors: window.errors,
            ...(samples.get(endSeconds) ?? lastSample),
          },
        ];
      }),
    );

    return {
      measured: { service: result },
      rssMb: Math.round(Object.values(lastSample).reduce((sum, mb) => sum + mb, 0) * 10) / 10,
      checks: [
        {
          name: `all ${result.requests} requests answered 2xx (${result.errors} errors)`,
          ok: result.errors === 0 && result.successes === result.requests,
        },
        ...growth.map((entry) => ({
          name: `${entry.name} RSS ${entry.firstMb} -> ${entry.lastMb} MB (${percent(entry.growth)} %, limit < ${percent(rssGrowthLimit)} %)`,
          ok: entry.ok,
        })),
      ],
      figures: {
        ratePerSecond: mixRatePerSecond,
        durationSeconds,
        requests: result.requests,
        loadAverage1mAtStart: Math.round(loadAverage * 100) / 100,
        ...Object.fromEntries(Object.entries(result.kinds).map(([kind, figures]) => [`p99Ms.${kind}`, figures.p99Ms])),
        ...Object.fromEntries(growth.map((entry) => [`rssGrowthPct.${entry.name}`, percent(entry.growth)])),
      },
      tables: [
        result.kinds,
        overTime,
        Object.fromEntries(
          growth.map((entry) => [
            entry.name,
            {
              [`rssMb at ${firstSampleSeconds} s`]: entry.firstMb,
              'rssMb at end': entry.lastMb,
              growthPct: percent(entry.growth),
              ok: entry.ok ? 'yes' : 'NO',
            },
          ]),
        ),
      ],
    };
  },
};
