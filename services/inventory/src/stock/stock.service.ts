import {
  assertIfMatch,
  ConflictError,
  currentTraceHeader,
  type Logger,
  NotFoundError,
  newId,
  PreconditionFailedError,
  type ProductRecord,
  ServiceUnavailableError,
} from '@shop/platform';
import { AdjustmentBatcher } from './adjustment-batcher.js';
import type { ProductReader } from './product-reader.js';
import { type StockChange, StockConditionError, type StockRepository } from './stock.repository.js';
import { historyRecordOf, replayLedger } from './stock-ledger.js';
import {
  type AdjustmentReason,
  type AdjustmentRecord,
  type adjustmentReasons,
  expiredReservationIds,
  type LedgerEntry,
  liveReserved,
  type Reservation,
  type SaleContext,
  type StockItem,
  type StockView,
  toStockView,
} from './stock-level.js';
import type { StockOutboxFlusher } from './stock-outbox-flusher.js';

export interface StockServiceDeps {
  repository: StockRepository;
  products: ProductReader;
  flusher: StockOutboxFlusher;
  logger: Logger;
  /** Most changes a stock item may hold unpublished before writes are refused with 503. */
  maxOutbox?: number;
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

export type IfMatch = 'any' | number[] | undefined;

/** A change's condition failed for a reason the caller must judge (stock, version, reservation state). */
class StockConflict extends Error {
  constructor(readonly item: StockItem) {
    super('stock condition failed');
    this.name = 'StockConflict';
  }
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
  private readonly maxOutbox: number;
  private readonly now: () => Date;
  private readonly batcher: AdjustmentBatcher;

  constructor(private readonly deps: StockServiceDeps) {
    this.maxOutbox = deps.maxOutbox ?? 500;
    this.now = deps.now ?? (() => new Date());
    this.batcher = new AdjustmentBatcher({
      commitGroup: (productId, entries) => this.apply(productId, this.adjustmentChange(entries)),
      commitOne: (productId, entry) => this.changeNeedingStock(productId, this.adjustmentChange([entry])),
    });
  }

  // Adjustments committed together move onHand by their sum and need that much when it is a take.
  private adjustmentChange(entries: LedgerEntry[]): StockChange {
    const onHandDelta = entries.reduce((sum, entry) => sum + entry.onHandDelta, 0);
    return {
      entries,
      onHandDelta,
      reservedDelta: 0,
      ...(onHandDelta < 0 ? { requireAvailable: -onHandDelta } : {}),
      maxOutbox: this.maxOutbox,
    };
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
    const item = await this.liveItem(productId);
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
    const entry = this.entry(adjustmentId, 'adjustment', input.quantity, 0, {
      reason: input.reason,
      ...(input.note ? { note: input.note } : {}),
      ...(input.reference ? { reference: input.reference } : {}),
      ...(product ? { sale: saleContext(product) } : {}),
    });
    const { item, version, onHandAfter } = await this.batcher.submit(productId, entry);
    this.flushSoon(productId, item);
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
    const current = await this.ensureItem(productId);
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
    const entry = this.entry(newId(), 'adjustment', delta, 0, { reason: 'stocktake', ...(note ? { note } : {}) });
    const item = await this.applyOrPreconditionFailed(productId, {
      entries: [
        ...(released.length > 0
          ? [this.entry(newId(), 'reservations.expired', 0, -releasedTotal, { reservations: released })]
          : []),
        entry,
      ],
      onHandDelta: delta,
      reservedDelta: -releasedTotal,
      ...(expired.length > 0 ? { expireReservations: expired } : {}),
      expectedVersion: current.version,
      maxOutbox: this.maxOutbox,
    });
    this.flushSoon(productId);
    return toStockView(productId, item, this.now().getTime());
  }

  async setThreshold(productId: string, lowStockThreshold: number, ifMatch: IfMatch): Promise<StockView> {
    const current = await this.ensureItem(productId);
    const specific = ifMatch !== undefined && ifMatch !== 'any';
    if (specific) assertIfMatch(ifMatch, current.version);
    const entry = this.entry(newId(), 'threshold', 0, 0, { threshold: lowStockThreshold });
    const change: StockChange = {
      entries: [entry],
      onHandDelta: 0,
      reservedDelta: 0,
      setThreshold: lowStockThreshold,
      ...(specific ? { expectedVersion: current.version } : {}),
      maxOutbox: this.maxOutbox,
    };
    const item = await this.applyOrPreconditionFailed(productId, change);
    this.flushSoon(productId);
    return toStockView(productId, item, this.now().getTime());
  }

