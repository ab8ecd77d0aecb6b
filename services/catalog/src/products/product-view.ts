import { fromMinorUnits } from '@shop/platform';
import type { Product } from './product.js';

/** The API view of a product: money as a decimal amount in its currency. */
export type ProductView = Omit<Product, 'priceMinor'> & { price: number };

export function toView(product: Product): ProductView {
  const { priceMinor, ...rest } = product;
  return { ...rest, price: fromMinorUnits(priceMinor, product.currency) };
}
