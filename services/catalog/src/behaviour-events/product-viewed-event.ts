import { behaviourEventTypes, type CloudEvent, createEvent } from '@shop/platform';

export interface ProductViewedData {
  productId: string;
  /** The stored product's category at the time of the view, never the client's word. */
  category: string;
}

/** The CloudEvent for one product view, partitioned by product id like the product's other events. */
export function productViewedEvent(data: ProductViewedData, traceId?: string): CloudEvent<ProductViewedData> {
  return createEvent({
    // The view happened in the storefront; catalog only checks it and puts it on the stream.
    source: '/shop/web',
    type: behaviourEventTypes.productViewed,
    subject: data.productId,
    data,
    ...(traceId ? { traceId } : {}),
  });
}
