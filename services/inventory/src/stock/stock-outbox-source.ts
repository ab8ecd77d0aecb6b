import type { OutboxBatch, OutboxSource } from '@shop/platform';
import type { ProductReader } from './product-reader.js';
import type { StockRepository } from './stock.repository.js';
import { eventsForChange } from './stock-events.js';
import { historyRecordOf, isLow, replayLedger } from './stock-ledger.js';
import type { StockItem } from './stock-level.js';

/**
 * A stock item's outbox as the platform's flusher reads it: each batch of ledger entries, replayed
 * from the counters last flushed, becomes history records and events (a low-stock event names the
 * product's supplier), filed in one history page before they go out. Removing the batch records
 * the counters after it and keeps the low-stock index in line.
 */
export class StockOutboxSource implements OutboxSource<StockItem> {
  // The newest item a write left per product, and the version this process last handed on: a
  // known item older than that would replay entries already out. Both hold busy products only.
  private readonly known = new Map<string, StockItem>();
  private readonly handedOn = new Map<string, number>();

  constructor(
    private readonly repository: StockRepository,
    private readonly products: ProductReader,
  ) {}

  remember(productId: string, item: StockItem): void {
    if (item.version > (this.known.get(productId)?.version ?? -1)) this.known.set(productId, item);
  }

  async nextBatch(productId: string, limit: number): Promise<OutboxBatch | undefined> {
    const observedAt = new Date().toISOString();
    const known = this.known.get(productId);
    this.known.delete(productId);
    const fresh = known && known.flushed.version >= (this.handedOn.get(productId) ?? 0) ? known : undefined;
    const item = fresh ?? (await this.repository.get(productId));
    if (!item || item.outbox.length === 0) {
      this.handedOn.delete(productId);
      return undefined;
    }
    const batch = item.outbox.slice(0, limit);
    const { changes, final } = replayLedger(item.flushed, batch);
    const firstVersion = changes[0]?.after.version;
    if (firstVersion === undefined) return undefined;
    const lowCrossing = changes.some((change) => !isLow(change.before) && isLow(change.after));
    const supplier = lowCrossing ? (await this.products.get(productId))?.supplier : undefined;
    const history = changes.flatMap((change) => historyRecordOf(productId, change) ?? []);
    const events = changes.flatMap((change) => eventsForChange(productId, change, supplier));
    await this.repository.putHistoryPage(productId, firstVersion, history, events);
    const low = isLow({ available: final.onHand - final.reserved, lowStockThreshold: final.lowStockThreshold });
    // What stays behind keeps its own age, so the relay takes it up on time if no round follows.
    const handled = {
      entries: item.storedOutbox.slice(0, batch.length),
      lengthWhenRead: item.outbox.length,
      remainingSince: item.outbox[batch.length]?.at ?? observedAt,
    };
    return {
      events,
      complete: async () => {
        // A stale item (another flusher got there first) fails the condition; the next pass reads.
        const removed = await this.repository.completeEntries(productId, handled, final, low);
        if (removed) this.handedOn.set(productId, final.version);
        return removed;
      },
    };
  }
}
