import { entityTypes, itemKeys, tableIndexes } from './table-schema.js';

/** A supplier to alert when the product runs low. */
export interface Supplier {
  name: string;
  email: string;
}

/** A product as stored: money in integer minor units. Catalog owns it; inventory reads it. */
export interface ProductRecord {
  id: string;
  name: string;
  description: string;
  priceMinor: number;
  currency: string;
  sku: string;
  category: string;
  supplier?: Supplier;
  version: number;
  createdAt: string;
  updatedAt: string;
}

const categoryKey = (category: string) => `CATEGORY#${category}`;

/** The partition value of `category-index` for a category. */
export function productCategoryKey(category: string): string {
  return categoryKey(category);
}

/** The stored item for a product, with the attributes its indexes need. */
export function productToItem(product: ProductRecord): Record<string, unknown> {
  return {
    ...itemKeys.product(product.id),
    [tableIndexes.entity.partitionKey]: entityTypes.product,
    [tableIndexes.category.partitionKey]: categoryKey(product.category),
    ...product,
  };
}

/** Reads a stored product item back into a record. */
export function productFromItem(item: Record<string, unknown>): ProductRecord {
  const product: ProductRecord = {
    id: String(item.id),
    name: String(item.name),
    description: String(item.description),
    priceMinor: Number(item.priceMinor),
    currency: String(item.currency),
    sku: String(item.sku),
    category: String(item.category),
    version: Number(item.version),
    createdAt: String(item.createdAt),
    updatedAt: String(item.updatedAt),
  };
  const supplier = item.supplier as Supplier | undefined;
  if (supplier) product.supplier = { name: supplier.name, email: supplier.email };
  return product;
}
