export type AvailabilityLevel = 'in-stock' | 'low' | 'out-of-stock';

/**
 * What a shopper is told about a product's stock: never more than the units that can be bought.
 * Without a threshold (search results carry only the units), a product is in stock or out of it.
 */
export function availabilityOf(stock: { available: number; lowStockThreshold?: number | undefined }): {
  level: AvailabilityLevel;
  text: string;
} {
  const available = Math.max(0, stock.available);
  if (available === 0) return { level: 'out-of-stock', text: 'Out of stock' };
  if (stock.lowStockThreshold !== undefined && available <= stock.lowStockThreshold) {
    return { level: 'low', text: `Only ${available} left` };
  }
  return { level: 'in-stock', text: 'In stock' };
}
