import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createHttpApp,
  type EventPublisher,
  IdempotencyRepository,
  type Logger,
  type ReadinessCheck,
} from '@shop/platform';
import { ProductsRepository } from './products/products.repository.js';
import { productsRoutes } from './products/products.routes.js';
import { ProductsService } from './products/products.service.js';

export interface CatalogDeps {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  publisher: EventPublisher;
  logger: Logger;
  /** Dependency checks behind `/readyz`. */
  readiness?: Record<string, ReadinessCheck>;
  isDraining?: () => boolean;
  bodyLimit?: string;
}

/** Builds the catalog Koa app from its dependencies; `app.callback()` serves it without `listen`. */
export function createApp(deps: CatalogDeps) {
  const app = createHttpApp({
    logger: deps.logger,
    health: { checks: deps.readiness ?? {}, ...(deps.isDraining ? { isDraining: deps.isDraining } : {}) },
    ...(deps.bodyLimit ? { bodyLimit: deps.bodyLimit } : {}),
  });
  const repository = new ProductsRepository({ documentClient: deps.documentClient, tableName: deps.tableName });
  const products = new ProductsService({ repository, publisher: deps.publisher, logger: deps.logger });
  const idempotencyRepository = new IdempotencyRepository({
    documentClient: deps.documentClient,
    tableName: deps.tableName,
  });
  const router = productsRoutes({ products, idempotencyRepository });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
