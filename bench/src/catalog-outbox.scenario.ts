import { setTimeout as sleep } from 'node:timers/promises';
import { readStreamEvents } from '@shop/local-stack';
import { createKinesisClient } from '@shop/platform';
import { type BenchStack, rssMb } from './bench-stack.js';
import { seedProducts } from './catalog-read.scenario.js';
import { alternate, runLoad } from './load-runner.js';
import type { BenchSettings, Scenario } from './scenario.js';

/**
 * Product changes with their events: `PATCH /api/products/{id}` on the catalog service, whose
 * write carries its event in the item's outbox (published after the answer, then cleared),
 * against a bare handler that writes and then publishes directly. Each successful change is one
 * event, so the rate of changes is the rate of events; the checks confirm every event arrived.
 */
export const catalogOutbox: Scenario = {
  name: 'catalog.outbox-writes',
  async run(stack: BenchStack, settings: BenchSettings) {
    const catalog = await stack.startProcess('catalog', 'services/catalog/src/main.ts', 'CATALOG_PORT', '/readyz');
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
      const result = await patch(catalog.url, serviceIds, durationSeconds);
      serviceWrites += result.successes;
      serviceSent += result.sent ?? result.requests;
      return result;
    };
    const direct = async (durationSeconds: number) => {
      const result = await patch(baseline.url, baselineIds, durationSeconds);
      baselineWrites += result.successes;
      baselineSent += result.sent ?? result.requests;
      return result;
    };
    await direct(settings.warmupSeconds);
    await service(settings.warmupSeconds);
    const measured = await alternate(
      settings.rounds,
      () => service(settings.durationSeconds),
      () => direct(settings.durationSeconds),
    );

    // Every change has its event: one updated event per answered change, and at most one per
    // request sent (a change still in flight when a run's clock ran out may be applied unanswered).
    const kinesis = createKinesisClient({ region: stack.standIns.region, endpoint: stack.standIns.kinesisEndpoint });
    const drainStarted = Date.now();
    const updatesOf = async (ids: string[]) => {
      const wanted = new Set(ids);
      const events = await readStreamEvents(kinesis, stack.standIns.streamName);
      return new Set(
        events
          .filter((event) => wanted.has(event.subject) && event.type.endsWith('.updated.v1'))
          .map((event) => event.id),
      ).size;
    };
    let serviceEvents = 0;
    for (let attempt = 0; attempt < 60; attempt += 1) {
      serviceEvents = await updatesOf(serviceIds);
      if (serviceEvents >= serviceWrites) break;
      await sleep(500);
    }
    const drainMs = Date.now() - drainStarted;
    const baselineEvents = await updatesOf(baselineIds);
    kinesis.destroy();
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
      figures: { 'outbox drained after the last run (ms)': drainMs },
    };
  },
};
