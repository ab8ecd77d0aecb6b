import { assertIfMatch, ConflictError, type IfMatch, NotFoundError, newId, type ProductRecord } from '@shop/platform';
import type { AdjustmentBatcher } from './adjustment-batcher.js';
import type { ProductReader } from './product-reader.js';
import type { StockChange, StockRepository } from './stock.repository.js';
import { historyRecordOf, replayLedger } from './stock-ledger.js';
import {
  type AdjustmentRecord,
  type adjustmentReasons,
  expiredReservationIds,
  liveReserved,
  type Reservation,
  type SaleContext,
  StockChangeRefused,
  type StockItem,
  type StockView,
  toStockView,
} from './stock-level.js';
import type { StockWriter } from './stock-writer.js';

export interface StockServiceDeps {
  repository: StockRepository;
  products: ProductReader;
  /** Every change goes through it; adjustments through the batcher, which writes through it too. */
  writer: StockWriter;
  batcher: AdjustmentBatcher;
  now?: () => Date;
}

export interface AdjustmentInput {
  quantity: number;
  reason: (typeof adjustmentReasons)[number];
  note?: string;
  reference?: string;
}

export interface ReservationView {
  id: string;
  productId: string;
  quantity: number;
  state: Reservation['state'];
  expiresAt: string;
  createdAt: string;
}

const productNotFound = () => new NotFoundError('Product not found');
const reservationNotFound = () => new NotFoundError('Reservation not found');

function reservationView(productId: string, id: string, reservation: Reservation, now: number): ReservationView {
  const state = reservation.state === 'active' && reservation.expiresAt <= now ? 'expired' : reservation.state;
  return {
    id,
    productId,
    quantity: reservation.quantity,
    state,
    expiresAt: new Date(reservation.expiresAt).toISOString(),
    createdAt: reservation.createdAt,
  };
}

const saleContext = (product: ProductRecord): SaleContext => ({
  priceMinor: product.priceMinor,
  currency: product.currency,
  category: product.category,
});

/**
 * Inventory use cases: stock levels, adjustments, stocktakes, thresholds, reservations. Every
 * change is one conditional write on the product's stock item; whether the product still exists
 * is part of that condition (catalog marks the stock item when it deletes the product).
 */
export class StockService {
  private readonly now: () => Date;
  private readonly writer: StockWriter;

  constructor(private readonly deps: StockServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.writer = deps.writer;
  }

  async get(productId: string): Promise<StockView> {
    const [product, item] = await Promise.all([this.deps.products.get(productId), this.deps.repository.get(productId)]);
    if (!product || item?.productDeleted) throw productNotFound();
    return toStockView(productId, item, this.now().getTime());
  }

  async list(which: 'all' | 'low', limit: number, afterProductId?: string) {
    const { items, hasMore } = await this.deps.repository.listStock(which, limit, afterProductId);
    const now = this.now().getTime();
    // The low-stock index is kept by the flusher a moment after each change, so its hits are
    // checked against the live state; stock of deleted products is not listed.
    const views = items
      .filter((item) => !item.productDeleted)
      .map((item) => toStockView(item.productId, item, now))
      .filter((view) => which === 'all' || view.available <= view.lowStockThreshold);
    return { items: views, last: items.at(-1)?.productId, hasMore };
  }

  /**
   * History, newest first, in commit order; `beforeVersion` continues a page. Changes still in the
   * outbox are listed from it, so a change is in the history as soon as it is committed.
   */
  async history(productId: string, limit: number, beforeVersion = Number.MAX_SAFE_INTEGER) {
    const item = await this.writer.liveItem(productId);
    const pending = item ? this.pendingHistory(productId, item) : [];
    const newer = pending.filter((record) => record.version < beforeVersion).reverse();
    const storedBefore = Math.min(beforeVersion, (item?.flushed.version ?? 0) + 1);
    const stored = await this.deps.repository.listHistory(productId, limit + 1 - newer.length, storedBefore);
    const seen = new Set(newer.map((record) => record.id));
    const items = [...newer, ...stored.filter((record) => !seen.has(record.id))];
    return { items: items.slice(0, limit), hasMore: items.length > limit };
  }

