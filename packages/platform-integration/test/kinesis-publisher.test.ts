import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { findFreePort, type StandIns, startStandIns } from '@shop/local-stack';
import {
  backoffDelay,
  type CloudEvent,
  createEvent,
  createKinesisClient,
  decodeRecord,
  KinesisEventPublisher,
  ProcessMetrics,
  PublishError,
  PublisherSaturatedError,
} from '@shop/platform';
import { readStreamEvents } from '@shop/testing';
import anyTest, { type TestFn } from 'ava';

const test = anyTest as TestFn<{ standIns: StandIns; kinesis: KinesisClient }>;
test.serial.before(async (t) => {
  t.context.standIns = await startStandIns();
  t.context.kinesis = createKinesisClient({
    region: t.context.standIns.region,
    endpoint: t.context.standIns.kinesisEndpoint,
    // Generous, so a stand-in slowed by a busy machine is waited for rather than sent the batch
    // again: these tests count exact deliveries. The publisher does its own retries.
    requestTimeoutMs: 10_000,
    maxAttempts: 1,
  });
});
test.after.always(async (t) => {
  t.context.kinesis?.destroy();
  await t.context.standIns?.stop();
});

// The publisher is tested with events of a test type, which no event contract has.
const readStream = (kinesis: KinesisClient, streamName: string) =>
  readStreamEvents(kinesis, streamName, { checkContract: false }) as Promise<CloudEvent<{ n: number }>[]>;

function eventsFor(prefix: string, keys: number, perKey: number) {
  const events: CloudEvent<{ n: number }>[] = [];
  for (let n = 0; n < perKey; n += 1) {
    for (let key = 0; key < keys; key += 1) {
      events.push(
        createEvent({ source: '/test', type: 'shop.test.thing.changed.v1', subject: `${prefix}-${key}`, data: { n } }),
      );
    }
  }
  return events;
}

function firstDeliveries<T extends { id: string }>(events: T[]): T[] {
  const seen = new Set<string>();
  return events.filter((event) => !seen.has(event.id) && seen.add(event.id));
}

function assertOrderPerKey(
  t: { deepEqual: (a: unknown, b: unknown, m?: string) => void },
  events: CloudEvent<{ n: number }>[],
  keys: string[],
) {
  for (const key of keys) {
    const sequence = events.filter((event) => event.subject === key).map((event) => event.data.n);
    t.deepEqual(
      sequence,
      [...sequence].sort((a, b) => a - b),
      `events of ${key} are in publish order`,
    );
  }
}

test.serial(
  'when many events are published at once, then all reach the stream, batched, in order per key',
  async (t) => {
    const { standIns, kinesis } = t.context;
    const publisher = new KinesisEventPublisher({ client: kinesis, streamName: standIns.streamName });
    const events = eventsFor('burst', 40, 20);
    await Promise.all(events.map((event) => publisher.publish([event])));
    t.is(publisher.pendingCount, 0);
    const onStream = (await readStream(kinesis, standIns.streamName)).filter((event) =>
      event.subject.startsWith('burst-'),
    );
    t.is(onStream.length, 800);
    t.deepEqual(onStream.map((event) => event.id).sort(), events.map((event) => event.id).sort());
    assertOrderPerKey(t, onStream, [...new Set(events.map((event) => event.subject))]);
  },
);

test.serial(
  'when one key has many events ready together, then they travel as batches and unpack in order',
  async (t) => {
    const { standIns, kinesis } = t.context;
    const publisher = new KinesisEventPublisher({
      client: kinesis,
      streamName: standIns.streamName,
      maxEventsPerRecord: 10,
    });
    const events = eventsFor('packed', 1, 35);
    await publisher.publish(events);
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: standIns.streamName }));
    let records = 0;
    const unpacked: CloudEvent[] = [];
    for (const shard of Shards) {
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: standIns.streamName,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        const decoded = decodeRecord(record.Data ?? new Uint8Array()).filter((event) => event.subject === 'packed-0');
        if (decoded.length > 0) records += 1;
        unpacked.push(...decoded);
      }
    }
    t.is(records, 4, '35 events of one key in records of at most 10');
    t.deepEqual(
      unpacked.map((event) => event.id),
      events.map((event) => event.id),
    );
  },
);

