import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { AnalyticsReader, ensureAlertTopic, eventually, startAnalyticsWorker, startStandIns } from '@shop/local-stack';
import { createKinesisClient } from '@shop/platform';
import test from 'ava';
import { restockEvent, viewEvent } from './event-fixtures.js';

/** Waits until the clock is between `from` and `to` ms into a window (windows start at multiples of `windowMs`). */
async function untilWindowOffset(windowMs: number, from: number, to: number): Promise<void> {
  for (;;) {
    const offset = Date.now() % windowMs;
    if (offset >= from && offset < to) return;
    await new Promise((resolve) => setTimeout(resolve, (from - offset + windowMs) % windowMs || 10));
  }
}

// The real KCL MultiLangDaemon (Java) running our record processor, against dynalite, the Kinesis
// stand-in and moto server.
test('when two workers share a 4-shard stream and one is killed mid-stream, then the other takes over and every event is counted once, poison included, and product views arrive by category', async (t) => {
  const standIns = await startStandIns({ moto: true, shardCount: 4 });
  const kinesis = createKinesisClient({ region: standIns.region, endpoint: standIns.kinesisEndpoint });
  const namespace = `FleetTest${Date.now()}`;
  const reader = new AnalyticsReader(standIns.region, standIns.motoEndpoint ?? '', namespace);
  const logDir = mkdtempSync(join(tmpdir(), 'analytics-fleet-'));
  const topicArn = await ensureAlertTopic(standIns);
  const windowMs = 5000;
  const env = {
    ANALYTICS_WINDOW_SECONDS: String(windowMs / 1000),
    METRICS_NAMESPACE: namespace,
    KCL_FAILOVER_MILLIS: '3000',
    LOG_LEVEL: 'warn',
  };
  const workers = ['fleet-a', 'fleet-b'].map((workerId) =>
    startAnalyticsWorker({ standIns, topicArn, workerId, logDir, env }),
  );
  t.teardown(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    reader.destroy();
    kinesis.destroy();
    await standIns.stop();
  });

  let produced = 0;
  // Every tenth event is a product view: three in four of category tea, the rest of cups.
  const viewed = { tea: 0, cups: 0 };
  const produce = async (count: number, poison: string[] = []) => {
    const records = Array.from({ length: count }, (_, index) => {
      const number = produced + index;
      const product = `P${number % 40}`;
      const category = number % 40 === 0 ? 'cups' : 'tea';
      const event = number % 10 === 0 ? viewEvent({ product, category }) : restockEvent({ product, quantity: 1 });
      if (number % 10 === 0) viewed[category] += 1;
      return { Data: Buffer.from(JSON.stringify(event)), PartitionKey: event.subject };
    });
    produced += count;
    const all = [...records, ...poison.map((data, index) => ({ Data: Buffer.from(data), PartitionKey: `X${index}` }))];
    for (let start = 0; start < all.length; start += 250) {
      const { FailedRecordCount } = await kinesis.send(
        new PutRecordsCommand({ StreamName: standIns.streamName, Records: all.slice(start, start + 250) }),
      );
      t.is(FailedRecordCount ?? 0, 0);
    }
  };
  const counted = () => reader.sumOver('EventsProcessed', 'EventType');

  await produce(200);
  // Both daemons have started and published every shard's window once these are counted.
  await eventually(counted, (total) => total >= 200, 120_000);
  await produce(400, ['{not json', JSON.stringify({ specversion: '1.0', id: 'x', type: 'shop.unknown.v1' })]);
  const killed = workers[0];
  if (!killed?.pid) throw new Error('worker a is not running');
  // The kill falls mid-window, 2.5 s after the last window closed (its publishes and checkpoints
  // are done) and 1 s before the next. A kill between a shard's PutMetricData and its checkpoint
  // would count that window twice: CloudWatch has no idempotent put (docs/architecture.md).
  await untilWindowOffset(windowMs, 2500, 4000);
  // A crashed machine: the worker, its daemon and their record processors, all at once.
  process.kill(-killed.pid, 'SIGKILL');
  await produce(400, ['[]']);

  const total = await eventually(counted, (value) => value >= produced, 120_000);
  t.is(total, produced, 'every event is counted once after the takeover');
  t.is(
    await eventually(
      () => reader.sum('PoisonEvents', {}),
      (value) => value >= 3,
      30_000,
    ),
    3,
  );
  // Views close with the same windows as the counts above, so they are there by now or shortly.
  const viewsByCategory = () =>
    Promise.all([reader.sum('ProductViews', { Category: 'tea' }), reader.sum('ProductViews', { Category: 'cups' })]);
  const views = await eventually(viewsByCategory, ([tea, cups]) => tea >= viewed.tea && cups >= viewed.cups, 15_000);
  t.true(viewed.tea > viewed.cups && viewed.cups > 0);
  t.deepEqual(views, [viewed.tea, viewed.cups], 'ProductViews by Category');
  // One more window: nothing is counted twice late.
  await new Promise((resolve) => setTimeout(resolve, 7000));
  t.is(await counted(), produced);
  t.is(await reader.sumOver('ProductViews', 'Category'), viewed.tea + viewed.cups);
});