  /** Records a delta. `adjustmentId` is the id an idempotent request reserved, if any. */
  async adjust(
    productId: string,
    input: AdjustmentInput,
    adjustmentId: string = newId(),
    retried = false,
  ): Promise<{ adjustment: AdjustmentRecord; stock: StockView }> {
    if (retried) {
      const applied = await this.findApplied(productId, adjustmentId);
      if (applied) return applied;
    }
    const product = input.reason === 'sale' ? await this.deps.products.snapshot(productId) : undefined;
    if (input.reason === 'sale' && !product) throw productNotFound();
    const entry = this.writer.entry(adjustmentId, 'adjustment', input.quantity, 0, {
      reason: input.reason,
      ...(input.note ? { note: input.note } : {}),
      ...(input.reference ? { reference: input.reference } : {}),
      ...(product ? { sale: saleContext(product) } : {}),
    });
    const { item, version, onHandAfter } = await this.deps.batcher.submit(productId, entry);
    this.writer.flushSoon(productId, item);
    return {
      adjustment: {
        id: adjustmentId,
        productId,
        quantity: input.quantity,
        reason: input.reason,
        ...(input.note ? { note: input.note } : {}),
        ...(input.reference ? { reference: input.reference } : {}),
        onHandBefore: onHandAfter - input.quantity,
        onHandAfter,
        version,
        createdAt: entry.at,
      },
      stock: toStockView(productId, item, this.now().getTime()),
    };
  }

  /** Sets an absolute count after a stocktake; needs the version the count was taken against. */
  async stocktake(productId: string, onHand: number, ifMatch: 'any' | number[], note?: string): Promise<StockView> {
    const current = await this.writer.ensureItem(productId);
    assertIfMatch(ifMatch, current.version);
    const now = this.now().getTime();
    const reserved = liveReserved(current.reservations, now);
    if (onHand < reserved) {
      throw new ConflictError(`onHand ${onHand} is below the ${reserved} units held by reservations`, {
        extensions: { reserved },
      });
    }
    // Reservations that have expired but were not swept yet are settled in the same write, so the
    // count is checked against what the stock level shows and the stored counters stay consistent.
    const expired = expiredReservationIds(current.reservations, now);
    const released = expired.map((id) => ({ id, quantity: current.reservations[id]?.quantity ?? 0 }));
    const releasedTotal = released.reduce((sum, reservation) => sum + reservation.quantity, 0);
    const delta = onHand - current.onHand;
    const entry = this.writer.entry(newId(), 'adjustment', delta, 0, {
      reason: 'stocktake',
      ...(note ? { note } : {}),
    });
    const item = await this.writer.applyOrPreconditionFailed(productId, {
      entries: [
        ...(released.length > 0
          ? [this.writer.entry(newId(), 'reservations.expired', 0, -releasedTotal, { reservations: released })]
          : []),
        entry,
      ],
      onHandDelta: delta,
      reservedDelta: -releasedTotal,
      ...(expired.length > 0 ? { expireReservations: expired } : {}),
      expectedVersion: current.version,
    });
    this.writer.flushSoon(productId);
    return toStockView(productId, item, this.now().getTime());
  }

  async setThreshold(productId: string, lowStockThreshold: number, ifMatch: IfMatch): Promise<StockView> {
    const current = await this.writer.ensureItem(productId);
    const specific = ifMatch !== undefined && ifMatch !== 'any';
    if (specific) assertIfMatch(ifMatch, current.version);
    const entry = this.writer.entry(newId(), 'threshold', 0, 0, { threshold: lowStockThreshold });
    const change: StockChange = {
      entries: [entry],
      onHandDelta: 0,
      reservedDelta: 0,
      setThreshold: lowStockThreshold,
      ...(specific ? { expectedVersion: current.version } : {}),
    };
    const item = await this.writer.applyOrPreconditionFailed(productId, change);
    this.writer.flushSoon(productId);
    return toStockView(productId, item, this.now().getTime());
  }

  async reserve(productId: string, quantity: number, ttlSeconds: number, reservationId: string = newId()) {
    const current = await this.writer.ensureItem(productId);
    const now = this.now();
    const existing = current.reservations[reservationId];
    if (existing) return { reservation: reservationView(productId, reservationId, existing, now.getTime()) };
    const reservation: Reservation = {
      quantity,
      expiresAt: now.getTime() + ttlSeconds * 1000,
      state: 'active',
      createdAt: now.toISOString(),
    };
    const entry = this.writer.entry(newId(), 'reservation.created', 0, quantity, {
      reservations: [{ id: reservationId, quantity, expiresAt: reservation.expiresAt }],
    });
    const item = await this.writer.changeNeedingStock(productId, {
      entries: [entry],
      onHandDelta: 0,
      reservedDelta: quantity,
      requireAvailable: quantity,
      setReservation: { id: reservationId, value: reservation },
    });
    this.writer.flushSoon(productId);
    return {
      reservation: reservationView(productId, reservationId, reservation, now.getTime()),
      stock: toStockView(productId, item, now.getTime()),
    };
  }