test.serial('when the stream is down for a while, then publishes wait, retry and arrive in order', async (t) => {
  const { standIns, kinesis } = t.context;
  const publisher = new KinesisEventPublisher({
    client: kinesis,
    streamName: standIns.streamName,
    // Delivery is what is checked, not the budget: retry for as long as the restart may take.
    maxAttempts: 1000,
    baseDelayMs: 50,
    maxDelayMs: 500,
  });
  standIns.processes.kinesis.process.kill('SIGKILL');
  await standIns.processes.kinesis.exited;
  const events = eventsFor('outage', 10, 10);
  const published = Promise.all(events.map((event) => publisher.publish([event])));
  await sleep(1500);
  t.true(publisher.pendingCount > 0, 'nothing could be published while the stream was down');
  await standIns.restart('kinesis');
  await published.catch((error: unknown) => {
    t.log('last cause:', (error as Error).cause);
    throw error;
  });
  const delivered = (await readStream(kinesis, standIns.streamName)).filter((event) =>
    event.subject.startsWith('outage-'),
  );
  // A request the restarting stand-in accepted but never answered is sent again: at least once,
  // so duplicates are allowed; consumers keep the first delivery of each id, and that must be in order.
  const onStream = firstDeliveries(delivered);
  t.log(`${delivered.length - onStream.length} duplicate deliveries`);
  t.deepEqual(onStream.map((event) => event.id).sort(), events.map((event) => event.id).sort());
  assertOrderPerKey(t, onStream, [...new Set(events.map((event) => event.subject))]);
});

test.serial('when retries run out, then publish rejects with a PublishError naming the event', async (t) => {
  const unreachable = createKinesisClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
  const publisher = new KinesisEventPublisher({
    client: unreachable,
    streamName: 'nowhere',
    maxAttempts: 3,
    baseDelayMs: 5,
  });
  const event = createEvent({ source: '/test', type: 'shop.test.thing.changed.v1', subject: 'x', data: {} });
  const error = await t.throwsAsync(publisher.publish([event]), { instanceOf: PublishError });
  t.deepEqual(error?.eventIds, [event.id]);
  t.truthy(error?.cause);
  t.is(publisher.pendingCount, 0);
  unreachable.destroy();
});

test('when an event is larger than a Kinesis record, then it is refused at once', async (t) => {
  const publisher = new KinesisEventPublisher({ client: t.context.kinesis, streamName: 'unused' });
  const event = createEvent({ source: '/test', type: 'big', subject: 'x', data: { blob: 'x'.repeat(1024 * 1024) } });
  await t.throwsAsync(publisher.publish([event]), { instanceOf: PublishError, message: /larger than/ });
});

test('when backoff is computed, then it stays within the exponential cap', (t) => {
  for (let attempt = 0; attempt < 12; attempt += 1) {
    const delay = backoffDelay(attempt, 50, 2000);
    t.true(delay >= 0 && delay <= Math.min(2000, 50 * 2 ** attempt));
  }
});

/**
 * A proxy in front of the stand-in that throttles single entries of PutRecords: the first time it
 * sees a record at an odd position, it keeps it from the stream and answers it with
 * ProvisionedThroughputExceededException, as Kinesis does for one hot shard.
 */
