import type { ShopEvent } from '@shop/contracts';
import { createLogger, productEventTypes } from '@shop/platform';
import type { RefusedWrite } from '@shop/product-index';
import test from 'ava';
import { IndexShardProcessor } from '../src/indexer/index-shard-processor.js';
import type { KclRecord } from '../src/processor/shard-processor.js';
import { productEvent, restockEvent } from './event-fixtures.js';

const logger = createLogger({ name: 'test', level: 'silent' });

function harness(options: { failWrites?: number; refuse?: boolean; checkpointIntervalMs?: number } = {}) {
  let sequence = 0;
  let clock = Date.parse('2026-12-04T10:00:00Z');
  let failures = options.failWrites ?? 0;
  const log: string[] = [];
  const rejected: string[] = [];
  const written: string[][] = [];
  const record = (payload: unknown): KclRecord => {
    sequence += 1;
    const data = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return { data: Buffer.from(data).toString('base64'), sequenceNumber: String(sequence) };
  };
  const processor = new IndexShardProcessor({
    projector: {
      async projectAll(events: readonly ShopEvent[]) {
        if (failures > 0) {
          failures -= 1;
          log.push('write failed');
          throw new Error('engine unavailable');
        }
        written.push(events.map((event) => event.type));
        log.push(`wrote ${events.length}`);
        const refused: RefusedWrite[] = options.refuse
          ? [{ write: { kind: 'delete', productId: 'x', version: 1 }, reason: 'mapper_parsing_exception: no' }]
          : [];
        return { written: events.length - refused.length, refused };
      },
    },
    prepare: async () => {
      log.push('prepared');
    },
    observer: {
      recordsRead() {},
      rejected(_shard, reason) {
        rejected.push(reason);
      },
      indexed() {},
      polled() {},
    },
    logger,
    checkpointIntervalMs: options.checkpointIntervalMs ?? 0,
    now: () => clock,
    retryBaseMs: 1,
  });
  const checkpoint = async (sequenceNumber?: string) => {
    log.push(`checkpoint ${sequenceNumber ?? 'end'}`);
  };
  return {
    processor,
    record,
    checkpoint,
    log,
    rejected,
    written,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const created = () => productEvent(productEventTypes.created, { product: 'P1', version: 1 });

test('when the engine fails, then the batch is retried until it is written and only then checkpointed', async (t) => {
  const { processor, record, checkpoint, log } = harness({ failWrites: 2 });
  await processor.initialize('shard-1');
  await processor.processRecords([record(created()), record(restockEvent({ quantity: 3 }))], checkpoint);
  t.deepEqual(log, ['prepared', 'write failed', 'write failed', 'wrote 2', 'checkpoint 2']);
});

test('when records are poison, then they are counted and skipped and the good events of the batch are written', async (t) => {
  const { processor, record, checkpoint, rejected, written } = harness();
  await processor.initialize('shard-1');
  const broken = { ...created(), data: { product: { id: 'x' } } };
  await processor.processRecords([record('not json'), record(broken), record([created(), created()])], checkpoint);
  t.deepEqual(rejected, ['not-json', 'schema']);
  t.deepEqual(written, [[productEventTypes.created, productEventTypes.created]]);
});

test('when the index refuses a write for good, then it is counted and the shard moves on', async (t) => {
  const { processor, record, checkpoint, rejected, log } = harness({ refuse: true });
  await processor.initialize('shard-1');
  await processor.processRecords([record(created())], checkpoint);
  t.deepEqual(rejected, ['refused-by-index']);
  t.is(log.at(-1), 'checkpoint 1');
});

test('when batches come faster than the checkpoint interval, then the shard checkpoints once per interval and at shutdown', async (t) => {
  const { processor, record, checkpoint, log, advance } = harness({ checkpointIntervalMs: 5000 });
  await processor.initialize('shard-1');
  await processor.processRecords([record(created())], checkpoint);
  advance(1000);
  await processor.processRecords([record(created())], checkpoint);
  advance(4000);
  await processor.processRecords([record(created())], checkpoint);
  await processor.processRecords([record(created())], checkpoint);
  t.deepEqual(
    log.filter((line) => line.startsWith('checkpoint')),
    ['checkpoint 3'],
  );
  await processor.shutdownRequested(checkpoint);
  t.is(log.at(-1), 'checkpoint 4');
  await processor.processRecords([], checkpoint);
  await processor.shardEnded(checkpoint);
  t.is(log.at(-1), 'checkpoint end');
});
