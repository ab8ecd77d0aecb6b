import type { ProductEventData, ShopEventOf } from '@shop/contracts';
import { createEvent, fromMinorUnits, productEventTypes } from '@shop/platform';
import type { Product } from './product.js';

export type ProductChange = keyof typeof productEventTypes;

/** A product event of one change, as its schema in @shop/contracts describes it. */
export type ProductEvent<Change extends ProductChange = ProductChange> = ShopEventOf<
  (typeof productEventTypes)[Change]
>;

/** The CloudEvent for a product change, partitioned by product id. */
export function productEvent<Change extends ProductChange>(
  change: Change,
  product: Product,
  traceId?: string,
): ProductEvent<Change> {
  const data: ProductEventData = {
    product: { ...product, price: fromMinorUnits(product.priceMinor, product.currency) },
  };
  return createEvent({
    source: '/shop/catalog',
    type: productEventTypes[change],
    subject: product.id,
    data,
    ...(traceId ? { traceId } : {}),
  });
}
