import { type CloudEvent, type EventPublisher, KeyedRounds } from '@shop/platform';
import type { ProductsRepository } from './products.repository.js';

export interface ProductOutboxFlusherOptions {
  repository: ProductsRepository;
  publisher: EventPublisher;
  /** Events handled per round. */
  batchSize?: number;
}

/**
 * Publishes a product item's pending events in order and then removes them: files them in the
 * product's event pages, puts them on the stream, clears them with a condition on the first one.
 * Coalesced per product, like the stock flusher. A crash anywhere only repeats work, with the
 * same event ids; a tombstone goes once its last event is out.
 */
export class ProductOutboxFlusher {
  private readonly rounds = new KeyedRounds((productId) => this.run(productId));
  private readonly batchSize: number;

  constructor(private readonly options: ProductOutboxFlusherOptions) {
    this.batchSize = options.batchSize ?? 100;
  }

  /** Resolves once no flush is running or queued. */
  idle(): Promise<void> {
    return this.rounds.idle();
  }

  /** Resolves after a round of the product that began after this call. */
  flush(productId: string): Promise<void> {
    return this.rounds.run(productId);
  }

  private async run(productId: string): Promise<void> {
    const { repository, publisher } = this.options;
    for (;;) {
      const readAt = new Date().toISOString();
      const pending = await repository.pendingEvents(productId);
      if (!pending) return;
      const batch = pending.outbox.slice(0, this.batchSize);
      const first = batch[0];
      if (first === undefined) {
        if (pending.deleted) await repository.purgeTombstone(productId, undefined, 0);
        return;
      }
      const events = batch.map((entry) => JSON.parse(entry) as CloudEvent<{ product: { version: number } }>);
      await repository.putEventsPage(productId, events);
      await publisher.publish(events);
      const everything = batch.length === pending.outbox.length;
      if (pending.deleted && everything) {
        if (await repository.purgeTombstone(productId, first, batch.length)) return;
      } else {
        // What stays behind keeps its own age, so the relay takes it up on time if no round follows.
        const next = pending.outbox[batch.length];
        const remainingSince = next === undefined ? readAt : (JSON.parse(next) as CloudEvent).time;
        await repository.completeEvents(productId, batch, pending.outbox.length, remainingSince);
      }
    }
  }
}