  async reserve(productId: string, quantity: number, ttlSeconds: number, reservationId: string = newId()) {
    const current = await this.ensureItem(productId);
    const now = this.now();
    const existing = current.reservations[reservationId];
    if (existing) return { reservation: reservationView(productId, reservationId, existing, now.getTime()) };
    const reservation: Reservation = {
      quantity,
      expiresAt: now.getTime() + ttlSeconds * 1000,
      state: 'active',
      createdAt: now.toISOString(),
    };
    const entry = this.entry(newId(), 'reservation.created', 0, quantity, {
      reservations: [{ id: reservationId, quantity, expiresAt: reservation.expiresAt }],
    });
    const item = await this.changeNeedingStock(productId, {
      entries: [entry],
      onHandDelta: 0,
      reservedDelta: quantity,
      requireAvailable: quantity,
      setReservation: { id: reservationId, value: reservation },
      maxOutbox: this.maxOutbox,
    });
    this.flushSoon(productId);
    return {
      reservation: reservationView(productId, reservationId, reservation, now.getTime()),
      stock: toStockView(productId, item, now.getTime()),
    };
  }

  /** Turns a live reservation into a sale. */
  async commitReservation(productId: string, reservationId: string) {
    const current = await this.ensureItem(productId);
    const reservation = current.reservations[reservationId];
    if (!reservation) throw reservationNotFound();
    const now = this.now();
    this.assertActive(reservation, now.getTime());
    const product = await this.deps.products.snapshot(productId);
    if (!product) throw productNotFound();
    const entry = this.entry(newId(), 'reservation.committed', -reservation.quantity, -reservation.quantity, {
      reason: 'sale',
      reservations: [{ id: reservationId, quantity: reservation.quantity }],
      sale: saleContext(product),
    });
    let item: StockItem;
    try {
      item = await this.apply(productId, {
        entries: [entry],
        onHandDelta: -reservation.quantity,
        reservedDelta: -reservation.quantity,
        updateReservationState: { id: reservationId, from: 'active', state: 'committed', unexpiredAt: now.getTime() },
        maxOutbox: this.maxOutbox,
      });
    } catch (error) {
      if (!(error instanceof StockConflict)) throw error;
      const latest = error.item.reservations[reservationId];
      if (!latest) throw reservationNotFound();
      this.assertActive(latest, this.now().getTime());
      throw new ConflictError('Reservation changed concurrently; retry');
    }
    this.flushSoon(productId);
    const committed = item.reservations[reservationId] ?? { ...reservation, state: 'committed' as const };
    return {
      reservation: reservationView(productId, reservationId, committed, now.getTime()),
      stock: toStockView(productId, item, now.getTime()),
    };
  }

  /** Releases a reservation; releasing one that already ended is a no-op. */
  async releaseReservation(productId: string, reservationId: string): Promise<void> {
    for (;;) {
      const current = await this.ensureItem(productId);
      const reservation = current.reservations[reservationId];
      if (!reservation) throw reservationNotFound();
      if (reservation.state === 'committed') throw new ConflictError('Reservation was already committed');
      if (reservation.state !== 'active') return;
      const entry = this.entry(newId(), 'reservation.released', 0, -reservation.quantity, {
        reservations: [{ id: reservationId, quantity: reservation.quantity }],
      });
      try {
        await this.apply(productId, {
          entries: [entry],
          onHandDelta: 0,
          reservedDelta: -reservation.quantity,
          updateReservationState: { id: reservationId, from: 'active', state: 'released' },
          maxOutbox: this.maxOutbox,
        });
        this.flushSoon(productId);
        return;
      } catch (error) {
        // Settled concurrently (commit, release or sweep): answer from the new state.
        if (!(error instanceof StockConflict)) throw error;
      }
    }
  }

  async getReservation(productId: string, reservationId: string): Promise<ReservationView> {
    const item = await this.liveItem(productId);
    const reservation = item?.reservations[reservationId];
    if (!reservation) throw reservationNotFound();
    return reservationView(productId, reservationId, reservation, this.now().getTime());
  }

