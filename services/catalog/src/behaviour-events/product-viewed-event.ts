import type { ProductViewedData, ShopEventOf } from '@shop/contracts';
import { behaviourEventTypes, createEvent } from '@shop/platform';

/** A product view, as its schema in @shop/contracts describes it. */
export type ProductViewedEvent = ShopEventOf<typeof behaviourEventTypes.productViewed>;

/**
 * The CloudEvent for one product view, partitioned by product id like the product's other events.
 * The category is the stored product's at the time of the view, never the client's word.
 */
export function productViewedEvent(data: ProductViewedData, traceId?: string): ProductViewedEvent {
  return createEvent({
    // The view happened in the storefront; catalog only checks it and puts it on the stream.
    source: '/shop/web',
    type: behaviourEventTypes.productViewed,
    subject: data.productId,
    data,
    ...(traceId ? { traceId } : {}),
  });
}
