import type { CloudEvent, OutboxBatch, OutboxSource } from '@shop/platform';
import type { ProductsRepository } from './products.repository.js';

/**
 * A product item's outbox as the platform's flusher reads it: the stored events themselves, filed
 * in the product's event pages before they go out. A tombstone goes once its last event is out.
 */
export class ProductOutboxSource implements OutboxSource {
  constructor(private readonly repository: ProductsRepository) {}

  async nextBatch(productId: string, limit: number): Promise<OutboxBatch | undefined> {
    const readAt = new Date().toISOString();
    const pending = await this.repository.pendingEvents(productId);
    if (!pending) return undefined;
    const batch = pending.outbox.slice(0, limit);
    if (batch.length === 0) {
      if (pending.deleted) await this.repository.purgeTombstone(productId, []);
      return undefined;
    }
    const events = batch.map((entry) => JSON.parse(entry) as CloudEvent<{ product: { version: number } }>);
    await this.repository.putEventsPage(productId, events);
    // What stays behind keeps its own age, so the relay takes it up on time if no round follows.
    const next = pending.outbox[batch.length];
    const handled = {
      entries: batch,
      lengthWhenRead: pending.outbox.length,
      remainingSince: next === undefined ? readAt : (JSON.parse(next) as CloudEvent).time,
    };
    const everything = batch.length === pending.outbox.length;
    return {
      events,
      complete: () =>
        pending.deleted && everything
          ? this.repository.purgeTombstone(productId, batch)
          : this.repository.completeEvents(productId, handled),
    };
  }
}
