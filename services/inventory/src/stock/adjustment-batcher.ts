import type { LedgerEntry, StockItem } from './stock-level.js';

/** What one adjustment learns from the commit that carried it. */
export interface CommittedAdjustment {
  item: StockItem;
  version: number;
  onHandAfter: number;
}

export interface AdjustmentBatcherOptions {
  /** Commits several adjustments as one conditional write; rejects when they do not fit together. */
  commitGroup: (productId: string, entries: LedgerEntry[]) => Promise<StockItem>;
  /** Commits one adjustment on its own, with its own answer (e.g. 409 naming what is available). */
  commitOne: (productId: string, entry: LedgerEntry) => Promise<StockItem>;
  maxGroupSize?: number;
}

interface Waiting {
  entry: LedgerEntry;
  resolve: (result: CommittedAdjustment) => void;
  reject: (error: unknown) => void;
}

// Restocks go before takes: any order is a valid serialization of concurrent requests, and this
// one never dips below zero where a request-by-request order would not.
const restocksFirst = (a: Waiting, b: Waiting) => Number(a.entry.onHandDelta < 0) - Number(b.entry.onHandDelta < 0);

/**
 * Group commit for a busy product: while one write of the product's stock item is in flight,
 * adjustments that arrive wait and then go together as one conditional UpdateItem with one entry
 * (and one version) each. If the group does not fit (not enough stock for all), each adjustment is
 * retried alone and gets its own answer, so no request is refused for another's sake.
 */
export class AdjustmentBatcher {
  private readonly waiting = new Map<string, Waiting[]>();
  private readonly busy = new Set<string>();
  private readonly maxGroupSize: number;

  constructor(private readonly options: AdjustmentBatcherOptions) {
    this.maxGroupSize = options.maxGroupSize ?? 25;
  }

  submit(productId: string, entry: LedgerEntry): Promise<CommittedAdjustment> {
    return new Promise((resolve, reject) => {
      const queue = this.waiting.get(productId) ?? [];
      queue.push({ entry, resolve, reject });
      this.waiting.set(productId, queue);
      if (!this.busy.has(productId)) void this.drain(productId);
    });
  }

  private async drain(productId: string): Promise<void> {
    this.busy.add(productId);
    try {
      for (;;) {
        const queue = this.waiting.get(productId) ?? [];
        if (queue.length === 0) break;
        const group = queue.splice(0, this.maxGroupSize).sort(restocksFirst);
        if (queue.length === 0) this.waiting.delete(productId);
        await this.commit(productId, group);
      }
    } finally {
      this.busy.delete(productId);
    }
  }

  private async commit(productId: string, group: Waiting[]): Promise<void> {
    if (group.length > 1) {
      try {
        const item = await this.options.commitGroup(
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
      } catch {
        // Fall through: each adjustment on its own.
      }
    }
    for (const waiting of group) {
      try {
        const item = await this.options.commitOne(productId, waiting.entry);
        waiting.resolve({ item, version: item.version, onHandAfter: item.onHand });
      } catch (error) {
        waiting.reject(error);
      }
    }
  }
}
