import test from 'ava';
import { AdjustmentBatcher } from '../src/stock/adjustment-batcher.js';
import { type LedgerEntry, StockChangeRefused, type StockItem } from '../src/stock/stock-level.js';

const entry = (id: string, onHandDelta: number): LedgerEntry => ({
  id,
  kind: 'adjustment',
  at: '2026-11-25T10:00:00.000Z',
  onHandDelta,
  reservedDelta: 0,
  reason: onHandDelta > 0 ? 'restock' : 'sale',
});

// A stock item held in memory that commits like the conditional write: all or nothing, one version each.
function memoryStock(onHand: number) {
  const state = { onHand, version: 0, groups: [] as string[][], inFlight: 0, maxInFlight: 0 };
  const item = (): StockItem => ({
    productId: 'P',
    onHand: state.onHand,
    reserved: 0,
    available: state.onHand,
    lowStockThreshold: 0,
    version: state.version,
    updatedAt: '',
    reservations: {},
    outbox: [],
    storedOutbox: [],
    flushed: { version: 0, onHand: 0, reserved: 0, lowStockThreshold: 0 },
  });
  const commit = async (entries: LedgerEntry[]) => {
    state.inFlight += 1;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    state.inFlight -= 1;
    let level = state.onHand;
    for (const next of entries) {
      level += next.onHandDelta;
      if (level < 0) throw new StockChangeRefused(item());
    }
    state.onHand = level;
    state.version += entries.length;
    state.groups.push(entries.map((next) => next.id));
    return item();
  };
  return { state, commit };
}

test('when adjustments arrive together, then they commit as groups, one write in flight, each with its own version', async (t) => {
  const { state, commit } = memoryStock(100);
  const batcher = new AdjustmentBatcher({
    writer: {
      commitGroup: (_, entries) => commit(entries),
      commitOne: (_, one) => commit([one]),
    },
  });
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, index) => batcher.submit('P', entry(`E${index}`, -1))),
  );
  t.is(state.onHand, 88);
  t.is(state.maxInFlight, 1);
  t.true(state.groups.length < 12, 'fewer writes than adjustments');
  t.deepEqual(
    results.map((result) => result.version).sort((a, b) => a - b),
    Array.from({ length: 12 }, (_, index) => index + 1),
  );
  t.deepEqual(
    results.map((result) => result.onHandAfter).sort((a, b) => a - b),
    Array.from({ length: 12 }, (_, index) => 88 + index),
  );
});

test('when a group holds restocks and takes, then restocks go first', async (t) => {
  const { state, commit } = memoryStock(0);
  const batcher = new AdjustmentBatcher({
    writer: {
      commitGroup: (_, entries) => commit(entries),
      commitOne: (_, one) => commit([one]),
    },
  });
  const first = batcher.submit('P', entry('warmup', 1));
  const together = Promise.all([batcher.submit('P', entry('take', -3)), batcher.submit('P', entry('restock', 5))]);
  await first;
  const [take, restock] = await together;
  t.deepEqual(state.groups.at(-1), ['restock', 'take']);
  t.is(restock.onHandAfter, 6);
  t.is(take.onHandAfter, 3);
});

test('when a group does not fit, then each adjustment is tried alone and answered on its own', async (t) => {
  const { state, commit } = memoryStock(2);
  const batcher = new AdjustmentBatcher({
    writer: {
      commitGroup: (_, entries) => commit(entries),
      commitOne: (_, one) => commit([one]),
    },
  });
  const outcomes = await Promise.allSettled(
    Array.from({ length: 5 }, (_, index) => batcher.submit('P', entry(`S${index}`, -1))),
  );
  t.is(outcomes.filter((outcome) => outcome.status === 'fulfilled').length, 2);
  t.is(outcomes.filter((outcome) => outcome.status === 'rejected').length, 3);
  t.is(state.onHand, 0);
});

test('when a product was just written, then its next write waits briefly for a group as large as the last one and those queued behind it', async (t) => {
  const { state, commit } = memoryStock(100);
  const batcher = new AdjustmentBatcher({
    writer: {
      commitGroup: (_, entries) => commit(entries),
      commitOne: (_, one) => commit([one]),
    },
    lingerMs: 50,
    busyWindowMs: 1000,
  });
  await batcher.submit('P', entry('idle', -1));
  t.deepEqual(state.groups, [['idle']]);
  await Promise.all([batcher.submit('P', entry('A1', -1)), batcher.submit('P', entry('A2', -1))]);
  const late = Promise.all([
    batcher.submit('P', entry('B1', -1)),
    new Promise((resolve) => setTimeout(resolve, 10)).then(() => batcher.submit('P', entry('B2', -1))),
  ]);
  await late;
  t.deepEqual(state.groups.at(-1), ['B1', 'B2'], 'the second adjustment, 10 ms later, joined the first');
  t.is(state.onHand, 95);
});

test('when a group commit fails for a reason other than its condition, then every member gets that failure once and none is retried alone', async (t) => {
  const { state, commit } = memoryStock(100);
  let groupCommits = 0;
  let oneCommits = 0;
  const outage = new Error('connect ECONNREFUSED 127.0.0.1:8000');
  const batcher = new AdjustmentBatcher({
    writer: {
      commitGroup: async () => {
        groupCommits += 1;
        throw outage;
      },
      commitOne: (_, one) => {
        oneCommits += 1;
        return commit([one]);
      },
    },
  });
  // The first goes alone (the product is idle); the rest queue behind it and go as one group.
  const first = batcher.submit('P', entry('E0', -1));
  const rest = Array.from({ length: 5 }, (_, index) => batcher.submit('P', entry(`E${index + 1}`, -1)));
  await first;
  const answers = await Promise.allSettled(rest);
  t.is(groupCommits, 1);
  t.is(oneCommits, 1, 'only the first, which went alone');
  t.deepEqual(
    answers.map((answer) => answer.status === 'rejected' && answer.reason === outage),
    [true, true, true, true, true],
  );
  t.is(state.onHand, 99);
});