  /** Turns a live reservation into a sale. */
  async commitReservation(productId: string, reservationId: string) {
    const current = await this.writer.ensureItem(productId);
    const reservation = current.reservations[reservationId];
    if (!reservation) throw reservationNotFound();
    const now = this.now();
    this.assertActive(reservation, now.getTime());
    const product = await this.deps.products.snapshot(productId);
    if (!product) throw productNotFound();
    const entry = this.writer.entry(newId(), 'reservation.committed', -reservation.quantity, -reservation.quantity, {
      reason: 'sale',
      reservations: [{ id: reservationId, quantity: reservation.quantity }],
      sale: saleContext(product),
    });
    let item: StockItem;
    try {
      item = await this.writer.apply(productId, {
        entries: [entry],
        onHandDelta: -reservation.quantity,
        reservedDelta: -reservation.quantity,
        updateReservationState: { id: reservationId, from: 'active', state: 'committed', unexpiredAt: now.getTime() },
      });
    } catch (error) {
      if (!(error instanceof StockChangeRefused)) throw error;
      const latest = error.item.reservations[reservationId];
      if (!latest) throw reservationNotFound();
      this.assertActive(latest, this.now().getTime());
      throw new ConflictError('Reservation changed concurrently; retry');
    }
    this.writer.flushSoon(productId);
    const committed = item.reservations[reservationId] ?? { ...reservation, state: 'committed' as const };
    return {
      reservation: reservationView(productId, reservationId, committed, now.getTime()),
      stock: toStockView(productId, item, now.getTime()),
    };
  }

  /** Releases a reservation; releasing one that already ended is a no-op. */
  async releaseReservation(productId: string, reservationId: string): Promise<void> {
    for (;;) {
      const current = await this.writer.ensureItem(productId);
      const reservation = current.reservations[reservationId];
      if (!reservation) throw reservationNotFound();
      if (reservation.state === 'committed') throw new ConflictError('Reservation was already committed');
      if (reservation.state !== 'active') return;
      const entry = this.writer.entry(newId(), 'reservation.released', 0, -reservation.quantity, {
        reservations: [{ id: reservationId, quantity: reservation.quantity }],
      });
      try {
        await this.writer.apply(productId, {
          entries: [entry],
          onHandDelta: 0,
          reservedDelta: -reservation.quantity,
          updateReservationState: { id: reservationId, from: 'active', state: 'released' },
        });
        this.writer.flushSoon(productId);
        return;
      } catch (error) {
        // Settled concurrently (commit, release or sweep): answer from the new state.
        if (!(error instanceof StockChangeRefused)) throw error;
      }
    }
  }

  async getReservation(productId: string, reservationId: string): Promise<ReservationView> {
    const item = await this.writer.liveItem(productId);
    const reservation = item?.reservations[reservationId];
    if (!reservation) throw reservationNotFound();
    return reservationView(productId, reservationId, reservation, this.now().getTime());
  }

  private assertActive(reservation: Reservation, now: number): void {
    if (reservation.state === 'committed') throw new ConflictError('Reservation was already committed');
    if (reservation.state === 'released') throw new ConflictError('Reservation was released');
    if (reservation.state === 'expired' || reservation.expiresAt <= now)
      throw new ConflictError('Reservation has expired');
  }

  private pendingHistory(productId: string, item: StockItem): AdjustmentRecord[] {
    return replayLedger(item.flushed, item.outbox).changes.flatMap(
      (change) => historyRecordOf(productId, change) ?? [],
    );
  }

  // An adjustment is applied when its entry is in the outbox or its history is stored; the item is
  // read first because a flusher stores history before it removes the entry.
  private async findApplied(productId: string, adjustmentId: string) {
    const item = await this.deps.repository.get(productId);
    const record =
      (item ? this.pendingHistory(productId, item).find((pending) => pending.id === adjustmentId) : undefined) ??
      (await this.deps.repository.findRecentAdjustment(productId, adjustmentId));
    if (!record) return undefined;
    return { adjustment: record, stock: toStockView(productId, item, this.now().getTime()) };
  }
}
