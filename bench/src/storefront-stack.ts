import type { BenchStack } from './bench-stack.js';
import { seedProducts } from './catalog-read.scenario.js';
import { StockKeeper, type StorefrontCatalogue } from './storefront-mix.js';

export const initialStock = 10;

/**
 * Catalog and inventory as processes behind the gateway, with `products` products in five
 * categories, each stocked with `initialStock`; and a StockKeeper that knows it.
 */
export async function startStorefront(stack: BenchStack, products: number) {
  const catalog = await stack.startProcess('catalog', 'services/catalog/src/main.ts', 'CATALOG_PORT', '/readyz');
  const inventory = await stack.startProcess(
    'inventory',
    'services/inventory/src/main.ts',
    'INVENTORY_PORT',
    '/readyz',
  );
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
    staffAuthorization,
  };
  const stock = new StockKeeper({ initial: initialStock, lowWater: 2, restock: initialStock }, productIds);
  return { catalog, inventory, gateway, catalogue, stock };
}
