import { checkEvent } from '@shop/contracts';
import { stockEventTypes } from '@shop/platform';
import test from 'ava';
import { eventsForChange } from '../src/stock/stock-events.js';
import { entryEventId, historyRecordOf, replayLedger, thresholdCrossing } from '../src/stock/stock-ledger.js';
import type { LedgerEntry } from '../src/stock/stock-level.js';

const at = '2026-11-25T10:00:00.000Z';
const entry = (id: string, onHandDelta: number, extra: Partial<LedgerEntry> = {}): LedgerEntry => ({
  id,
  kind: 'adjustment',
  at,
  onHandDelta,
  reservedDelta: 0,
  reason: onHandDelta > 0 ? 'restock' : 'sale',
  ...extra,
});

test('when pending entries are replayed, then each gets the next version and exact before/after', (t) => {
  const flushed = { version: 4, onHand: 10, reserved: 2, lowStockThreshold: 3 };
  const { changes, final } = replayLedger(flushed, [
    entry('01JAAAAAAAAAAAAAAAAAAAAAA1', -1),
    entry('01JAAAAAAAAAAAAAAAAAAAAAA2', 0, { kind: 'reservation.created', reservedDelta: 5 }),
    entry('01JAAAAAAAAAAAAAAAAAAAAAA3', 0, { kind: 'threshold', threshold: 8 }),
  ]);
  t.deepEqual(
    changes.map((change) => [change.after.version, change.before.available, change.after.available]),
    [
      [5, 8, 7],
      [6, 7, 2],
      [7, 2, 2],
    ],
  );
  t.deepEqual(final, { version: 7, onHand: 9, reserved: 7, lowStockThreshold: 8 });
});

test('when available crosses the threshold, then the crossing is low or replenished, once', (t) => {
  const base = { version: 0, onHand: 6, reserved: 0, lowStockThreshold: 5 };
  const [down] = replayLedger(base, [entry('01JAAAAAAAAAAAAAAAAAAAAAA1', -1)]).changes;
  const [further] = replayLedger({ ...base, onHand: 5 }, [entry('01JAAAAAAAAAAAAAAAAAAAAAA2', -1)]).changes;
  const [up] = replayLedger({ ...base, onHand: 5 }, [entry('01JAAAAAAAAAAAAAAAAAAAAAA3', 1)]).changes;
  t.is(down && thresholdCrossing(down), 'low');
  t.is(further && thresholdCrossing(further), undefined);
  t.is(up && thresholdCrossing(up), 'replenished');
});

test('when an entry’s event ids are derived twice, then they are the same valid ULIDs', (t) => {
  const id = '01JAAAAAAAAAAAAAAAAAAAAAA1';
  t.is(entryEventId(id, 0), entryEventId(id, 0));
  t.not(entryEventId(id, 0), entryEventId(id, 1));
  t.regex(entryEventId(id, 1), /^01JAAAAAAA[0-9A-HJKMNP-TV-Z]{16}$/);
});

test('when a sale crosses the threshold, then it yields adjusted then low with the supplier, and a history entry', (t) => {
  const sale = entry('01JAAAAAAAAAAAAAAAAAAAAAA1', -2, {
    sale: { priceMinor: 999, currency: 'USD', category: 'tents' },
  });
  const [change] = replayLedger({ version: 1, onHand: 6, reserved: 0, lowStockThreshold: 5 }, [sale]).changes;
  if (!change) return t.fail();
  const events = eventsForChange('P1', change, { name: 'Acme', email: 'a@acme.test' });
  t.deepEqual(
    events.map((event) => event.type),
    [stockEventTypes.adjusted, stockEventTypes.low],
  );
  t.like(events[0]?.data, { quantity: -2, onHandBefore: 6, onHandAfter: 4, revenueMinor: 1998, version: 2 });
  t.like(events[1]?.data, { available: 4, supplier: { email: 'a@acme.test' } });
  t.like(historyRecordOf('P1', change), { id: sale.id, quantity: -2, onHandBefore: 6, onHandAfter: 4, version: 2 });
  t.is(eventsForChange('P1', change)[0]?.id, events[0]?.id, 'the same change always yields the same event id');
});

