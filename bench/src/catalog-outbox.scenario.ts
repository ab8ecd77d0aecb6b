import { setTimeout as sleep } from 'node:timers/promises';
import { createKinesisClient } from '@shop/platform';
import { readStreamArrivals } from '@shop/testing';
import { type BenchStack, rssMb } from './bench-stack.js';
import { seedProducts } from './catalog-read.scenario.js';
import { alternate, runLoad } from './load-runner.js';
import type { BenchSettings, Scenario } from './scenario.js';
import { arrivalRate, firstCopies } from './stream-arrivals.js';

/**
 * Product changes with their events: `PATCH /api/products/{id}` on the catalog service, whose
 * write carries its event in the item's outbox (published after the answer, then cleared),
 * against a bare handler that writes and then publishes directly. Besides the answered changes
 * per second, it reports the events published per second on each side: those whose records
 * reached the stream (ApproximateArrivalTimestamp) during that side's measured runs; the outbox
 * publishes after the answer, so any lag behind the writes shows there. The checks confirm every
 * event arrived.
 */
export const catalogOutbox: Scenario = {
  name: 'catalog.outbox-writes',
  async run(stack: BenchStack, settings: BenchSettings) {
    const catalog = await stack.startService('catalog');
    const authorization = await stack.bearer('admin');
    const count = Math.max(20, Math.floor(settings.products / 2));
    const serviceIds = await seedProducts(catalog.url, count, authorization, 'outbox');
    const baselineIds = await seedProducts(catalog.url, count, authorization, 'direct');
    const baseline = await stack.startProcess(
      'direct-publish-baseline',
      'bench/src/direct-publish-server.ts',
      'BASELINE_PORT',
      '/healthz',
    );
    let serviceWrites = 0;
    let baselineWrites = 0;
    let serviceSent = 0;
    let baselineSent = 0;
    // When each side's measured runs went on (not the warm-ups).
    let measuring = false;
    const serviceWindows: Array<{ start: number; end: number }> = [];
    const baselineWindows: Array<{ start: number; end: number }> = [];
    const patch = async (url: string, ids: string[], durationSeconds: number) =>
      runLoad({
        url,
        paths: ids.map((id) => `/api/products/${id}`),
        method: 'PATCH',
        body: { description: 'bench' },
        headers: { authorization },
        durationSeconds,
        connections: settings.connections,
      });
    const service = async (durationSeconds: number) => {
      const start = Date.now();
      const result = await patch(catalog.url, serviceIds, durationSeconds);
      if (measuring) serviceWindows.push({ start, end: Date.now() });
      serviceWrites += result.successes;
      serviceSent += result.sent ?? result.requests;
      return result;
    };
    const direct = async (durationSeconds: number) => {
      const start = Date.now();
      const result = await patch(baseline.url, baselineIds, durationSeconds);
      if (measuring) baselineWindows.push({ start, end: Date.now() });
      baselineWrites += result.successes;
      baselineSent += result.sent ?? result.requests;
      return result;
    };
    await direct(settings.warmupSeconds);
    await service(settings.warmupSeconds);
    measuring = true;
    const measured = await alternate(
      settings.rounds,
      () => service(settings.durationSeconds),
      () => direct(settings.durationSeconds),
    );

    // Every change has its event: one updated event per answered change, and at most one per
    // request sent (a change still in flight when a run's clock ran out may be applied unanswered).
    const kinesis = createKinesisClient({ region: stack.standIns.region, endpoint: stack.standIns.kinesisEndpoint });
    const updatesOf = async (ids: string[]) => {
      const wanted = new Set(ids);
      const arrivals = await readStreamArrivals(kinesis, stack.standIns.streamName);
      return firstCopies(arrivals).filter(
        ({ event }) => wanted.has(event.subject) && event.type.endsWith('.updated.v1'),
      );
    };
    let serviceUpdates = await updatesOf(serviceIds);
    for (let attempt = 0; attempt < 60 && serviceUpdates.length < serviceWrites; attempt += 1) {
      await sleep(500);
      serviceUpdates = await updatesOf(serviceIds);
    }
    const baselineUpdates = await updatesOf(baselineIds);
    kinesis.destroy();
    const serviceEvents = serviceUpdates.length;
    const baselineEvents = baselineUpdates.length;
    const publishedPerSecond = arrivalRate(serviceUpdates, serviceWindows);
    const baselinePublishedPerSecond = arrivalRate(baselineUpdates, baselineWindows);
    // From the end of the service's last run to the arrival of its last event: how far publishing
    // trailed the answers (reading the stream back takes seconds of its own and is left out).
    const lastRunEnd = Math.max(...serviceWindows.map((window) => window.end));
    const drainMs = Math.max(0, ...serviceUpdates.map(({ arrivedAt }) => arrivedAt - lastRunEnd));
    return {
      measured,
      rssMb: rssMb(catalog.child.pid),
      baselineRssMb: rssMb(baseline.child.pid),
      targets: { rpsRatio: 0.7 },
      checks: [
        {
          name: `outbox: ${serviceEvents} events for ${serviceWrites} answered of ${serviceSent} sent changes`,
          ok: serviceEvents >= serviceWrites && serviceEvents <= serviceSent,
        },
        {
          name: `direct: ${baselineEvents} events for ${baselineWrites} answered of ${baselineSent} sent changes`,
          ok: baselineEvents >= baselineWrites && baselineEvents <= baselineSent,
        },
      ],
      figures: {
        'events published/s with the outbox': Math.round(publishedPerSecond * 10) / 10,
        'events published/s without it (write, then publish)': Math.round(baselinePublishedPerSecond * 10) / 10,
        'events published ratio (outbox / without)':
          Math.round((publishedPerSecond / Math.max(baselinePublishedPerSecond, 1e-9)) * 100) / 100,
        'outbox drained after the last run (ms)': drainMs,
      },
    };
  },
};
