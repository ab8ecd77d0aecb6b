import { fromMinorUnits, type ProductImage } from '@shop/platform';
import type { Product } from './product.js';

/** The API view of a product: money as a decimal amount in its currency. */
export type ProductView = Omit<Product, 'priceMinor' | 'images'> & { price: number; images: ProductImage[] };

/** The product as the API answers it: a decimal price, and its images (none yet is an empty list). */
export function toView(product: Product): ProductView {
  const { priceMinor, images, ...rest } = product;
  return { ...rest, price: fromMinorUnits(priceMinor, product.currency), images: images ?? [] };
}
