import { availabilityOf } from './availability.js';
import { h } from './dom.js';
import { categoryLabel, formatMoney } from './formatting.js';

/** A product as a card of the storefront's grids: a link to its page with name, price and category. */
export function productCard(
  product: { id: string; name: string; price: number; currency: string; category: string },
  stock?: { available: number; lowStockThreshold?: number | undefined },
): HTMLElement {
  return h(
    'li',
    {},
    h(
      'a',
      { class: 'product-card', href: `/products/${encodeURIComponent(product.id)}` },
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
