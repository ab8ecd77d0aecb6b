import {
  currentTraceHeader,
  type EventPublisher,
  type Logger,
  PublisherSaturatedError,
  ValidationError,
} from '@shop/platform';
import type { ProductsRepository } from '../products/products.repository.js';
import { productViewedEvent } from './product-viewed-event.js';

export interface BehaviourEventsServiceDeps {
  repository: ProductsRepository;
  publisher: EventPublisher;
  logger: Logger;
}

/**
 * Behaviour events from the storefront. A view changes no stored state, so its event goes straight
 * to the publisher with no outbox: it is on its way once accepted, and lost only if the stream
 * stays unreachable beyond the publisher's retry budget (see docs/architecture.md).
 */
export class BehaviourEventsService {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: BehaviourEventsServiceDeps) {}

  /**
   * Accepts a view of a product that exists, with the category the catalog stores for it.
   * Refuses with 422 on `productId` when there is no such product (the resource `/api/events`
   * exists; what is wrong is a field of the body), and with 503 while the publisher is full.
   */
  async productViewed(productId: string): Promise<void> {
    // An eventually consistent read is enough for a view and costs half of a consistent one.
    const product = await this.deps.repository.get(productId, { consistentRead: false });
    if (!product) {
      throw new ValidationError([{ field: 'productId', message: 'productId names no product' }]);
    }
    // Checked in the same turn as the publish below, so an accepted view is always queued.
    if (this.deps.publisher.saturated) throw new PublisherSaturatedError();
    const event = productViewedEvent({ productId, category: product.category }, currentTraceHeader());
    const published = this.deps.publisher.publish([event]).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, productId, eventId: event.id }, 'product view dropped: not published');
    });
    this.inFlight.add(published);
    void published.finally(() => this.inFlight.delete(published));
  }

  /** Resolves once every accepted view has been published or given up (on shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }
}
