import { createHash } from 'node:crypto';
import type { AdjustmentRecord, LedgerEntry, StockCounters } from './stock-level.js';

/** One ledger entry with the state before and after it. `available` is onHand minus reserved. */
export interface LedgerChange {
  entry: LedgerEntry;
  before: StockCounters & { available: number };
  after: StockCounters & { available: number };
}

const withAvailable = (counters: StockCounters) => ({ ...counters, available: counters.onHand - counters.reserved });

/**
 * Replays pending entries forward from the last flushed state. Every change appends one entry and
 * adds one to `version`, so entry i's version is `flushed.version + i + 1`, and each before/after is
 * exact however many writers raced.
 */
export function replayLedger(
  flushed: StockCounters,
  entries: LedgerEntry[],
): { changes: LedgerChange[]; final: StockCounters } {
  let state: StockCounters = { ...flushed };
  const changes: LedgerChange[] = [];
  for (const entry of entries) {
    const next: StockCounters = {
      version: state.version + 1,
      onHand: state.onHand + entry.onHandDelta,
      reserved: state.reserved + entry.reservedDelta,
      lowStockThreshold: entry.threshold ?? state.lowStockThreshold,
    };
    changes.push({ entry, before: withAvailable(state), after: withAvailable(next) });
    state = next;
  }
  return { changes, final: state };
}

/** True when the state is at or below its low-stock threshold. */
export function isLow(state: { available: number; lowStockThreshold: number }): boolean {
  return state.available <= state.lowStockThreshold;
}

/** Whether a change crossed the threshold: down to low, back up to replenished, or neither. */
export function thresholdCrossing(change: LedgerChange): 'low' | 'replenished' | undefined {
  const wasLow = isLow(change.before);
  const nowLow = isLow(change.after);
  if (!wasLow && nowLow) return 'low';
  if (wasLow && !nowLow) return 'replenished';
  return undefined;
}

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID for the n-th event of an entry: the entry's timestamp part and a random part derived from
 * the entry id and `n`. Re-flushing an entry after a crash yields the same ids, which is what
 * consumers deduplicate on.
 */
export function entryEventId(entryId: string, n: number): string {
  const digest = createHash('sha256').update(`${entryId}:${n}`).digest();
  let random = '';
  for (let index = 0; index < 16; index += 1) random += crockford[(digest[index] as number) % 32];
  return `${entryId.slice(0, 10)}${random}`;
}

/** The history entry a change leaves, for changes that move onHand (and every adjustment). */
export function historyRecordOf(productId: string, change: LedgerChange): AdjustmentRecord | undefined {
  const { entry, before, after } = change;
  if (entry.onHandDelta === 0 && entry.kind !== 'adjustment') return undefined;
  const reservationId = entry.kind === 'reservation.committed' ? entry.reservations?.[0]?.id : undefined;
  return {
    id: entry.id,
    productId,
    quantity: entry.onHandDelta,
    reason: entry.reason ?? 'sale',
    ...(entry.note ? { note: entry.note } : {}),
    ...(entry.reference ? { reference: entry.reference } : {}),
    ...(reservationId ? { reservationId } : {}),
    onHandBefore: before.onHand,
    onHandAfter: after.onHand,
    version: after.version,
    createdAt: entry.at,
  };
}
