import { createServiceApp, IdempotencyRepository, type ServiceAppDeps } from '@shop/platform';
import { ProductsRepository } from './products/products.repository.js';
import { productsRoutes } from './products/products.routes.js';
import { ProductsService } from './products/products.service.js';

export type CatalogDeps = ServiceAppDeps;

/** Builds the catalog Koa app from its dependencies; `app.callback()` serves it without `listen`. */
export function createApp(deps: CatalogDeps) {
  const repository = new ProductsRepository({ documentClient: deps.documentClient, tableName: deps.tableName });
  const products = new ProductsService({ repository, publisher: deps.publisher, logger: deps.logger });
  const idempotencyRepository = new IdempotencyRepository({
    documentClient: deps.documentClient,
    tableName: deps.tableName,
  });
  return createServiceApp(deps, [productsRoutes({ products, idempotencyRepository, auth: deps.auth })]);
}
