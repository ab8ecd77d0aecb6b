import type { ProductRecord, Supplier } from '@shop/platform';

export type { Supplier };

/** A product as the domain and the repository see it: money in integer minor units. */
export type Product = ProductRecord;

/** What a client sends to create or replace a product: money as a decimal amount. */
export interface ProductInput {
  name: string;
  description: string;
  price: number;
  currency: string;
  sku?: string;
  category: string;
  supplier?: Supplier;
}

/** A partial update (JSON merge patch); `supplier: null` removes the supplier. */
export type ProductPatch = Partial<Omit<ProductInput, 'supplier'>> & { supplier?: Supplier | null };

export const defaultCategory = 'uncategorized';
export const defaultCurrency = 'USD';
