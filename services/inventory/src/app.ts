import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  analyticsNamespace,
  createServiceApp,
  IdempotencyRepository,
  type ServiceAppDeps,
  serviceOutboxRelay,
} from '@shop/platform';
import { dashboardRoutes } from './dashboard/dashboard.routes.js';
import { MetricsDashboard } from './dashboard/metrics-dashboard.js';
import { ProductReader } from './stock/product-reader.js';
import { StockRepository } from './stock/stock.repository.js';
import { stockRoutes } from './stock/stock.routes.js';
import { StockService } from './stock/stock.service.js';
import { StockOutboxFlusher } from './stock/stock-outbox-flusher.js';

export interface InventoryDeps extends ServiceAppDeps {
  /** Most unpublished changes one stock item may hold before writes answer 503. */
  maxOutbox?: number;
  /** Where the staff dashboard reads the analytics metrics; each part has a default. */
  dashboard?: DashboardDeps;
}

export interface DashboardDeps {
  /** The SDK's defaults (region and credentials from the environment) when left out. */
  cloudWatch?: CloudWatchClient;
  /** The analytics fleet's namespace; `analyticsNamespace` when left out. */
  namespace?: string;
  /** How long an answer is reused per window length; 5 s when left out. */
  cacheSeconds?: number;
}

/** Builds the inventory Koa app from its dependencies; `app.callback()` serves it without `listen`. */
export function createApp(deps: InventoryDeps) {
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
  const dashboard = new MetricsDashboard({
    cloudWatch: deps.dashboard?.cloudWatch ?? new CloudWatchClient({}),
    namespace: deps.dashboard?.namespace ?? analyticsNamespace,
    cacheSeconds: deps.dashboard?.cacheSeconds ?? 5,
  });
  const relay = serviceOutboxRelay(deps, 'inventory', (productId) => flusher.flush(productId));
  return createServiceApp(
    deps,
    [stockRoutes({ stock, idempotencyRepository, auth: deps.auth }), dashboardRoutes({ dashboard, auth: deps.auth })],
    [
      relay,
      // On shutdown, the events of changes already answered go out before the process exits.
      { start() {}, stop: () => flusher.idle() },
    ],
  );
}
