import type { BenchStack } from './bench-stack.js';
import { seedProducts } from './catalog-read.scenario.js';
import { StockKeeper, type StorefrontCatalogue } from './storefront-mix.js';

export const initialStock = 10;

/** Waits (at most 3 minutes) until the indexer has made every seeded product searchable. */
async function searchable(gatewayUrl: string, prefix: string, count: number, indexer: { tail(): string }) {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const response = await fetch(`${gatewayUrl}/api/products/search?q=${prefix}&limit=1`);
    if (response.ok && ((await response.json()) as { total: number }).total >= count) return;
    if (Date.now() > deadline) throw new Error(`the seeded products did not become searchable:\n${indexer.tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * Catalog and inventory as processes behind the gateway, with `products` products in five
 * categories, each stocked with `initialStock`; and a StockKeeper that knows it.
 */
export async function startStorefront(stack: BenchStack, products: number) {
  const catalog = await stack.startService('catalog');
  const inventory = await stack.startService('inventory');
  const gateway = await stack.startGateway({ catalog: catalog.url, inventory: inventory.url });
  const prefix = 'store';
  const productIds = await seedProducts(gateway.url, products, await stack.bearer('admin'), prefix);
  const staffAuthorization = await stack.bearer('staff');
  for (const id of productIds) {
    const response = await fetch(`${gateway.url}/api/inventory/${id}/adjustments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: staffAuthorization },
      body: JSON.stringify({ quantity: initialStock, reason: 'restock' }),
    });
    if (response.status !== 201) throw new Error(`stocking failed with ${response.status}: ${await response.text()}`);
  }
  const catalogue: StorefrontCatalogue = {
    productIds,
    categories: Array.from({ length: Math.min(5, products) }, (_, index) => `${prefix}-${index}`),
    searchTerms: [`${prefix} product`, 'product 7', `${prefix} prodcut 1`, 'product'],
    staffAuthorization,
  };
  if (stack.standIns.searchEndpoint)
    await searchable(gateway.url, prefix, productIds.length, stack.startSearchIndexer());
  const stock = new StockKeeper({ initial: initialStock, lowWater: 2, restock: initialStock }, productIds);
  return { catalog, inventory, gateway, catalogue, stock };
}
