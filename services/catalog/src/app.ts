import { apiDocument } from '@shop/contracts';
import {
  apiReferenceRoutes,
  createServiceApp,
  IdempotencyRepository,
  type RateLimitOptions,
  type ServiceAppDeps,
  serviceOutboxRelay,
} from '@shop/platform';
import { behaviourEventsRoutes } from './behaviour-events/behaviour-events.routes.js';
import { BehaviourEventsService } from './behaviour-events/behaviour-events.service.js';
import { defaultEventsRateLimit } from './catalog.config.js';
import { ProductOutboxFlusher } from './products/product-outbox-flusher.js';
import { ProductsRepository } from './products/products.repository.js';
import { productsRoutes } from './products/products.routes.js';
import { ProductsService } from './products/products.service.js';

export interface CatalogDeps extends ServiceAppDeps {
  /** Per-client limit of `POST /api/events`; `defaultEventsRateLimit` when left out. */
  eventsRateLimit?: RateLimitOptions;
}

/** Builds the catalog Koa app from its dependencies; `app.callback()` serves it without `listen`. */
export function createApp(deps: CatalogDeps) {
  const repository = new ProductsRepository({ documentClient: deps.documentClient, tableName: deps.tableName });
  const flusher = new ProductOutboxFlusher({ repository, publisher: deps.publisher });
  const products = new ProductsService({ repository, flusher, logger: deps.logger });
  const events = new BehaviourEventsService({ repository, publisher: deps.publisher, logger: deps.logger });
  const relay = serviceOutboxRelay(deps, 'catalog', (productId) => flusher.flush(productId));
  const idempotencyRepository = new IdempotencyRepository({
    documentClient: deps.documentClient,
    tableName: deps.tableName,
  });
  return createServiceApp(
    deps,
    [
      productsRoutes({ products, idempotencyRepository, auth: deps.auth }),
      behaviourEventsRoutes({ events, rateLimit: deps.eventsRateLimit ?? defaultEventsRateLimit }),
      // Catalog publishes the whole platform's contract: the route table sends its paths here.
      apiReferenceRoutes({ document: apiDocument }),
    ],
    [
      relay,
      // On shutdown, the events of changes and views already answered go out before the process exits.
      { start() {}, stop: () => Promise.all([flusher.idle(), events.idle()]).then(() => undefined) },
    ],
  );
}
