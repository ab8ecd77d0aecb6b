import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { ShopEvent } from '@shop/contracts';
import { createLogger, stockEventTypes } from '@shop/platform';
import test from 'ava';
import type { PoisonReason } from '../src/aggregation/record-reader.js';
import { type KclRecord, ShardProcessor } from '../src/processor/shard-processor.js';
import { fixtureId, lowStockEvent, saleEvent } from './event-fixtures.js';

const logger = createLogger({ name: 'test', level: 'silent' });

const time = '2026-11-25T10:00:10.000Z';

function event(id: string, type: string = stockEventTypes.adjusted): ShopEvent {
  return type === stockEventTypes.low ? lowStockEvent({ id, time }) : saleEvent({ id, time, quantity: -1 });
}

function harness(options: { failPublishes?: number; holdsLease?: boolean } = {}) {
  let sequence = 0;
  const record = (payload: unknown, arrivedAt?: number): KclRecord => {
    sequence += 1;
    return {
      data: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)).toString('base64'),
      sequenceNumber: String(sequence),
      ...(arrivedAt === undefined ? {} : { approximateArrivalTimestamp: arrivedAt }),
    };
  };
  const log: string[] = [];
  const behind: number[] = [];
  const rejected: PoisonReason[] = [];
  const published: MetricDatum[][] = [];
  let failures = options.failPublishes ?? 0;
  let clock = Date.parse('2026-11-25T10:00:20Z');
  const processor = new ShardProcessor({
    observer: {
      recordsRead() {},
      rejected(_shardId, reason) {
        rejected.push(reason);
      },
      flushed() {},
      checkpointed() {},
      polled(_shardId, seconds) {
        behind.push(seconds);
      },
    },
    metrics: {
      async publish(datums) {
        if (failures > 0) {
          failures -= 1;
          log.push('publish failed');
          throw new Error('CloudWatch unavailable');
        }
        published.push(datums);
        log.push('published');
        return 1;
      },
    },
    alerts: {
      async alert(low) {
        log.push(`alert ${low.id}`);
        return { category: 'tea' };
      },
    },
    logger,
    windowMs: 60_000,
    dedupeCapacity: 1000,
    holdsLease: async () => options.holdsLease ?? true,
    trace: async (name, header, work) => {
      log.push(`trace ${name} ${header}`);
      return work();
    },
    now: () => clock,
    retryBaseMs: 1,
  });
  processor.initialize('shardId-000000000000');
  const checkpoint = async (sequenceNumber?: string) => {
    log.push(`checkpoint ${sequenceNumber ?? 'end'}`);
  };
  const sum = (name: string) =>
    published
      .flat()
      .filter((datum) => datum.MetricName === name && !datum.Dimensions)
      .reduce((total, datum) => total + (datum.StatisticValues?.Sum ?? 0), 0);
  return {
    processor,
    log,
    rejected,
    checkpoint,
    sum,
    record,
    behind,
    now: () => clock,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

test('when a window closes, then its metrics are published before the shard is checkpointed', async (t) => {
  const { processor, log, checkpoint, sum, record, advance } = harness({ failPublishes: 2 });
  await processor.processRecords([record(event('E1')), record([event('E2'), event('E3')])], checkpoint);
  t.deepEqual(log, [], 'nothing is published or checkpointed while the window is open');
  advance(60_000);
  await processor.processRecords([], checkpoint);
  t.deepEqual(log, ['publish failed', 'publish failed', 'published', 'checkpoint 2']);
  t.is(sum('EventsProcessed'), 3);
});

test('when poison sits between good records, then it is counted by reason and skipped, and the shard is checkpointed past it', async (t) => {
  const { processor, log, rejected, checkpoint, sum, record, advance } = harness();
  const broken = event('G4');
  await processor.processRecords(
    [
      record(event('G1')),
      record('{not json'),
      record({ hello: 'world' }),
      record([event('G2'), { ...broken, data: { ...broken.data, quantity: 'one' } }]),
    ],
    checkpoint,
  );
  advance(60_000);
  await processor.processRecords([record(event('G3'))], checkpoint);
  t.is(sum('EventsProcessed'), 3);
  t.is(sum('PoisonEvents'), 3);
  t.deepEqual(rejected, ['not-json', 'envelope', 'schema']);
  t.deepEqual(log, ['published', 'checkpoint 5'], 'the poison records are checkpointed with the rest');
});

test('when an event is delivered twice, then it counts once; when a low-stock event arrives, then it alerts once', async (t) => {
  const { processor, log, checkpoint, sum, record, advance } = harness();
  const low = event('L1', stockEventTypes.low);
  await processor.processRecords([record(event('D1')), record(low), record(event('D1')), record(low)], checkpoint);
  advance(60_000);
  await processor.shutdownRequested(checkpoint);
  t.is(sum('EventsProcessed'), 2);
  t.is(sum('DuplicateEvents'), 2, 'the skipped copies are visible');
  t.is(sum('LowStockAlerts'), 1);
  t.is(log.filter((line) => line.startsWith('alert')).length, 1);
});

test('when shutdown is requested mid-window, then the pending metrics are published and then the last record is checkpointed', async (t) => {
  const { processor, log, checkpoint, sum, record } = harness();
  await processor.processRecords([record(event('M1')), record([event('M2'), event('M3')])], checkpoint);
  t.deepEqual(log, [], 'the window is still open');
  await processor.shutdownRequested(checkpoint);
  t.deepEqual(log, ['published', 'checkpoint 2']);
  t.is(sum('EventsProcessed'), 3);
});

test('when the lease is lost, then pending metrics are dropped and nothing is checkpointed', async (t) => {
  const { processor, log, checkpoint, record } = harness();
  await processor.processRecords([record(event('X1'))], checkpoint);
  processor.leaseLost();
  await processor.shutdownRequested(checkpoint);
  t.deepEqual(log, []);
});

test('when the shard ends, then pending metrics are published and the end of the shard is checkpointed', async (t) => {
  const { processor, log, checkpoint, record } = harness();
  await processor.processRecords([record(event('S1'))], checkpoint);
  await processor.shardEnded(checkpoint);
  t.deepEqual(log, ['published', 'checkpoint end']);
});

test('when another worker has taken the lease before the window closes, then nothing is published or checkpointed', async (t) => {
  const { processor, log, checkpoint, record, advance } = harness({ holdsLease: false });
  await processor.processRecords([record(event('T1'))], checkpoint);
  advance(60_000);
  await processor.processRecords([], checkpoint);
  t.deepEqual(log, []);
});

test('when a poll brings records, then the shard is as far behind the stream as its newest record is old; when a poll is empty, then as far as the daemon says', async (t) => {
  const { processor, checkpoint, record, behind, now } = harness();
  await processor.processRecords(
    [record(event('B1'), now() - 90_000), record(event('B2'), now() - 30_000)],
    checkpoint,
  );
  await processor.processRecords([], checkpoint, 1_500);
  await processor.processRecords([], checkpoint, null);
  t.deepEqual(behind, [30, 1.5, 0]);
});

test('when a low-stock event carries a trace header, then its supplier alert runs in that trace', async (t) => {
  const { processor, log, checkpoint, record } = harness();
  const header = 'Root=1-6744a1b2-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1';
  await processor.processRecords([record({ ...event('L9', stockEventTypes.low), traceid: header })], checkpoint);
  t.deepEqual(log.slice(0, 2), [`trace analytics ${header}`, `alert ${fixtureId('L9')}`]);
});
