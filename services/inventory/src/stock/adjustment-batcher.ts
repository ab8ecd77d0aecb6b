import { type LedgerEntry, StockChangeRefused, type StockItem } from './stock-level.js';

/** What one adjustment learns from the commit that carried it. */
export interface CommittedAdjustment {
  item: StockItem;
  version: number;
  onHandAfter: number;
}

/** The writes a batcher commits through (the stock writer). */
export interface GroupCommits {
  /**
   * Commits several adjustments as one conditional write; rejects with a StockChangeRefused when they do
   * not fit together. Any other failure (a network error, a full outbox) is every member's answer.
   */
  commitGroup(productId: string, entries: LedgerEntry[]): Promise<StockItem>;
  /** Commits one adjustment on its own, with its own answer (e.g. 409 naming what is available). */
  commitOne(productId: string, entry: LedgerEntry): Promise<StockItem>;
}

export interface AdjustmentBatcherOptions {
  writer: GroupCommits;
  maxGroupSize?: number;
  /** Longest a write of a busy product waits for its group to fill (default 2 ms). */
  lingerMs?: number;
  /** A product whose last write ended this recently counts as busy (default 10 ms). */
  busyWindowMs?: number;
}

interface Waiting {
  entry: LedgerEntry;
  resolve: (result: CommittedAdjustment) => void;
  reject: (error: unknown) => void;
}

interface ProductQueue {
  waiting: Waiting[];
  writing: boolean;
  expectedGroupSize: number;
  lastWriteEndedAt: number;
  linger?: ReturnType<typeof setTimeout>;
}

// Restocks go before takes: any order is a valid serialization of concurrent requests, and this
// one never dips below zero where a request-by-request order would not.
const restocksFirst = (a: Waiting, b: Waiting) => Number(a.entry.onHandDelta < 0) - Number(b.entry.onHandDelta < 0);

/**
 * Group commit for a busy product: while one write of the product's stock item is in flight,
 * adjustments that arrive wait and then go together as one conditional UpdateItem with one entry
 * (and one version) each. If the group does not fit (not enough stock for all), each adjustment is
 * retried alone and gets its own answer, so no request is refused for another's sake; any other
 * failure is answered to every member once, not multiplied into a write per member.
 *
 * Writes of one item are kept to one at a time: the store serializes them anyway, and two in flight
 * measured slower. Instead, like a database's commit delay, a write of a product that was written
 * a moment ago waits up to `lingerMs` until the last group and those queued behind it are all back:
 * the clients just answered are about to send their next ones, and without the wait a small write
 * would alternate with a large one. An idle product's write goes at once.
 */
export class AdjustmentBatcher {
  private readonly products = new Map<string, ProductQueue>();
  private readonly maxGroupSize: number;
  private readonly lingerMs: number;
  private readonly busyWindowMs: number;

  constructor(private readonly options: AdjustmentBatcherOptions) {
    this.maxGroupSize = options.maxGroupSize ?? 25;
    this.lingerMs = options.lingerMs ?? 2;
    this.busyWindowMs = options.busyWindowMs ?? 10;
  }

  submit(productId: string, entry: LedgerEntry): Promise<CommittedAdjustment> {
    return new Promise((resolve, reject) => {
      let product = this.products.get(productId);
      if (!product) {
        product = { waiting: [], writing: false, expectedGroupSize: 0, lastWriteEndedAt: Number.NEGATIVE_INFINITY };
        this.products.set(productId, product);
      }
      product.waiting.push({ entry, resolve, reject });
      this.pump(productId, product);
    });
  }

  private pump(productId: string, product: ProductQueue): void {
    if (product.writing || product.waiting.length === 0) return;
    const busy = performance.now() - product.lastWriteEndedAt < this.busyWindowMs;
    const filling = Math.min(product.expectedGroupSize, this.maxGroupSize);
    if (busy && product.waiting.length < filling) {
      product.linger ??= setTimeout(() => this.write(productId, product), this.lingerMs);
      return;
    }
    this.write(productId, product);
  }

  private write(productId: string, product: ProductQueue): void {
    clearTimeout(product.linger);
    product.linger = undefined;
    if (product.writing || product.waiting.length === 0) return;
    const group = product.waiting.splice(0, this.maxGroupSize).sort(restocksFirst);
    product.writing = true;
    void this.commit(productId, group).finally(() => {
      product.writing = false;
      // Everyone in this group is about to come back, and everyone queued meanwhile is here.
      product.expectedGroupSize = group.length + product.waiting.length;
      product.lastWriteEndedAt = performance.now();
      if (product.waiting.length > 0) {
        this.pump(productId, product);
        return;
      }
      // Forget a product once it has gone quiet, so the map holds only busy products.
      setTimeout(() => {
        if (!product.writing && product.waiting.length === 0 && this.products.get(productId) === product) {
          this.products.delete(productId);
        }
      }, this.busyWindowMs).unref();
    });
  }

  private async commit(productId: string, group: Waiting[]): Promise<void> {
    if (group.length > 1) {
      try {
        const item = await this.options.writer.commitGroup(
          productId,
          group.map((waiting) => waiting.entry),
        );
        let onHandAfter = item.onHand;
        for (let index = group.length - 1; index >= 0; index -= 1) {
          const waiting = group[index] as Waiting;
          waiting.resolve({ item, version: item.version - (group.length - 1 - index), onHandAfter });
          onHandAfter -= waiting.entry.onHandDelta;
        }
        return;
      } catch (error) {
        if (!(error instanceof StockChangeRefused)) {
          for (const waiting of group) waiting.reject(error);
          return;
        }
        // Each adjustment on its own, below.
      }
    }
    for (const waiting of group) {
      try {
        const item = await this.options.writer.commitOne(productId, waiting.entry);
        waiting.resolve({ item, version: item.version, onHandAfter: item.onHand });
      } catch (error) {
        waiting.reject(error);
      }
    }
  }
}
