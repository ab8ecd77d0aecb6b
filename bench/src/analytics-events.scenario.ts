import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { ensureAlertTopic, ensureStream, startAnalyticsWorker } from '@shop/local-stack';
import { createEvent, createKinesisClient, decodeRecord, newId, stockEventTypes } from '@shop/platform';
import type { BenchStack } from './bench-stack.js';
import type { LoadResult } from './load-runner.js';
import type { BenchSettings, Scenario } from './scenario.js';

const shards = 2;
const steadyRate = 500;

interface FlushLine {
  time: number;
  events: number;
  calls: number;
  lagP95Ms?: number;
  firstProcessedAt?: number;
  lastProcessedAt?: number;
  publishMs: number;
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))] ?? 0;
};

/**
 * One analytics worker (the real KCL daemon) working off a backlog on the stream, against a raw
 * GetRecords loop reading and decoding the same records; then the event lag at a steady rate.
 */
export const analyticsEvents: Scenario = {
  name: 'analytics.events',
  async run(stack: BenchStack, settings: BenchSettings) {
    const { standIns } = stack;
    const quick = settings.durationSeconds < 10;
    const backlog = quick ? 10_000 : 30_000;
    const steadySeconds = quick ? 15 : 60;
    // A GetRecords of 10,000 records (as many as KCL asks for) can take seconds on a busy machine.
    const kinesis = createKinesisClient({
      region: standIns.region,
      endpoint: standIns.kinesisEndpoint,
      requestTimeoutMs: 60_000,
    });
    const streamName = `bench-analytics-${Date.now()}`;
    await ensureStream(kinesis, streamName, shards);

    // Sales as inventory publishes them (the worker rejects events that break their schema).
    const products = Array.from({ length: 100 }, () => newId());
    const events = (count: number) =>
      Array.from({ length: count }, (_, index) => {
        const productId = products[index % products.length] as string;
        const event = createEvent({
          source: '/shop/inventory',
          type: stockEventTypes.adjusted,
          subject: productId,
          data: {
            productId,
            version: index + 1,
            adjustmentId: newId(),
            quantity: -1,
            reason: 'sale',
            onHandBefore: 1_000_000 - index,
            onHandAfter: 1_000_000 - index - 1,
            availableAfter: 1_000_000 - index - 1,
            unitPriceMinor: 1999,
            currency: 'USD',
            category: `c${index % 10}`,
            revenueMinor: 1999,
          },
        });
        return { Data: Buffer.from(JSON.stringify(event)), PartitionKey: productId };
      });
    const put = async (records: ReturnType<typeof events>) => {
      for (let start = 0; start < records.length; start += 500) {
        const { FailedRecordCount } = await kinesis.send(
          new PutRecordsCommand({ StreamName: streamName, Records: records.slice(start, start + 500) }),
        );
        if (FailedRecordCount) throw new Error(`${FailedRecordCount} records were not put`);
      }
    };
    await put(events(backlog));

    // Baseline: every shard read from the start and every record decoded, shards in parallel.
    const callMs: number[] = [];
    const readStarted = performance.now();
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
    const readCounts = await Promise.all(
      Shards.map(async (shard) => {
        let count = 0;
        let { ShardIterator: iterator } = await kinesis.send(
          new GetShardIteratorCommand({
            StreamName: streamName,
            ShardId: shard.ShardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        );
        while (iterator) {
          const started = performance.now();
          const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
          callMs.push(performance.now() - started);
          for (const record of page.Records ?? []) count += decodeRecord(record.Data ?? new Uint8Array()).length;
          iterator = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
        }
        return count;
      }),
    );
    const readSeconds = (performance.now() - readStarted) / 1000;
    const baselineRead = readCounts.reduce((a, b) => a + b, 0);

    // The worker: window of 1 s, so its progress shows in its log once a second per shard.
    const logDir = mkdtempSync(join(tmpdir(), 'bench-analytics-'));
    const workerId = 'bench-worker';
    const worker = startAnalyticsWorker({
      standIns,
      topicArn: await ensureAlertTopic(standIns),
      workerId,
      logDir,
      env: {
        STREAM_NAME: streamName,
        KCL_APPLICATION_NAME: `bench-analytics-${Date.now()}`,
        ANALYTICS_WINDOW_SECONDS: '1',
        METRICS_NAMESPACE: 'ShopBench',
        LOG_LEVEL: 'info',
      },
    });
    const flushes = (): FlushLine[] =>
      readFileSync(join(logDir, `analytics-${workerId}.log`), 'utf8')
        .split('\n')
        .filter((line) => line.includes('"metrics published"'))
        .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as FlushLine);
    const processed = () => flushes().reduce((sum, flush) => sum + flush.events, 0);
    try {
      const deadline = Date.now() + 300_000;
      while (processed() < backlog && Date.now() < deadline) await sleep(500);
      const backlogFlushes = flushes();
      const first = backlogFlushes[0];
      const last = backlogFlushes.at(-1);
      if (!first || !last || processed() < backlog)
        throw new Error(`the worker processed ${processed()} of ${backlog} events`);
      // From the first published window to the last: the daemon's start-up is not part of the rate.
      const workerSeconds = Math.max(0.001, (last.time - first.time) / 1000);
      const workerEvents = backlog - first.events;
      const calls = backlogFlushes.reduce((sum, flush) => sum + flush.calls, 0);

      // Steady traffic: 50 events every 100 ms.
      const steadyFrom = backlogFlushes.length;
      const steadyEnd = Date.now() + steadySeconds * 1000;
      while (Date.now() < steadyEnd) {
        const tick = Date.now();
        await put(events(steadyRate / 10));
        await sleep(Math.max(0, 100 - (Date.now() - tick)));
      }
      await sleep(3000);
      const steadyFlushes = flushes().slice(steadyFrom);
      const lags = steadyFlushes.flatMap((flush) => (flush.lagP95Ms === undefined ? [] : [flush.lagP95Ms]));

      const service: LoadResult = {
        rps: workerEvents / workerSeconds,
        p50Ms: quantile(
          backlogFlushes.map((flush) => flush.publishMs),
          0.5,
        ),
        p99Ms: quantile(
          backlogFlushes.map((flush) => flush.publishMs),
          0.99,
        ),
        errors: 0,
        requests: backlog,
        successes: backlog,
      };
      const baseline: LoadResult = {
        rps: baselineRead / readSeconds,
        p50Ms: quantile(callMs, 0.5),
        p99Ms: quantile(callMs, 0.99),
        errors: 0,
        requests: baselineRead,
        successes: baselineRead,
      };
      const callsPerThousand = Math.round((calls / backlog) * 1000 * 100) / 100;
      return {
        measured: { service, baseline },
        rssMb: 0,
        baselineRssMb: 0,
        targets: { rpsRatio: 0.5 },
        checks: [
          { name: `baseline read all ${backlog} events (${baselineRead})`, ok: baselineRead === backlog },
          {
            name: `worker counted each of the ${backlog} backlog events once (${processed() - steadyFlushes.reduce((s, f) => s + f.events, 0)})`,
            ok: backlogFlushes.reduce((s, f) => s + f.events, 0) === backlog,
          },
          { name: `PutMetricData calls per 1,000 events ${callsPerThousand} (target <= 2)`, ok: callsPerThousand <= 2 },
        ],
        figures: {
          putMetricDataCallsPer1000Events: callsPerThousand,
          [`eventLagP95MsAt${steadyRate}PerSecondMedianWindow`]: quantile(lags, 0.5),
          [`eventLagP95MsAt${steadyRate}PerSecondWorstWindow`]: Math.max(0, ...lags),
        },
      };
    } finally {
      await worker.stop();
      kinesis.destroy();
    }
  },
};
