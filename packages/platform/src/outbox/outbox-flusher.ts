import type { CloudEvent, EventPublisher } from '../events/cloud-event.js';
import { KeyedRounds } from './keyed-rounds.js';

/** The next pending entries of one item, turned into their events and filed where replays read them. */
export interface OutboxBatch {
  events: CloudEvent[];
  /** Removes the batch's entries once its events are out; false when another flusher did first. */
  complete(): Promise<boolean>;
}

/** What a service knows of its items' outboxes: how to read a batch, derive its events and clear it. */
export interface OutboxSource<Known = never> {
  /** The item's oldest pending entries (at most `limit`), or undefined when none are pending. */
  nextBatch(productId: string, limit: number): Promise<OutboxBatch | undefined>;
  /** Takes the item as a write just left it, so the next round may start from it instead of reading. */
  remember?(productId: string, known: Known): void;
}

export interface OutboxFlusherOptions<Known> {
  source: OutboxSource<Known>;
  publisher: EventPublisher;
  /** Entries handled per round; bounded by the size of one UpdateItem expression. */
  batchSize: number;
}

/**
 * Publishes an item's pending events in commit order and then removes them, batch by batch, until
 * none are left. Coalesced per product: callers arriving while a round runs share the next one, so
 * a hot product is flushed in batches rather than once per write. A batch is filed before it is
 * published and removed after, so a crash anywhere only repeats work, with the same event ids.
 */
export class OutboxFlusher<Known = never> {
  private readonly rounds = new KeyedRounds((productId) => this.run(productId));

  constructor(private readonly options: OutboxFlusherOptions<Known>) {}

  /** Resolves after a round of the product that began after this call. */
  flush(productId: string, known?: Known): Promise<void> {
    if (known !== undefined) this.options.source.remember?.(productId, known);
    return this.rounds.run(productId);
  }

  /** Resolves once no flush is running or queued. */
  idle(): Promise<void> {
    return this.rounds.idle();
  }

  private async run(productId: string): Promise<void> {
    const { source, publisher, batchSize } = this.options;
    for (;;) {
      const batch = await source.nextBatch(productId, batchSize);
      if (!batch) return;
      await publisher.publish(batch.events);
      // A batch another flusher removed first is read again: the next pass starts after it.
      await batch.complete();
    }
  }
}
