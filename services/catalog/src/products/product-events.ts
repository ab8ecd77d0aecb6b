import { type CloudEvent, createEvent, fromMinorUnits, productEventTypes } from '@shop/platform';
import type { Product } from './product.js';

export type ProductChange = keyof typeof productEventTypes;

/** The product state an event carries: the API view plus integer minor units for analytics. */
export interface ProductEventData {
  product: Product & { price: number };
}

/** The CloudEvent for a product change, partitioned by product id. */
export function productEvent(change: ProductChange, product: Product, traceId?: string): CloudEvent<ProductEventData> {
  return createEvent({
    source: '/shop/catalog',
    type: productEventTypes[change],
    subject: product.id,
    data: { product: { ...product, price: fromMinorUnits(product.priceMinor, product.currency) } },
    ...(traceId ? { traceId } : {}),
  });
}
