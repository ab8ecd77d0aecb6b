import { newId } from '@shop/platform';
import type { IndexedProduct } from '@shop/product-index';

const nouns = ['shoe', 'jacket', 'tent', 'torch', 'backpack', 'bottle', 'glove', 'sock', 'stove', 'map'];
const adjectives = ['trail', 'rain', 'light', 'winter', 'summit', 'river', 'forest', 'desert', 'alpine', 'coastal'];
export const searchCategories = ['footwear', 'clothing', 'camping', 'lighting', 'packs'] as const;

/** `count` products with names of two words from small vocabularies, so queries match many and rank them. */
export function benchProducts(count: number, prefix = 'bench'): IndexedProduct[] {
  const createdAt = Date.parse('2026-11-01T00:00:00.000Z');
  return Array.from({ length: count }, (_, index) => {
    const id = newId();
    const name = `${adjectives[index % adjectives.length]} ${nouns[Math.floor(index / adjectives.length) % nouns.length]} ${index}`;
    const at = new Date(createdAt + index * 1000).toISOString();
    return {
      id,
      name,
      description: `A ${name} for the ${prefix} catalogue, made to last`,
      price: Math.round((5 + ((index * 37) % 600)) * 100) / 100,
      currency: 'USD',
      sku: `SKU-${id}`,
      category: searchCategories[index % searchCategories.length] as string,
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
  });
}

/** Storefront searches: plain, misspelt, filtered, sorted and in stock only, in a fixed rotation. */
export const searchPaths = [
  '/api/products/search?q=trail%20shoe',
  '/api/products/search?q=trial%20shoes',
  '/api/products/search?q=rain%20jacket&category=clothing',
  '/api/products/search?q=tent&sort=price-asc',
  '/api/products/search?q=torch&inStock=true',
  '/api/products/search?q=alpine&minPrice=20&maxPrice=200&sort=price-desc',
  '/api/products/search?category=camping&sort=newest',
  '/api/products/search?q=bakcpack&limit=50',
];
