import {
  assertIfMatch,
  ConflictError,
  type Logger,
  NotFoundError,
  PreconditionFailedError,
  type ProductRecord,
  ServiceUnavailableError,
} from '@shop/platform';
import { ulid } from 'ulid';
import type { ProductReader } from './product-reader.js';
import { type StockChange, StockConditionError, type StockRepository } from './stock.repository.js';
import { historyRecordOf, replayLedger } from './stock-ledger.js';
import {
  type AdjustmentReason,
  type AdjustmentRecord,
  type adjustmentReasons,
  expiredReservationIds,
  type LedgerEntry,
  type Reservation,
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

/** Inventory use cases: stock levels, adjustments, stocktakes, thresholds, reservations. */
export class StockService {
  private readonly maxOutbox: number;
  private readonly now: () => Date;

  constructor(private readonly deps: StockServiceDeps) {
    this.maxOutbox = deps.maxOutbox ?? 500;
    this.now = deps.now ?? (() => new Date());
  }

  private async requireProduct(productId: string): Promise<ProductRecord> {
    const product = await this.deps.products.get(productId);
    if (!product) throw productNotFound();
    return product;
  }

  async get(productId: string): Promise<StockView> {
    const [product, item] = await Promise.all([this.deps.products.get(productId), this.deps.repository.get(productId)]);
    if (!product) throw productNotFound();
    return toStockView(productId, item, this.now().getTime());
  }

  async list(which: 'all' | 'low', limit: number, afterProductId?: string) {
    const { items, hasMore } = await this.deps.repository.listStock(which, limit, afterProductId);
    const now = this.now().getTime();
    // Stock of products deleted in catalog stays in the table but is not listed. The low-stock
    // index is kept by the flusher a moment after each change, so its hits are checked live.
    const exists = await Promise.all(items.map((item) => this.deps.products.get(item.productId)));
    const views = items.map((item) => toStockView(item.productId, item, now));
    return {
      items: views.filter(
        (view, index) => exists[index] && (which === 'all' || view.available <= view.lowStockThreshold),
      ),
      last: items.at(-1)?.productId,
      hasMore,
    };
  }

  /**
   * History, newest first, in commit order; `beforeVersion` continues a page. Changes still in the
   * outbox are listed from it, so a change is in the history as soon as it is committed.
   */
  async history(productId: string, limit: number, beforeVersion = Number.MAX_SAFE_INTEGER) {
    const [, item] = await Promise.all([this.requireProduct(productId), this.deps.repository.get(productId)]);
    const pending = item ? this.pendingHistory(productId, item) : [];
    const newer = pending.filter((record) => record.version < beforeVersion).reverse();
    const storedBefore = Math.min(beforeVersion, (item?.flushed.version ?? 0) + 1);
    const stored = await this.deps.repository.listAdjustments(productId, limit + 1 - newer.length, storedBefore);
    const seen = new Set(newer.map((record) => record.id));
    const items = [...newer, ...stored.filter((record) => !seen.has(record.id))];
    return { items: items.slice(0, limit), hasMore: items.length > limit };
  }

  private pendingHistory(productId: string, item: StockItem): AdjustmentRecord[] {
    return replayLedger(item.flushed, item.outbox).changes.flatMap(
      (change) => historyRecordOf(productId, change) ?? [],
    );
  }

  /** Records a delta. `adjustmentId` is the id an idempotent request reserved, if any. */
  async adjust(
    productId: string,
    input: AdjustmentInput,
    adjustmentId: string = ulid(),
    retried = false,
  ): Promise<{ adjustment: AdjustmentRecord; stock: StockView }> {
    const product = await this.requireProduct(productId);
    if (retried) {
      const applied = await this.findApplied(productId, adjustmentId);
      if (applied) return applied;
    }
    const entry = this.entry(adjustmentId, 'adjustment', input.quantity, 0, {
      reason: input.reason,
      ...(input.note ? { note: input.note } : {}),
      ...(input.reference ? { reference: input.reference } : {}),
      ...(input.reason === 'sale'
        ? { sale: { priceMinor: product.priceMinor, currency: product.currency, category: product.category } }
        : {}),
    });
    const item = await this.change(productId, {
      entry,
      onHandDelta: input.quantity,
      reservedDelta: 0,
      ...(input.quantity < 0 ? { requireAvailable: -input.quantity } : {}),
      maxOutbox: this.maxOutbox,
    });
    this.settle(productId);
    const view = toStockView(productId, item, this.now().getTime());
    return {
      adjustment: {
        id: adjustmentId,
        productId,
        quantity: input.quantity,
        reason: input.reason,
        ...(input.note ? { note: input.note } : {}),
        ...(input.reference ? { reference: input.reference } : {}),
        onHandBefore: item.onHand - input.quantity,
        onHandAfter: item.onHand,
        version: item.version,
        createdAt: entry.at,
      },
      stock: view,
    };
  }

  /** Sets an absolute count after a stocktake; needs the version the count was taken against. */
  async stocktake(productId: string, onHand: number, ifMatch: 'any' | number[], note?: string): Promise<StockView> {
    await this.requireProduct(productId);
    const current = await this.deps.repository.get(productId);
    const version = current?.version ?? 0;
    assertIfMatch(ifMatch, version);
    const counted = current?.reserved ?? 0;
    if (onHand < counted) {
      throw new ConflictError(`onHand ${onHand} is below the ${counted} units held by reservations`, {
        extensions: { reserved: counted },
      });
    }
    const delta = onHand - (current?.onHand ?? 0);
    const entry = this.entry(ulid(), 'adjustment', delta, 0, { reason: 'stocktake', ...(note ? { note } : {}) });
    let item: StockItem;
    try {
      item = await this.deps.repository.apply(
        productId,
        { entry, onHandDelta: delta, reservedDelta: 0, expectedVersion: version, maxOutbox: this.maxOutbox },
        this.now(),
      );
    } catch (error) {
      if (error instanceof StockConditionError) {
        await this.raiseFullOutbox(productId);
        throw new PreconditionFailedError();
      }
      throw error;
    }
    this.settle(productId);
    return toStockView(productId, item, this.now().getTime());
  }

  async setThreshold(productId: string, lowStockThreshold: number, ifMatch: IfMatch): Promise<StockView> {
    await this.requireProduct(productId);
    const specific = ifMatch !== undefined && ifMatch !== 'any';
    let expectedVersion: number | undefined;
    if (specific) {
      const current = await this.deps.repository.get(productId);
      expectedVersion = current?.version ?? 0;
      assertIfMatch(ifMatch, expectedVersion);
    }
    const entry = this.entry(ulid(), 'threshold', 0, 0, { threshold: lowStockThreshold });
    let item: StockItem;
    try {
      item = await this.deps.repository.apply(
        productId,
        {
          entry,
          onHandDelta: 0,
          reservedDelta: 0,
          setThreshold: lowStockThreshold,
          ...(expectedVersion !== undefined ? { expectedVersion } : {}),
          maxOutbox: this.maxOutbox,
        },
        this.now(),
      );
    } catch (error) {
      if (error instanceof StockConditionError) {
        await this.raiseFullOutbox(productId);
        throw new PreconditionFailedError();
      }
      throw error;
    }
    this.settle(productId);
    return toStockView(productId, item, this.now().getTime());
  }

  async reserve(productId: string, quantity: number, ttlSeconds: number, reservationId: string = ulid()) {
    await this.requireProduct(productId);
    const now = this.now();
    const reservation: Reservation = {
      quantity,
      expiresAt: now.getTime() + ttlSeconds * 1000,
      state: 'active',
      createdAt: now.toISOString(),
    };
    const existing = (await this.deps.repository.get(productId))?.reservations[reservationId];
    if (existing) return { reservation: reservationView(productId, reservationId, existing, now.getTime()) };
    const entry = this.entry(ulid(), 'reservation.created', 0, quantity, {
      reservations: [{ id: reservationId, quantity, expiresAt: reservation.expiresAt }],
    });
    const item = await this.change(productId, {
      entry,
      onHandDelta: 0,
      reservedDelta: quantity,
      requireAvailable: quantity,
      setReservation: { id: reservationId, value: reservation },
      maxOutbox: this.maxOutbox,
    });
    this.settle(productId);
    return {
      reservation: reservationView(productId, reservationId, reservation, now.getTime()),
      stock: toStockView(productId, item, now.getTime()),
    };
  }

  /** Turns a live reservation into a sale. */
  async commitReservation(productId: string, reservationId: string) {
    const product = await this.requireProduct(productId);
    const current = await this.deps.repository.get(productId);
    const reservation = current?.reservations[reservationId];
    if (!reservation) throw reservationNotFound();
    const now = this.now();
    this.assertActive(reservation, now.getTime());
    const entry = this.entry(ulid(), 'reservation.committed', -reservation.quantity, -reservation.quantity, {
      reason: 'sale',
      reservations: [{ id: reservationId, quantity: reservation.quantity }],
      sale: { priceMinor: product.priceMinor, currency: product.currency, category: product.category },
    });
    let item: StockItem;
    try {
      item = await this.deps.repository.apply(
        productId,
        {
          entry,
          onHandDelta: -reservation.quantity,
          reservedDelta: -reservation.quantity,
          updateReservationState: { id: reservationId, from: 'active', state: 'committed', unexpiredAt: now.getTime() },
          maxOutbox: this.maxOutbox,
        },
        now,
      );
    } catch (error) {
      if (!(error instanceof StockConditionError)) throw error;
      await this.raiseFullOutbox(productId);
      const latest = (await this.deps.repository.get(productId))?.reservations[reservationId];
      if (!latest) throw reservationNotFound();
      this.assertActive(latest, this.now().getTime());
      throw error;
    }
    this.settle(productId);
    const committed = item.reservations[reservationId] ?? { ...reservation, state: 'committed' as const };
    return {
      reservation: reservationView(productId, reservationId, committed, now.getTime()),
      stock: toStockView(productId, item, now.getTime()),
    };
  }

  /** Releases a reservation; releasing one that is already gone is a no-op. */
  async releaseReservation(productId: string, reservationId: string): Promise<void> {
    await this.requireProduct(productId);
    const current = await this.deps.repository.get(productId);
    const reservation = current?.reservations[reservationId];
    if (!reservation) throw reservationNotFound();
    if (reservation.state === 'committed') throw new ConflictError('Reservation was already committed');
    if (reservation.state !== 'active') return;
    const entry = this.entry(ulid(), 'reservation.released', 0, -reservation.quantity, {
      reservations: [{ id: reservationId, quantity: reservation.quantity }],
    });
    try {
      await this.deps.repository.apply(
        productId,
        {
          entry,
          onHandDelta: 0,
          reservedDelta: -reservation.quantity,
          updateReservationState: { id: reservationId, from: 'active', state: 'released' },
          maxOutbox: this.maxOutbox,
        },
        this.now(),
      );
    } catch (error) {
      if (!(error instanceof StockConditionError)) throw error;
      await this.raiseFullOutbox(productId);
      // Settled by a concurrent commit, release or sweep: release once more to answer from that state.
      return this.releaseReservation(productId, reservationId);
    }
    this.settle(productId);
  }

  async getReservation(productId: string, reservationId: string): Promise<ReservationView> {
    await this.requireProduct(productId);
    const reservation = (await this.deps.repository.get(productId))?.reservations[reservationId];
    if (!reservation) throw reservationNotFound();
    return reservationView(productId, reservationId, reservation, this.now().getTime());
  }

  /**
   * Marks every expired reservation of a product expired and returns its units to `available`.
   * Returns false when there was nothing to sweep.
   */
  async sweepExpired(productId: string, known?: StockItem): Promise<boolean> {
    const item = known ?? (await this.deps.repository.get(productId));
    if (!item) return false;
    const expired = expiredReservationIds(item.reservations, this.now().getTime()).slice(0, 50);
    if (expired.length === 0) return false;
    const quantities = expired.map((id) => ({ id, quantity: item.reservations[id]?.quantity ?? 0 }));
    const total = quantities.reduce((sum, reservation) => sum + reservation.quantity, 0);
    const entry = this.entry(ulid(), 'reservations.expired', 0, -total, { reservations: quantities });
    try {
      await this.deps.repository.apply(
        productId,
        { entry, onHandDelta: 0, reservedDelta: -total, expireReservations: expired, maxOutbox: this.maxOutbox },
        this.now(),
      );
    } catch (error) {
      if (!(error instanceof StockConditionError)) throw error;
      // Someone else settled one of them first; the caller re-reads.
    }
    return true;
  }

  private assertActive(reservation: Reservation, now: number): void {
    if (reservation.state === 'committed') throw new ConflictError('Reservation was already committed');
    if (reservation.state === 'released') throw new ConflictError('Reservation was released');
    if (reservation.state === 'expired' || reservation.expiresAt <= now)
      throw new ConflictError('Reservation has expired');
  }

  // Applies a change that needs stock: when the condition fails, one read tells why: a full
  // outbox (503), expired reservations to sweep (then the change is tried again), or too little
  // stock (409 naming what is available).
  private async change(productId: string, change: StockChange): Promise<StockItem> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.deps.repository.apply(productId, change, this.now());
      } catch (error) {
        if (!(error instanceof StockConditionError)) throw error;
      }
      const item = await this.deps.repository.get(productId);
      this.assertOutboxRoom(productId, item);
      if (attempt < 3 && item && (await this.sweepExpired(productId, item))) continue;
      const view = toStockView(productId, item, this.now().getTime());
      throw new ConflictError(
        `Not enough stock: ${view.available} available, ${change.requireAvailable ?? 0} requested`,
        { extensions: { available: view.available } },
      );
    }
  }

  private async raiseFullOutbox(productId: string): Promise<void> {
    this.assertOutboxRoom(productId, await this.deps.repository.get(productId));
  }

  private assertOutboxRoom(productId: string, item: StockItem | undefined): void {
    if (item && item.outbox.length >= this.maxOutbox) {
      void this.deps.flusher.flush(productId).catch(() => {});
      throw new ServiceUnavailableError('Stock changes are waiting to be published; retry shortly', 2);
    }
  }

  // An adjustment is applied when its entry is in the outbox or its history is stored; the item is
  // read first because a flusher stores history before it removes the entry.
  private async findApplied(productId: string, adjustmentId: string) {
    const item = await this.deps.repository.get(productId);
    const record =
      (item ? this.pendingHistory(productId, item).find((pending) => pending.id === adjustmentId) : undefined) ??
      (await this.deps.repository.getAdjustment(productId, adjustmentId));
    if (!record) return undefined;
    return { adjustment: record, stock: toStockView(productId, item, this.now().getTime()) };
  }

  // The change is committed with its entry in the outbox; history and events follow in the
  // background (coalesced per product), and the history listing shows pending entries meanwhile.
  private settle(productId: string): void {
    this.deps.flusher.flush(productId).catch((error: unknown) => {
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
    return { id, kind, at: this.now().toISOString(), onHandDelta, reservedDelta, ...extra };
  }
}
