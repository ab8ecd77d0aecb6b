import { entityTypes, itemKeys, tableIndexes } from './table-schema.js';

/** A supplier to alert when the product runs low. */
export interface Supplier {
  name: string;
  email: string;
}

/** One stored size of a product image: a WebP file under `/media/`. */
export interface ProductImageSize {
  width: number;
  url: string;
}

/** A product image: checked, stripped of metadata and resized before it was attached. */
export interface ProductImage {
  id: string;
  alt: string;
  width: number;
  height: number;
  /** Narrowest first. */
  sizes: ProductImageSize[];
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
  /** First image first; absent on products that never had one. */
  images?: ProductImage[];
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
  if (Array.isArray(item.images)) product.images = (item.images as ProductImage[]).map(imageFromItem);
  return product;
}

function imageFromItem(image: ProductImage): ProductImage {
  return {
    id: String(image.id),
    alt: String(image.alt),
    width: Number(image.width),
    height: Number(image.height),
    sizes: image.sizes.map((size) => ({ width: Number(size.width), url: String(size.url) })),
  };
}
