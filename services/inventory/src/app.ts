import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  createHttpApp,
  type EventPublisher,
  IdempotencyRepository,
  type Logger,
  type ReadinessCheck,
} from '@shop/platform';
import { ProductReader } from './stock/product-reader.js';
import { StockRepository } from './stock/stock.repository.js';
import { stockRoutes } from './stock/stock.routes.js';
import { StockService } from './stock/stock.service.js';
import { StockOutboxFlusher } from './stock/stock-outbox-flusher.js';

export interface InventoryDeps {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  publisher: EventPublisher;
  logger: Logger;
  readiness?: Record<string, ReadinessCheck>;
  isDraining?: () => boolean;
  bodyLimit?: string;
  /** Most unpublished changes one stock item may hold before writes answer 503. */
  maxOutbox?: number;
}

/** Builds the inventory Koa app from its dependencies; `app.callback()` serves it without `listen`. */
export function createApp(deps: InventoryDeps) {
  const app = createHttpApp({
    logger: deps.logger,
    health: { checks: deps.readiness ?? {}, ...(deps.isDraining ? { isDraining: deps.isDraining } : {}) },
    ...(deps.bodyLimit ? { bodyLimit: deps.bodyLimit } : {}),
  });
  const repository = new StockRepository({ documentClient: deps.documentClient, tableName: deps.tableName });
  const products = new ProductReader((productId) => repository.getProduct(productId));
  const flusher = new StockOutboxFlusher({
    repository,
    publisher: deps.publisher,
    logger: deps.logger,
    supplierOf: async (productId) => (await products.get(productId))?.supplier,
  });
  const stock = new StockService({
    repository,
    products,
    flusher,
    logger: deps.logger,
    ...(deps.maxOutbox ? { maxOutbox: deps.maxOutbox } : {}),
  });
  const idempotencyRepository = new IdempotencyRepository({
    documentClient: deps.documentClient,
    tableName: deps.tableName,
  });
  const router = stockRoutes({ stock, idempotencyRepository });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
