import { type FieldError, minorUnitDigits, type ProductRecord, type Supplier, toMinorUnits } from '@shop/platform';

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

/** The decimals a price may have in `currency`: its minor unit's, and never more than 2. */
export const priceDecimals = (currency: string) => Math.min(2, minorUnitDigits(currency));

/** The refusal of a price with more decimals than `priceDecimals` in its shortest decimal form. */
export const priceFieldError = (currency: string): FieldError => ({
  field: 'price',
  message: `price must have at most ${priceDecimals(currency)} decimal places in ${currency}`,
});

/**
 * The price rule over a body as sent, for the request's other field errors to come with it: a
 * numeric price in the body's currency if it names a valid one, else in the default (a patch's
 * stored currency is the service's to check).
 */
export function bodyPriceErrors(body: unknown): FieldError[] {
  const { price, currency } = (body ?? {}) as { price?: unknown; currency?: unknown };
  if (typeof price !== 'number') return [];
  const code = typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) ? currency : 'USD';
  return toMinorUnits(price, code) === undefined ? [priceFieldError(code)] : [];
}
