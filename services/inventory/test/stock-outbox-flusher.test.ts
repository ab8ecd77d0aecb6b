import { setTimeout as sleep } from 'node:timers/promises';
import { createLogger } from '@shop/platform';
import test from 'ava';
import type { StockRepository } from '../src/stock/stock.repository.js';
import { StockOutboxFlusher } from '../src/stock/stock-outbox-flusher.js';

test('when flush rounds fail while the table is unreachable, then each caller gets the failure and nothing else rejects', async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const unreachable = new Error('connect ECONNREFUSED');
    const repository = {
      get: async () => {
        await sleep(5);
        throw unreachable;
      },
    } as unknown as StockRepository;
    const flusher = new StockOutboxFlusher({
      repository,
      publisher: { publish: async () => {} },
      logger: createLogger({ name: 'test', level: 'silent' }),
      supplierOf: async () => undefined,
    });
    // The first call runs a round; the next two share the round queued behind it.
    const rounds = [flusher.flush('p1'), flusher.flush('p1'), flusher.flush('p1')];
    const outcomes = await Promise.allSettled(rounds);
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
