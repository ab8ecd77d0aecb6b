import type { ProductImage } from '@shop/api-client';
import { availabilityOf } from './availability.js';
import { h } from './dom.js';
import { categoryLabel, formatMoney } from './formatting.js';
import { type ImageLayout, productImage } from './product-images.js';

/**
 * A product as a card of the storefront's grids: a link to its page with its first image (sized
 * for the grid it is in), name, price and category.
 */
export function productCard(
  product: {
    id: string;
    name: string;
    price: number;
    currency: string;
    category: string;
    images: readonly ProductImage[];
  },
  stock?: { available: number; lowStockThreshold?: number | undefined },
  layout: ImageLayout = 'grid',
): HTMLElement {
  const image = product.images[0];
  return h(
    'li',
    {},
    h(
      'a',
      { class: 'product-card', href: `/products/${encodeURIComponent(product.id)}` },
      image ? productImage(image, layout, 'card-image') : null,
      h('h2', { class: 'product-name' }, product.name),
      h('p', { class: 'price' }, formatMoney(product.price, product.currency)),
      h('p', { class: 'category' }, categoryLabel(product.category)),
      stock ? h('p', { class: 'availability-line' }, availabilityBadge(stock)) : null,
    ),
  );
}

export function availabilityBadge(stock: { available: number; lowStockThreshold?: number | undefined }): HTMLElement {
  const { level, text } = availabilityOf(stock);
  return h('span', { class: `availability ${level}` }, text);
}