  /**
   * Marks a product's expired reservations expired and returns their units to the stored
   * `available`. Returns false when there was nothing to sweep.
   */
  private async sweepExpired(productId: string, item: StockItem): Promise<boolean> {
    const expired = expiredReservationIds(item.reservations, this.now().getTime()).slice(0, 50);
    if (expired.length === 0) return false;
    const quantities = expired.map((id) => ({ id, quantity: item.reservations[id]?.quantity ?? 0 }));
    const total = quantities.reduce((sum, reservation) => sum + reservation.quantity, 0);
    const entry = this.entry(newId(), 'reservations.expired', 0, -total, { reservations: quantities });
    try {
      await this.apply(productId, {
        entries: [entry],
        onHandDelta: 0,
        reservedDelta: -total,
        expireReservations: expired,
        maxOutbox: this.maxOutbox,
      });
    } catch (error) {
      // Someone else settled one of them first; the caller reads again.
      if (!(error instanceof StockConflict)) throw error;
    }
    return true;
  }

  private assertActive(reservation: Reservation, now: number): void {
    if (reservation.state === 'committed') throw new ConflictError('Reservation was already committed');
    if (reservation.state === 'released') throw new ConflictError('Reservation was released');
    if (reservation.state === 'expired' || reservation.expiresAt <= now)
      throw new ConflictError('Reservation has expired');
  }

  // The stock item of a product that exists, created at zero on first use.
  private async ensureItem(productId: string): Promise<StockItem> {
    const item = await this.liveItem(productId);
    if (item) return item;
    const product = await this.deps.products.get(productId);
    if (!product) throw productNotFound();
    await this.deps.repository.create(productId, this.now());
    const created = await this.liveItem(productId);
    if (!created) throw productNotFound();
    return created;
  }

  private async liveItem(productId: string): Promise<StockItem | undefined> {
    const item = await this.deps.repository.get(productId);
    if (item?.productDeleted) throw productNotFound();
    if (!item && !(await this.deps.products.get(productId))) throw productNotFound();
    return item;
  }

  // One conditional write. When it fails, one read tells why: no stock item yet (created, then the
  // write is tried again), a deleted product (404), a full outbox (503); anything else is the
  // caller's to judge from the item.
  private async apply(productId: string, change: StockChange): Promise<StockItem> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.deps.repository.apply(productId, change, this.now());
      } catch (error) {
        if (!(error instanceof StockConditionError)) throw error;
      }
      const item = await this.deps.repository.get(productId);
      if (item?.productDeleted) throw productNotFound();
      if (!item && attempt === 0) {
        await this.ensureItem(productId);
        continue;
      }
      if (!item) throw productNotFound();
      // An earlier send of this very write was applied and only its answer was lost.
      const firstId = change.entries[0]?.id;
      if (firstId !== undefined && item.outbox.some((entry) => entry.id === firstId)) return item;
      if (item.outbox.length >= this.maxOutbox) {
        this.flushSoon(productId);
        throw new ServiceUnavailableError('Stock changes are waiting to be published; retry shortly', 2);
      }
      throw new StockConflict(item);
    }
  }

  private async applyOrPreconditionFailed(productId: string, change: StockChange): Promise<StockItem> {
    try {
      return await this.apply(productId, change);
    } catch (error) {
      if (error instanceof StockConflict) throw new PreconditionFailedError();
      throw error;
    }
  }

  // A change that takes stock: when there is too little, expired reservations are swept and the
  // change is tried again; otherwise 409 names what is available.
  private async changeNeedingStock(productId: string, change: StockChange): Promise<StockItem> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.apply(productId, change);
      } catch (error) {
        if (!(error instanceof StockConflict)) throw error;
        if (attempt < 3 && (await this.sweepExpired(productId, error.item))) continue;
        // Enough stock after all: the write lost to something passing (a full outbox that a
        // flush emptied meanwhile), so it is tried again rather than refused.
        if (attempt < 5 && error.item.available >= (change.requireAvailable ?? 0)) continue;
        const view = toStockView(productId, error.item, this.now().getTime());
        throw new ConflictError(
          `Not enough stock: ${view.available} available, ${change.requireAvailable ?? 0} requested`,
          { extensions: { available: view.available } },
        );
      }
    }
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

  // The change is committed with its entry in the outbox; history and events follow in the
  // background (coalesced per product), and the history listing shows pending entries meanwhile.
  private flushSoon(productId: string, known?: StockItem): void {
    this.deps.flusher.flush(productId, known).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, productId }, 'stock changes not flushed yet; they stay in the outbox');
    });
  }

  private entry(
    id: string,
    kind: LedgerEntry['kind'],
    onHandDelta: number,
    reservedDelta: number,
    extra: Partial<LedgerEntry> & { reason?: AdjustmentReason },
  ): LedgerEntry {
    const traceId = currentTraceHeader();
    return {
      id,
      kind,
      at: this.now().toISOString(),
      onHandDelta,
      reservedDelta,
      ...(traceId ? { traceId } : {}),
      ...extra,
    };
  }
}
