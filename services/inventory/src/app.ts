import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  analyticsNamespace,
  createServiceApp,
  IdempotencyRepository,
  OutboxFlusher,
  type ServiceAppDeps,
  serviceOutboxRelay,
} from '@shop/platform';
import { dashboardRoutes } from './dashboard/dashboard.routes.js';
import { MetricsDashboard } from './dashboard/metrics-dashboard.js';
import { AdjustmentBatcher } from './stock/adjustment-batcher.js';
import { ProductReader } from './stock/product-reader.js';
import { StockRepository } from './stock/stock.repository.js';
import { stockRoutes } from './stock/stock.routes.js';
import { StockService } from './stock/stock.service.js';
import { StockOutboxSource } from './stock/stock-outbox-source.js';
import { StockWriter } from './stock/stock-writer.js';

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

/** Inventory's relay sweeps the stock items' outboxes. */
const outboxOwner = 'inventory';

/** Builds the inventory Koa app from its dependencies; `app.callback()` serves it without `listen`. */
export function createApp(deps: InventoryDeps) {
  const repository = new StockRepository({
    documentClient: deps.documentClient,
    tableName: deps.tableName,
    outboxOwner,
    maxOutbox: deps.maxOutbox ?? 500,
  });
  const products = new ProductReader((productId) => repository.getProduct(productId));
  const flusher = new OutboxFlusher({
    source: new StockOutboxSource(repository, products),
    publisher: deps.publisher,
    batchSize: 200,
  });
  const writer = new StockWriter({ repository, products, flusher, logger: deps.logger });
  const stock = new StockService({ repository, products, writer, batcher: new AdjustmentBatcher({ writer }) });
  const idempotencyRepository = new IdempotencyRepository({
    documentClient: deps.documentClient,
    tableName: deps.tableName,
  });
  const dashboard = new MetricsDashboard({
    cloudWatch: deps.dashboard?.cloudWatch ?? new CloudWatchClient({}),
    namespace: deps.dashboard?.namespace ?? analyticsNamespace,
    cacheSeconds: deps.dashboard?.cacheSeconds ?? 5,
  });
  const relay = serviceOutboxRelay(deps, outboxOwner, (productId) => flusher.flush(productId));
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
