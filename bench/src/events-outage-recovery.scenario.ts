import { setTimeout as sleep } from 'node:timers/promises';
import { TcpGate } from '@shop/local-stack';
import { type CloudEvent, createKinesisClient } from '@shop/platform';
import { readStreamArrivals } from '@shop/testing';
import { type BenchStack, rssMb } from './bench-stack.js';
import { seedProducts } from './catalog-read.scenario.js';
import { type OpenLoopResult, runOpenLoop } from './open-loop.js';
import type { BenchSettings, Scenario } from './scenario.js';
import { type Arrival, firstCopies } from './stream-arrivals.js';

const outageSeconds = 10;

// What a write's event repeats of it: a product change's description, an adjustment's reference.
function markOf(event: CloudEvent): string | undefined {
  const data = event.data as { reference?: string; product?: { description?: string } };
  return data.reference ?? data.product?.description;
}

function versionOf(event: CloudEvent): number {
  const data = event.data as { version?: number; product?: { version: number } };
  return data.product?.version ?? data.version ?? -1;
}

/** Products whose first copies of catalog or of inventory events are not in version order. */
function outOfOrder(arrivals: Arrival[], products: string[]): string[] {
  const wanted = new Set(products);
  const last = new Map<string, number>();
  const broken = new Set<string>();
  for (const { event } of arrivals) {
    if (!wanted.has(event.subject)) continue;
    const key = `${event.source} ${event.subject}`;
    const version = versionOf(event);
    if (version < (last.get(key) ?? 0)) broken.add(event.subject);
    last.set(key, version);
  }
  return [...broken];
}

/**
 * Recovery from a 10 s stream outage under a steady write load: catalog product changes (one in
 * five writes) and inventory restocks at a fixed rate over the products, with both services
 * reaching Kinesis through a TCP gate that is closed for 10 s in the middle of the run, after a
 * warm-up (relay and publisher at their production settings). Reports how the writes were answered during the
 * outage, and the recovery time: from reopening the gate until the last event of the changes
 * accepted before it arrived on the stream (by the records' ApproximateArrivalTimestamp). Checks
 * that every accepted write's event is on the stream, in version order per product, and that
 * nothing failed but with a 503.
 */
