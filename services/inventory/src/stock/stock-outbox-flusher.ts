import { type EventPublisher, KeyedRounds, type Logger, type Supplier } from '@shop/platform';
import type { StockRepository } from './stock.repository.js';
import { eventsForChange } from './stock-events.js';
import { historyRecordOf, isLow, replayLedger } from './stock-ledger.js';
import type { StockItem } from './stock-level.js';

export interface StockOutboxFlusherOptions {
  repository: StockRepository;
  publisher: EventPublisher;
  logger: Logger;
  /** Entries handled per round; bounded by the size of one UpdateItem expression. */
  batchSize?: number;
  /** Supplier lookup for low-stock events (the product's supplier). */
  supplierOf: (productId: string) => Promise<Supplier | undefined>;
}

/**
 * Turns a stock item's outbox into history entries and events, in commit order, then removes the
 * handled entries. Runs per product, coalesced: callers arriving while a round runs share the next
 * round, so a hot product is flushed in batches rather than once per write. Everything it writes is
 * derived from the outbox and idempotent, so a crash at any point only repeats work.
 */
export class StockOutboxFlusher {
  private readonly rounds = new KeyedRounds((productId) => this.run(productId));
  private readonly batchSize: number;
  private readonly known = new Map<string, StockItem>();
  private readonly handedOn = new Map<string, number>();

  constructor(private readonly options: StockOutboxFlusherOptions) {
    this.batchSize = options.batchSize ?? 200;
  }

  /**
   * Resolves after a flush of the product that began after this call. `known` is the item as a
   * write just left it; the next round starts from the newest such item instead of reading it.
   */
  /** Resolves once no flush is running or queued. */
  idle(): Promise<void> {
    return this.rounds.idle();
  }

  flush(productId: string, known?: StockItem): Promise<void> {
    if (known && known.version > (this.known.get(productId)?.version ?? -1)) this.known.set(productId, known);
    return this.rounds.run(productId);
  }

  private async run(productId: string): Promise<void> {
    for (;;) {
      // A known item older than what this flusher already handed on would replay those entries.
      const observedAt = new Date().toISOString();
      const known = this.known.get(productId);
      this.known.delete(productId);
      const fresh = known && known.flushed.version >= (this.handedOn.get(productId) ?? 0) ? known : undefined;
      const item = fresh ?? (await this.options.repository.get(productId));
      if (!item || item.outbox.length === 0) {
        // Nothing pending: forget the product (the maps stay as small as the set of busy products).
        this.handedOn.delete(productId);
        return;
      }
      const batch = item.outbox.slice(0, this.batchSize);
      const { changes, final } = replayLedger(item.flushed, batch);
      const lowCrossing = changes.some((change) => !isLow(change.before) && isLow(change.after));
      const supplier = lowCrossing ? await this.options.supplierOf(productId) : undefined;
      const history = changes.flatMap((change) => historyRecordOf(productId, change) ?? []);
      const events = changes.flatMap((change) => eventsForChange(productId, change, supplier));
      const first = batch[0];
      const firstVersion = changes[0]?.after.version;
      if (!first || firstVersion === undefined) return;
      await this.options.repository.putHistoryPage(productId, firstVersion, history, events);
      await this.options.publisher.publish(events);
      const low = isLow({ available: final.onHand - final.reserved, lowStockThreshold: final.lowStockThreshold });
      // A stale item (another flusher got there first) fails the condition; the next pass reads.
      const length = item.outbox.length;
      // What stays behind keeps its own age, so the relay takes it up on time if no round follows.
      const remainingSince = item.outbox[batch.length]?.at ?? observedAt;
      const done = { count: batch.length, lengthWhenRead: length, remainingSince };
      if (await this.options.repository.completeEntries(productId, first, done, final, low)) {
        this.handedOn.set(productId, final.version);
      }
    }
  }
}
