import {
  ConflictError,
  currentTraceHeader,
  type Logger,
  NotFoundError,
  newId,
  type OutboxFlusher,
  PreconditionFailedError,
  ServiceUnavailableError,
} from '@shop/platform';
import type { GroupCommits } from './adjustment-batcher.js';
import type { ProductReader } from './product-reader.js';
import type { StockChange, StockRepository } from './stock.repository.js';
import {
  type AdjustmentReason,
  expiredReservationIds,
  type LedgerEntry,
  StockChangeRefused,
  type StockItem,
  toStockView,
} from './stock-level.js';

export interface StockWriterDeps {
  repository: StockRepository;
  products: ProductReader;
  flusher: OutboxFlusher<StockItem>;
  logger: Logger;
  now?: () => Date;
}

const productNotFound = () => new NotFoundError('Product not found');

/**
 * How a stock change is written: one conditional write on the product's stock item, and, when its
 * condition fails, one read that tells why (no item yet, a deleted product, a full outbox, or a
 * conflict for the caller to judge). The service and the adjustment batcher both write through it.
 */
export class StockWriter implements GroupCommits {
  private readonly now: () => Date;

  constructor(private readonly deps: StockWriterDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Commits adjustments as one write; a StockChangeRefused when they do not fit together. */
  commitGroup(productId: string, entries: LedgerEntry[]): Promise<StockItem> {
    return this.apply(productId, this.adjustmentChange(entries));
  }

  /** Commits one adjustment, with its own answer (a 409 naming what is available). */
  commitOne(productId: string, entry: LedgerEntry): Promise<StockItem> {
    return this.changeNeedingStock(productId, this.adjustmentChange([entry]));
  }

  // Adjustments committed together move onHand by their sum and need that much when it is a take.
  private adjustmentChange(entries: LedgerEntry[]): StockChange {
    const onHandDelta = entries.reduce((sum, entry) => sum + entry.onHandDelta, 0);
    return {
      entries,
      onHandDelta,
      reservedDelta: 0,
      ...(onHandDelta < 0 ? { requireAvailable: -onHandDelta } : {}),
    };
  }

  // The stock item of a product that exists, created at zero on first use.
  async ensureItem(productId: string): Promise<StockItem> {
    const item = await this.liveItem(productId);
    if (item) return item;
    const product = await this.deps.products.get(productId);
    if (!product) throw productNotFound();
    await this.deps.repository.create(productId, this.now());
    const created = await this.liveItem(productId);
    if (!created) throw productNotFound();
    return created;
  }

  async liveItem(productId: string): Promise<StockItem | undefined> {
    const item = await this.deps.repository.get(productId);
    if (item?.productDeleted) throw productNotFound();
    if (!item && !(await this.deps.products.get(productId))) throw productNotFound();
    return item;
  }

  // One conditional write. When it fails, one read tells why: no stock item yet (created, then the
  // write is tried again), a deleted product (404), a full outbox (503); anything else is the
  // caller's to judge from the item.
  async apply(productId: string, change: StockChange): Promise<StockItem> {
    for (let attempt = 0; ; attempt += 1) {
      const applied = await this.deps.repository.apply(productId, change, this.now());
      if (applied) return applied;
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
      if (this.deps.repository.outboxFull(item)) {
        this.flushSoon(productId);
        throw new ServiceUnavailableError('Stock changes are waiting to be published; retry shortly', 2);
      }
      throw new StockChangeRefused(item);
    }
  }

  async applyOrPreconditionFailed(productId: string, change: StockChange): Promise<StockItem> {
    try {
      return await this.apply(productId, change);
    } catch (error) {
      if (error instanceof StockChangeRefused) throw new PreconditionFailedError();
      throw error;
    }
  }

  // A change that takes stock: when there is too little, expired reservations are swept and the
  // change is tried again; otherwise 409 names what is available.
  async changeNeedingStock(productId: string, change: StockChange): Promise<StockItem> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.apply(productId, change);
      } catch (error) {
        if (!(error instanceof StockChangeRefused)) throw error;
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
      });
    } catch (error) {
      // Someone else settled one of them first; the caller reads again.
      if (!(error instanceof StockChangeRefused)) throw error;
    }
    return true;
  }

  // The change is committed with its entry in the outbox; history and events follow in the
  // background (coalesced per product), and the history listing shows pending entries meanwhile.
  flushSoon(productId: string, known?: StockItem): void {
    this.deps.flusher.flush(productId, known).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, productId }, 'stock changes not flushed yet; they stay in the outbox');
    });
  }

  entry(
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
