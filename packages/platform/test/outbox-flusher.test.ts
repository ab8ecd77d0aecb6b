import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import type { CloudEvent } from '../src/events/cloud-event.js';
import { type OutboxBatch, OutboxFlusher, type OutboxSource } from '../src/outbox/outbox-flusher.js';

const event = (id: string) => ({ id, type: 'test.v1', subject: 'p1' }) as CloudEvent;

// An outbox of `entries` pending events, handed out `limit` at a time; `complete` removes a batch.
function memorySource(entries: string[]) {
  const pending = [...entries];
  const source: OutboxSource & { reads: number } = {
    reads: 0,
    async nextBatch(_productId: string, limit: number): Promise<OutboxBatch | undefined> {
      source.reads += 1;
      await sleep(1);
      const batch = pending.slice(0, limit);
      if (batch.length === 0) return undefined;
      return {
        events: batch.map(event),
        complete: async () => {
          pending.splice(0, batch.length);
          return true;
        },
      };
    },
  };
  return source;
}

test('when an item holds more events than a batch, then they are published in order, batch by batch, and removed', async (t) => {
  const source = memorySource(['e1', 'e2', 'e3', 'e4', 'e5']);
  const published: string[][] = [];
  const flusher = new OutboxFlusher({
    source,
    publisher: { publish: async (events) => void published.push(events.map((one) => one.id)) },
    batchSize: 2,
  });
  await flusher.flush('p1');
  t.deepEqual(published, [['e1', 'e2'], ['e3', 'e4'], ['e5']]);
  await flusher.flush('p1');
  t.is(published.length, 3, 'nothing is left to publish');
});

test('when a publish fails, then the batch stays pending and the next flush publishes it again', async (t) => {
  const source = memorySource(['e1', 'e2']);
  let down = true;
  const published: string[] = [];
  const flusher = new OutboxFlusher({
    source,
    publisher: {
      publish: async (events) => {
        if (down) throw new Error('stream unreachable');
        published.push(...events.map((one) => one.id));
      },
    },
    batchSize: 10,
  });
  await t.throwsAsync(flusher.flush('p1'), { message: 'stream unreachable' });
  down = false;
  await flusher.flush('p1');
  t.deepEqual(published, ['e1', 'e2']);
});

test('when flushes are asked while a round runs, then they share one more round', async (t) => {
  const source = memorySource(['e1']);
  const flusher = new OutboxFlusher({ source, publisher: { publish: async () => {} }, batchSize: 10 });
  await Promise.all([flusher.flush('p1'), flusher.flush('p1'), flusher.flush('p1'), flusher.flush('p1')]);
  // The first round reads twice (its batch, then nothing); the shared second round reads once.
  t.is(source.reads, 3);
});

test('when flush rounds fail while the table is unreachable, then each caller gets the failure and nothing else rejects', async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const unreachable = new Error('connect ECONNREFUSED');
    const source: OutboxSource = {
      nextBatch: async () => {
        await sleep(5);
        throw unreachable;
      },
    };
    const flusher = new OutboxFlusher({ source, publisher: { publish: async () => {} }, batchSize: 10 });
    // The first call runs a round; the next two share the round queued behind it.
    const outcomes = await Promise.allSettled([flusher.flush('p1'), flusher.flush('p1'), flusher.flush('p1')]);
    t.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['rejected', 'rejected', 'rejected'],
    );
    await sleep(50);
    t.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});

test('when a writer hands over the item it left, then the source is given it before the round', async (t) => {
  const remembered: number[] = [];
  const source: OutboxSource<number> = {
    remember: (_productId, version) => void remembered.push(version),
    nextBatch: async () => undefined,
  };
  const flusher = new OutboxFlusher({ source, publisher: { publish: async () => {} }, batchSize: 10 });
  await flusher.flush('p1', 7);
  await flusher.flush('p1');
  t.deepEqual(remembered, [7]);
});