test('when a reservation is only created, then there is no history entry', (t) => {
  const [change] = replayLedger({ version: 0, onHand: 5, reserved: 0, lowStockThreshold: 0 }, [
    entry('01JAAAAAAAAAAAAAAAAAAAAAA1', 0, {
      kind: 'reservation.created',
      reservedDelta: 2,
      reservations: [{ id: 'R1', quantity: 2 }],
    }),
  ]).changes;
  if (!change) return t.fail();
  t.is(historyRecordOf('P1', change), undefined);
  t.deepEqual(
    eventsForChange('P1', change).map((event) => event.type),
    [stockEventTypes.reservationCreated],
  );
});

test('when every kind of ledger entry becomes events, then each event keeps the schema of its type', (t) => {
  const productId = '01JAAAAAAAAAAAAAAAAAAAAAB0';
  const reservation = (n: number, extra: { expiresAt?: number } = {}) => ({
    id: `01JAAAAAAAAAAAAAAAAAAAAAR${n}`,
    quantity: n,
    ...extra,
  });
  const entries: LedgerEntry[] = [
    entry('01JAAAAAAAAAAAAAAAAAAAAAA1', 20, { note: 'delivery', reference: 'PO-17' }),
    entry('01JAAAAAAAAAAAAAAAAAAAAAA2', -3, { sale: { priceMinor: 999, currency: 'USD', category: 'tents' } }),
    entry('01JAAAAAAAAAAAAAAAAAAAAAA3', 0, { reason: 'stocktake' }),
    entry('01JAAAAAAAAAAAAAAAAAAAAAA4', 0, { kind: 'threshold', threshold: 12 }),
    entry('01JAAAAAAAAAAAAAAAAAAAAAA5', 0, {
      kind: 'reservation.created',
      reservedDelta: 2,
      reservations: [reservation(2, { expiresAt: Date.parse(at) + 900_000 })],
    }),
    entry('01JAAAAAAAAAAAAAAAAAAAAAA6', -2, {
      kind: 'reservation.committed',
      reservedDelta: -2,
      reservations: [reservation(2)],
      sale: { priceMinor: 999, currency: 'USD', category: 'tents' },
    }),
    entry('01JAAAAAAAAAAAAAAAAAAAAAA7', 0, {
      kind: 'reservation.created',
      reservedDelta: 4,
      reservations: [reservation(4, { expiresAt: 1 })],
    }),
    entry('01JAAAAAAAAAAAAAAAAAAAAAA8', 0, {
      kind: 'reservation.released',
      reservedDelta: -4,
      reservations: [reservation(4)],
    }),
    entry('01JAAAAAAAAAAAAAAAAAAAAAA9', 0, {
      kind: 'reservations.expired',
      reservedDelta: 0,
      reservations: [reservation(1), reservation(3)],
    }),
    entry('01JAAAAAAAAAAAAAAAAAAAAAAB', 10, { reason: 'return' }),
  ];
  const { changes } = replayLedger({ version: 1, onHand: 0, reserved: 4, lowStockThreshold: 5 }, entries);
  const events = changes.flatMap((change) =>
    eventsForChange(productId, change, { name: 'Acme', email: 'a@acme.test' }),
  );
  t.deepEqual(
    [...new Set(events.map((event) => event.type))].sort(),
    Object.values(stockEventTypes).sort(),
    'every type occurs',
  );
  for (const event of events) t.deepEqual(checkEvent(event), { valid: true, event }, event.type);
});

test('when a ledger entry would break its events’ schema, then the contract check says so', (t) => {
  // A created reservation without its expiry: the builder still yields an event (the outbox must
  // not stall on it), and that event fails its schema.
  const [change] = replayLedger({ version: 0, onHand: 5, reserved: 0, lowStockThreshold: 0 }, [
    entry('01JAAAAAAAAAAAAAAAAAAAAAA1', 0, {
      kind: 'reservation.created',
      reservedDelta: 2,
      reservations: [{ id: '01JAAAAAAAAAAAAAAAAAAAAAR1', quantity: 2 }],
    }),
  ]).changes;
  if (!change) return t.fail();
  const [created] = eventsForChange('01JAAAAAAAAAAAAAAAAAAAAAB0', change);
  t.like(checkEvent(created), {
    valid: false,
    violation: 'schema',
    errors: ['/data/expiresAt must match format "date-time"'],
  });
});