async function throttlingProxy(target: string) {
  const seen = new Set<string>();
  const stats = { calls: 0, throttled: 0, forwarded: new Map<string, number>() };
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks).toString('utf8');
    const putRecords = String(request.headers['x-amz-target']).endsWith('.PutRecords');
    let throttledAt: number[] = [];
    if (putRecords) {
      stats.calls += 1;
      const parsed = JSON.parse(body) as { Records: Array<{ Data: string }> };
      throttledAt = parsed.Records.flatMap((record, index) =>
        index % 2 === 1 && !seen.has(record.Data) ? [index] : [],
      );
      for (const record of parsed.Records) seen.add(record.Data);
      parsed.Records = parsed.Records.filter((_, index) => !throttledAt.includes(index));
      for (const record of parsed.Records)
        stats.forwarded.set(record.Data, (stats.forwarded.get(record.Data) ?? 0) + 1);
      stats.throttled += throttledAt.length;
      body = JSON.stringify(parsed);
    }
    const headers = { ...request.headers } as Record<string, string>;
    delete headers['content-length'];
    delete headers.host;
    const upstream = await fetch(`${target}${request.url}`, { method: request.method ?? 'POST', headers, body });
    let answer = await upstream.text();
    if (putRecords && upstream.ok) {
      const parsed = JSON.parse(answer) as { FailedRecordCount: number; Records: unknown[] };
      const results = [...parsed.Records];
      for (const index of throttledAt) {
        results.splice(index, 0, {
          ErrorCode: 'ProvisionedThroughputExceededException',
          ErrorMessage: 'Rate exceeded',
        });
      }
      answer = JSON.stringify({ FailedRecordCount: parsed.FailedRecordCount + throttledAt.length, Records: results });
    }
    response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    response.end(answer);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, stats, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

test.serial(
  'when PutRecords rejects single entries, then only those are sent again, counted by error code, and every event is on the stream once, in order',
  async (t) => {
    const { standIns, kinesis } = t.context;
    const proxy = await throttlingProxy(standIns.kinesisEndpoint);
    const client = createKinesisClient({ region: standIns.region, endpoint: proxy.endpoint, maxAttempts: 1 });
    const metrics = new ProcessMetrics({ service: 'test', processMetrics: false });
    try {
      // One event per record (no packing), many keys: every call mixes accepted and throttled entries.
      const publisher = new KinesisEventPublisher({
        client,
        streamName: standIns.streamName,
        baseDelayMs: 5,
        maxEventsPerRecord: 1,
        metrics,
      });
      const events = eventsFor(`partial-${Date.now()}`, 40, 5);
      await publisher.publish(events);
      t.true(proxy.stats.throttled > 0, 'entries were throttled');
      const stream = (await readStream(kinesis, standIns.streamName)).filter((event) =>
        events.some((sent) => sent.id === event.id),
      );
      t.is(stream.length, events.length, 'each event exactly once: accepted entries were not sent again');
      t.deepEqual(
        [...proxy.stats.forwarded.values()].filter((count) => count !== 1),
        [],
      );
      assertOrderPerKey(t, stream, [...new Set(events.map((event) => event.subject))]);
      const failed = await metrics.registry.getSingleMetric('kinesis_records_failed_total')?.get();
      t.deepEqual(
        failed?.values.map(({ labels, value }) => ({ code: labels.code, value })),
        [{ code: 'ProvisionedThroughputExceededException', value: proxy.stats.throttled }],
        'every refused entry counted once, by its error code',
      );
      t.notThrows(
        () => new KinesisEventPublisher({ client, streamName: standIns.streamName, metrics }),
        'a second publisher reports to the same counter',
      );
    } finally {
      client.destroy();
      proxy.server.close();
    }
  },
);

test('when the stream is unreachable and the queue is full, then publishing is refused at once with a 503 error', async (t) => {
  const port = await findFreePort();
  const client = createKinesisClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
  try {
    const publisher = new KinesisEventPublisher({
      client,
      streamName: 'nowhere',
      maxQueuedEvents: 10,
      maxAttempts: 3,
      baseDelayMs: 200,
    });
    const waiting = publisher.publish(eventsFor('full', 10, 1));
    waiting.catch(() => {});
    t.true(publisher.saturated);
    const started = Date.now();
    const refused = await t.throwsAsync(publisher.publish(eventsFor('more', 1, 1)), {
      instanceOf: PublisherSaturatedError,
    });
    t.true(Date.now() - started < 100, 'refused without waiting');
    t.is(refused?.status, 503);
    t.is(refused?.headers['Retry-After'], '5');
    await t.throwsAsync(waiting, { instanceOf: PublishError });
    t.false(publisher.saturated, 'room again once the waiting events are given up');
  } finally {
    client.destroy();
  }
});
