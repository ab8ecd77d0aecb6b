/** Why stock changed. `stocktake` is an absolute count; the others are deltas given by staff or sales. */
export const adjustmentReasons = ['restock', 'sale', 'return', 'correction', 'damage'] as const;
export type AdjustmentReason = (typeof adjustmentReasons)[number] | 'stocktake';

export type ReservationState = 'active' | 'committed' | 'released' | 'expired';

export interface Reservation {
  quantity: number;
  expiresAt: number;
  state: ReservationState;
  createdAt: string;
}

/** The counters a change moves, as the ledger sees them after it. */
export interface StockCounters {
  version: number;
  onHand: number;
  /** Units held by reservations not yet committed, released or swept as expired. */
  reserved: number;
  lowStockThreshold: number;
}

/** Product facts a sale's event carries, read from the product when the sale is recorded. */
export interface SaleContext {
  priceMinor: number;
  currency: string;
  category: string;
}

/**
 * One change as recorded in the stock item's outbox, in commit order. Every change of a stock item
 * appends exactly one entry and increments `version` by one, which is what lets the flusher derive
 * each change's before/after from the last flushed state.
 */
export interface LedgerEntry {
  id: string;
  kind:
    | 'adjustment'
    | 'threshold'
    | 'reservation.created'
    | 'reservation.committed'
    | 'reservation.released'
    | 'reservations.expired';
  at: string;
  onHandDelta: number;
  reservedDelta: number;
  reason?: AdjustmentReason;
  note?: string;
  reference?: string;
  threshold?: number;
  reservations?: Array<{ id: string; quantity: number; expiresAt?: number }>;
  sale?: SaleContext;
  traceId?: string;
}

/** The stored stock item, as the repository reads it. */
export interface StockItem extends StockCounters {
  productId: string;
  /** onHand minus every reservation still counted (the condition writes test against). */
  available: number;
  reservations: Record<string, Reservation>;
  outbox: LedgerEntry[];
  /** The outbox entries as stored (JSON strings), which a flusher removes exactly as it read them. */
  storedOutbox: readonly string[];
  flushed: StockCounters;
  updatedAt: string;
  /** Set when catalog deleted the product; the item takes no more changes. */
  productDeleted?: boolean;
}

/** An adjustment history entry: one change of onHand, with the count before and after it. */
export interface AdjustmentRecord {
  id: string;
  productId: string;
  quantity: number;
  reason: string;
  note?: string;
  reference?: string;
  reservationId?: string;
  onHandBefore: number;
  onHandAfter: number;
  /** The stock item's version after this change; history is ordered by it. */
  version: number;
  createdAt: string;
}

/** What clients see. */
export interface StockView {
  productId: string;
  onHand: number;
  reserved: number;
  available: number;
  lowStockThreshold: number;
  version: number;
  updatedAt: string | null;
}

export const defaultLowStockThreshold = 5;

/** Units held by reservations that are active and not yet past their expiry. */
export function liveReserved(reservations: Record<string, Reservation>, now: number): number {
  let total = 0;
  for (const reservation of Object.values(reservations)) {
    if (reservation.state === 'active' && reservation.expiresAt > now) total += reservation.quantity;
  }
  return total;
}

/** Active reservations past their expiry that no write has swept yet. */
export function expiredReservationIds(reservations: Record<string, Reservation>, now: number): string[] {
  return Object.entries(reservations)
    .filter(([, reservation]) => reservation.state === 'active' && reservation.expiresAt <= now)
    .map(([id]) => id);
}

/** The view of a stock item; an expired reservation stops counting at once, swept or not. */
export function toStockView(productId: string, item: StockItem | undefined, now: number): StockView {
  if (!item) {
    return {
      productId,
      onHand: 0,
      reserved: 0,
      available: 0,
      lowStockThreshold: defaultLowStockThreshold,
      version: 0,
      updatedAt: null,
    };
  }
  const reserved = liveReserved(item.reservations, now);
  return {
    productId,
    onHand: item.onHand,
    reserved,
    available: item.onHand - reserved,
    lowStockThreshold: item.lowStockThreshold,
    version: item.version,
    updatedAt: item.updatedAt,
  };
}

/**
 * A change's condition failed for a reason its caller must judge from the item as it is (too
 * little stock, another version, a reservation's state); a full outbox or a deleted product is not one.
 */
export class StockChangeRefused extends Error {
  constructor(readonly item: StockItem) {
    super(`stock change refused for ${item.productId}`);
    this.name = 'StockChangeRefused';
  }
}
