import type { ProductImage } from '@shop/platform';
import {
  assertIfMatch,
  currentTraceHeader,
  fromMinorUnits,
  type IfMatch,
  type Logger,
  NotFoundError,
  newId,
  type OutboxFlusher,
  PreconditionFailedError,
  ServiceUnavailableError,
  toMinorUnits,
  ValidationError,
} from '@shop/platform';
import { type Product, type ProductInput, type ProductPatch, priceFieldError } from './product.js';
import { type ProductChange, productEvent } from './product-events.js';
import { ProductOutboxFullError, type ProductsRepository, StaleProductError } from './products.repository.js';

export interface ProductsServiceDeps {
  repository: ProductsRepository;
  flusher: OutboxFlusher;
  logger: Logger;
  /** Deletes a deleted product's image files (`/media/` paths); a failure is logged, not answered. */
  removeMedia?: (paths: readonly string[]) => Promise<void>;
  now?: () => Date;
}

const notFound = () => new NotFoundError('Product not found');

function minorUnits(price: number, currency: string): number {
  const minor = toMinorUnits(price, currency);
  if (minor === undefined) throw new ValidationError([priceFieldError(currency)]);
  return minor;
}

/** Catalog use cases. Knows nothing of HTTP; errors are the platform's typed errors. */
export class ProductsService {
  private readonly now: () => Date;

  constructor(private readonly deps: ProductsServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async get(id: string): Promise<Product> {
    const product = await this.deps.repository.get(id);
    if (!product) throw notFound();
    return product;
  }

  list(query: { limit: number; afterId?: string; category?: string }) {
    return this.deps.repository.list(query);
  }

  /** Creates a product; `id` is the id an idempotent request reserved, if any. */
  async create(input: ProductInput, id: string = newId()): Promise<Product> {
    const timestamp = this.now().toISOString();
    const product: Product = {
      id,
      name: input.name,
      description: input.description,
      priceMinor: minorUnits(input.price, input.currency),
      currency: input.currency,
      sku: input.sku ?? `SKU-${id}`,
      category: input.category,
      ...(input.supplier ? { supplier: input.supplier } : {}),
      version: 1,
      createdAt: timestamp,
      updatedAt: timestamp,
    };
    const { product: stored, created } = await this.deps.repository.create(
      product,
      productEvent('created', product, currentTraceHeader()),
    );
    if (created) this.flushSoon(id);
    return stored;
  }

  /** Replaces every client-owned field (PUT). */
  replace(id: string, input: ProductInput, ifMatch: IfMatch): Promise<Product> {
    return this.change(id, ifMatch, (current) => ({
      name: input.name,
      description: input.description,
      priceMinor: minorUnits(input.price, input.currency),
      currency: input.currency,
      sku: input.sku ?? current.sku,
      category: input.category,
      supplier: input.supplier,
      images: current.images,
    }));
  }

  /** Applies a JSON merge patch (PATCH). */
  patch(id: string, patch: ProductPatch, ifMatch: IfMatch): Promise<Product> {
    return this.change(id, ifMatch, (current) => {
      const currency = patch.currency ?? current.currency;
      const priceChanges = patch.price !== undefined || patch.currency !== undefined;
      return {
        name: patch.name ?? current.name,
        description: patch.description ?? current.description,
        priceMinor: priceChanges
          ? minorUnits(patch.price ?? fromMinorUnits(current.priceMinor, current.currency), currency)
          : current.priceMinor,
        currency,
        sku: patch.sku ?? current.sku,
        category: patch.category ?? current.category,
        supplier: patch.supplier === null ? undefined : (patch.supplier ?? current.supplier),
        images: current.images,
      };
    });
  }

  /**
   * Sets the product's images to what `compute` makes of the current ones: a new version with
   * its media-changed event, under the same If-Match and retry rules as any other change.
   */
  changeImages(id: string, ifMatch: IfMatch, compute: (current: Product) => ProductImage[]): Promise<Product> {
    return this.change(
      id,
      ifMatch,
      (current) => {
        const { id: _id, version: _version, createdAt: _createdAt, updatedAt: _updatedAt, ...fields } = current;
        return { ...fields, images: compute(current) };
      },
      'mediaChanged',
    );
  }

  async delete(id: string, ifMatch: IfMatch): Promise<void> {
    const deleted = await this.writeCurrent(id, ifMatch, async (current) => {
      const deleted = { ...current, version: current.version + 1, updatedAt: this.now().toISOString() };
      await this.deps.repository.delete(current, deleted, productEvent('deleted', deleted, currentTraceHeader()));
      return deleted;
    });
    this.flushSoon(id);
    const paths = (deleted.images ?? []).flatMap((image) => image.sizes.map((size) => size.url));
    if (paths.length > 0 && this.deps.removeMedia) {
      await this.deps.removeMedia(paths).catch((error: unknown) => {
        this.deps.logger.warn({ err: error, productId: id, paths }, 'image files of a deleted product not deleted');
      });
    }
  }

  private async change(
    id: string,
    ifMatch: IfMatch,
    compute: (current: Product) => Omit<Product, 'id' | 'version' | 'createdAt' | 'updatedAt'>,
    kind: Extract<ProductChange, 'updated' | 'mediaChanged'> = 'updated',
  ): Promise<Product> {
    const next = await this.writeCurrent(id, ifMatch, async (current) => {
      const fields = compute(current);
      const updated: Product = {
        id,
        ...fields,
        version: current.version + 1,
        createdAt: current.createdAt,
        updatedAt: this.now().toISOString(),
      };
      if (!fields.supplier) delete updated.supplier;
      if (!fields.images) delete updated.images;
      await this.deps.repository.update(updated, current, productEvent(kind, updated, currentTraceHeader()));
      return updated;
    });
    this.flushSoon(id);
    return next;
  }

  // Read, check If-Match, conditional write. Without If-Match a concurrent change is retried on
  // the new state (no update is lost); with a version in If-Match it is the client's 412. A
  // product whose outbox is full takes no change until its events are out: 503, and a flush.
  private async writeCurrent(id: string, ifMatch: IfMatch, write: (current: Product) => Promise<Product>) {
    for (;;) {
      const current = await this.get(id);
      assertIfMatch(ifMatch, current.version);
      try {
        return await write(current);
      } catch (error) {
        if (error instanceof ProductOutboxFullError) {
          this.flushSoon(id);
          throw new ServiceUnavailableError('Changes to this product are waiting to be published; retry shortly', 2, {
            cause: error,
          });
        }
        if (!(error instanceof StaleProductError)) throw error;
        if (ifMatch !== undefined && ifMatch !== 'any') throw new PreconditionFailedError();
      }
    }
  }

  // The change and its event are committed together; publishing happens after the answer. If it
  // fails, the event waits in the outbox for the relay (see docs/architecture.md).
  private flushSoon(productId: string): void {
    this.deps.flusher.flush(productId).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, productId }, 'product events not published yet; the relay will retry');
    });
  }
}
