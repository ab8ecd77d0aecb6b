import type { ProductRecord } from '@shop/platform';

/**
 * Reads products for inventory with concurrent reads of one product shared: a request that arrives
 * while a read of its product is in flight waits for that read instead of starting another. No
 * answer outlives its read, so a deleted product is seen as deleted by the next request.
 */
export class ProductReader {
  private readonly inFlight = new Map<string, Promise<ProductRecord | undefined>>();

  constructor(private readonly read: (productId: string) => Promise<ProductRecord | undefined>) {}

  get(productId: string): Promise<ProductRecord | undefined> {
    const pending = this.inFlight.get(productId);
    if (pending) return pending;
    const started = this.read(productId).finally(() => this.inFlight.delete(productId));
    this.inFlight.set(productId, started);
    return started;
  }
}
