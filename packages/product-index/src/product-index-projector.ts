import type { ProductSnapshot, ShopEvent } from '@shop/contracts';
import { productEventTypes, stockEventTypes } from '@shop/platform';
import type { IndexedProduct, IndexWrite, ProductSearchRepository, RefusedWrite } from './product-search.repository.js';

/** What one event did to the index: written (or found already newer), or not an event the index reads. */
export type Projection = 'applied' | 'not-indexed';

function viewOf({ priceMinor: _priceMinor, ...product }: ProductSnapshot): IndexedProduct {
  return product as IndexedProduct;
}

/**
 * The index write an event makes, guarded by the version it carries (the product's, or the stock
 * item's); none for events the index does not read. Product created/updated/media-changed/deleted, and every
 * stock event that carries an availability.
 */
export function indexWriteOf(event: ShopEvent): IndexWrite | undefined {
  switch (event.type) {
    case productEventTypes.created:
    case productEventTypes.updated:
    case productEventTypes.mediaChanged:
      return { kind: 'product', product: viewOf(event.data.product) };
    case productEventTypes.deleted:
      return { kind: 'delete', productId: event.data.product.id, version: event.data.product.version };
    case stockEventTypes.adjusted:
    case stockEventTypes.reservationCreated:
    case stockEventTypes.reservationCommitted:
    case stockEventTypes.reservationReleased:
    case stockEventTypes.reservationExpired:
      return {
        kind: 'stock',
        productId: event.data.productId,
        available: event.data.availableAfter,
        stockVersion: event.data.version,
      };
    case stockEventTypes.low:
    case stockEventTypes.replenished:
      return {
        kind: 'stock',
        productId: event.data.productId,
        available: event.data.available,
        stockVersion: event.data.version,
      };
    default:
      return undefined;
  }
}

/**
 * Turns the stream's events into the product index, the storefront's read model. Events that come
 * twice or out of order leave the newest state, and a delete wins over a late update, because every
 * write is guarded by its version. The events are checked against their contract before they get here.
 */
export class ProductIndexProjector {
  constructor(private readonly repository: ProductSearchRepository) {}

  async project(event: ShopEvent): Promise<Projection> {
    const { written, refused } = await this.projectAll([event]);
    if (refused.length > 0) throw new Error(`the index refused the event: ${refused[0]?.reason}`);
    return written > 0 ? 'applied' : 'not-indexed';
  }

  /**
   * Writes what the events make in one bulk request, in their order: how many were index writes,
   * and those the engine refused for good. Throws when the engine could not take the batch now.
   */
  async projectAll(events: readonly ShopEvent[]): Promise<{ written: number; refused: RefusedWrite[] }> {
    const writes = events.flatMap((event) => indexWriteOf(event) ?? []);
    const refused = await this.repository.write(writes);
    return { written: writes.length - refused.length, refused };
  }
}
