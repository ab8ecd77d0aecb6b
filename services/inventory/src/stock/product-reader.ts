import type { ProductRecord } from '@shop/platform';

/**
 * Reads products for inventory. `get` always reads, but concurrent reads of one product share one
 * request. `snapshot` may answer from a read at most `maxAgeMs` old: it serves the price, currency
 * and category a sale records, where a hot product would otherwise cost a read per sale.
 */
export class ProductReader {
  private readonly inFlight = new Map<string, Promise<ProductRecord | undefined>>();
  private readonly recent = new Map<string, { product: ProductRecord | undefined; readAt: number }>();

  constructor(
    private readonly read: (productId: string) => Promise<ProductRecord | undefined>,
    private readonly maxAgeMs = 1000,
  ) {}

  get(productId: string): Promise<ProductRecord | undefined> {
    const pending = this.inFlight.get(productId);
    if (pending) return pending;
    const readAt = Date.now();
    const started = this.read(productId)
      .then((product) => {
        this.remember(productId, product, readAt);
        return product;
      })
      .finally(() => this.inFlight.delete(productId));
    this.inFlight.set(productId, started);
    return started;
  }

  async snapshot(productId: string): Promise<ProductRecord | undefined> {
    const known = this.recent.get(productId);
    if (known && Date.now() - known.readAt <= this.maxAgeMs) return known.product;
    return this.get(productId);
  }

  private remember(productId: string, product: ProductRecord | undefined, readAt: number): void {
    // Bounded: the oldest entry goes first once the map is large.
    if (this.recent.size >= 10_000) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
    this.recent.delete(productId);
    this.recent.set(productId, { product, readAt });
  }
}
