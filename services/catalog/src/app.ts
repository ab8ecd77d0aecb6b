import { createServiceApp, IdempotencyRepository, type ServiceAppDeps, serviceOutboxRelay } from '@shop/platform';
import { ProductOutboxFlusher } from './products/product-outbox-flusher.js';
import { ProductsRepository } from './products/products.repository.js';
import { productsRoutes } from './products/products.routes.js';
import { ProductsService } from './products/products.service.js';

export type CatalogDeps = ServiceAppDeps;

/** Builds the catalog Koa app from its dependencies; `app.callback()` serves it without `listen`. */
export function createApp(deps: CatalogDeps) {
  const repository = new ProductsRepository({ documentClient: deps.documentClient, tableName: deps.tableName });
  const flusher = new ProductOutboxFlusher({ repository, publisher: deps.publisher });
  const products = new ProductsService({ repository, flusher, logger: deps.logger });
  const relay = serviceOutboxRelay(deps, 'catalog', (productId) => flusher.flush(productId));
  const idempotencyRepository = new IdempotencyRepository({
    documentClient: deps.documentClient,
    tableName: deps.tableName,
  });
  return createServiceApp(
    deps,
    [productsRoutes({ products, idempotencyRepository, auth: deps.auth })],
    [
      relay,
      // On shutdown, the events of changes already answered go out before the process exits.
      { start() {}, stop: () => flusher.idle() },
    ],
  );
}