export const eventsOutageRecovery: Scenario = {
  name: 'events.outage-recovery',
  async run(stack: BenchStack, settings: BenchSettings) {
    const plan = settings.quick
      ? { beforeSeconds: 5, afterSeconds: 5, writesPerSecond: 20, products: 20 }
      : { beforeSeconds: 10, afterSeconds: 20, writesPerSecond: 30, products: 50 };
    const durationSeconds = plan.beforeSeconds + outageSeconds + plan.afterSeconds;
    const gate = await TcpGate.start(Number(new URL(stack.standIns.kinesisEndpoint).port));
    const kinesis = createKinesisClient({ region: stack.standIns.region, endpoint: stack.standIns.kinesisEndpoint });
    try {
      const env = { KINESIS_ENDPOINT: gate.url };
      const catalog = await stack.startService('catalog', env);
      const inventory = await stack.startService('inventory', env);
      const ids = await seedProducts(catalog.url, plan.products, await stack.bearer('admin'), 'outage');
      const headers = {
        changes: { authorization: await stack.bearer('admin') },
        restocks: { authorization: await stack.bearer('staff') },
      };

      // Two open loops, one per service; each write's mark names its loop and index.
      const loops = [
        { name: 'changes', url: catalog.url, rate: plan.writesPerSecond / 5 },
        { name: 'restocks', url: inventory.url, rate: (plan.writesPerSecond * 4) / 5 },
      ] as const;
      const answers = loops.map((loop) => new Int16Array(Math.round(loop.rate * durationSeconds)).fill(-1));
      const mark = (loop: number, index: number) => `outage-${loops[loop]?.name}-${index}`;
      // A warm-up run (answers not kept, marks of its own) first, so the first window is not a cold start.
      const run = (loopIndex: number, seconds: number, warmUp = false): Promise<OpenLoopResult> => {
        const loop = loops[loopIndex] as (typeof loops)[number];
        const answered = answers[loopIndex] as Int16Array;
        return runOpenLoop({
          url: loop.url,
          ratePerSecond: loop.rate,
          durationSeconds: seconds,
          windowSeconds: 5,
          next: (index) => {
            const productId = ids[index % ids.length] as string;
            const onAnswer = (status: number) => {
              if (!warmUp) answered[index] = status;
            };
            return loop.name === 'changes'
              ? {
                  method: 'PATCH',
                  path: `/api/products/${productId}`,
                  headers: headers.changes,
                  body: { description: warmUp ? 'warm-up' : mark(loopIndex, index) },
                  onAnswer,
                }
              : {
                  method: 'POST',
                  path: `/api/inventory/${productId}/adjustments`,
                  headers: headers.restocks,
                  body: { quantity: 1, reason: 'restock', reference: warmUp ? 'warm-up' : mark(loopIndex, index) },
                  onAnswer,
                };
          },
        });
      };

      await Promise.all(loops.map((_, index) => run(index, settings.warmupSeconds, true)));
      const outage = (async () => {
        await sleep(plan.beforeSeconds * 1000);
        await gate.close();
        await sleep(outageSeconds * 1000);
        await gate.open();
        return Date.now();
      })();
      const results = await Promise.all(loops.map((_, index) => run(index, durationSeconds)));
      const reopenedAt = await outage;

      // Marks of accepted writes: all of them, and those scheduled before the gate reopened.
      const accepted: string[] = [];
      const acceptedBeforeReopen = new Set<string>();
      const outageAnswers = { ok: 0, refused: 0, other: 0 };
      const failures: Record<string, number> = {};
      loops.forEach((loop, loopIndex) => {
        (answers[loopIndex] as Int16Array).forEach((status, index) => {
          const due = index / loop.rate;
          const ok = status >= 200 && status < 300;
          if (ok) accepted.push(mark(loopIndex, index));
          if (ok && due < plan.beforeSeconds + outageSeconds) acceptedBeforeReopen.add(mark(loopIndex, index));
          if (!ok && status !== 503) failures[status] = (failures[status] ?? 0) + 1;
          if (due >= plan.beforeSeconds && due < plan.beforeSeconds + outageSeconds) {
            if (ok) outageAnswers.ok += 1;
            else if (status === 503) outageAnswers.refused += 1;
            else outageAnswers.other += 1;
          }
        });
      });

      const carried = async () => {
        const arrivals = firstCopies(await readStreamArrivals(kinesis, stack.standIns.streamName));
        const byMark = new Map<string, Arrival>();
        for (const arrival of arrivals) {
          const eventMark = markOf(arrival.event);
          if (eventMark !== undefined) byMark.set(eventMark, arrival);
        }
        return { arrivals, byMark };
      };
      let stream = await carried();
      const deadline = Date.now() + 60_000;
      while (accepted.some((write) => !stream.byMark.has(write)) && Date.now() < deadline) {
        await sleep(500);
        stream = await carried();
      }
      const missing = accepted.filter((write) => !stream.byMark.has(write));
      const lastBacklogArrival = Math.max(
        reopenedAt,
        ...[...acceptedBeforeReopen].map((write) => stream.byMark.get(write)?.arrivedAt ?? Number.POSITIVE_INFINITY),
      );
      const backlog = [...acceptedBeforeReopen].filter(
        (write) => (stream.byMark.get(write)?.arrivedAt ?? 0) >= reopenedAt,
      ).length;
      const recoveryMs = lastBacklogArrival - reopenedAt;

      const windowsOf = (from: number, to: number) =>
        results.flatMap((result) =>
          result.windows.filter((window) => window.fromSeconds >= from && window.fromSeconds < to),
        );
      const p99 = (from: number, to: number) => Math.max(0, ...windowsOf(from, to).map((window) => window.p99Ms));
      const failed = Object.values(failures).reduce((sum, count) => sum + count, 0);
      const successes = results.reduce((sum, result) => sum + result.successes, 0);
      const requests = results.reduce((sum, result) => sum + result.requests, 0);
      return {
        // Both loops together; latencies are the slower loop's.
        measured: {
          service: {
            rps: successes / durationSeconds,
            p50Ms: Math.max(...results.map((result) => result.p50Ms)),
            p99Ms: Math.max(...results.map((result) => result.p99Ms)),
            errors: failed,
            requests,
            successes,
          },
        },
        rssMb: rssMb(catalog.child.pid),
        checks: [
          {
            name: `every accepted write has its event on the stream (${accepted.length - missing.length} of ${accepted.length})`,
            ok: missing.length === 0,
          },
          {
            name: 'each product has its catalog and its inventory events in version order',
            ok: outOfOrder(stream.arrivals, ids).length === 0,
          },
          {
            name: `no write failed other than with 503 (${failed} did, by status, 0 for none: ${JSON.stringify(failures)})`,
            ok: failed === 0,
          },
        ],
        figures: {
          'recovery: gate reopened to the last event of earlier writes on the stream (ms)': Math.round(recoveryMs),
          'events of earlier writes still to publish at the reopening': backlog,
          'writes scheduled during the outage: 2xx': outageAnswers.ok,
          'writes scheduled during the outage: 503': outageAnswers.refused,
          'writes scheduled during the outage: other': outageAnswers.other,
          'p99 before the outage (ms)': p99(0, plan.beforeSeconds),
          'p99 during the outage (ms)': p99(plan.beforeSeconds, plan.beforeSeconds + outageSeconds),
          'p99 after the outage (ms)': p99(plan.beforeSeconds + outageSeconds, durationSeconds),
          'inventory RSS (MB)': rssMb(inventory.child.pid),
        },
      };
    } finally {
      kinesis.destroy();
      await gate.close();
    }
  },
};
