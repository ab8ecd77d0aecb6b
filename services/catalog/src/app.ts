import type { S3Client } from '@aws-sdk/client-s3';
import type { Client } from '@opensearch-project/opensearch';
import { apiDocument } from '@shop/contracts';
import {
  apiReferenceRoutes,
  createServiceApp,
  IdempotencyRepository,
  OutboxFlusher,
  type RateLimitOptions,
  type ServiceAppDeps,
  serviceOutboxRelay,
} from '@shop/platform';
import { ProductSearchRepository } from '@shop/product-index';
import { behaviourEventsRoutes } from './behaviour-events/behaviour-events.routes.js';
import { BehaviourEventsService } from './behaviour-events/behaviour-events.service.js';
import { defaultEventsRateLimit } from './catalog.config.js';
import { mediaRoutes } from './media/media.routes.js';
import { MediaService } from './media/media.service.js';
import { type MediaBuckets, MediaStorage } from './media/media-storage.js';
import { UploadsRepository } from './media/uploads.repository.js';
import { ProductOutboxSource } from './products/product-outbox-source.js';
import { ProductsRepository } from './products/products.repository.js';
import { productsRoutes } from './products/products.routes.js';
import { ProductsService } from './products/products.service.js';
import { searchRoutes } from './search/search.routes.js';
import { SearchService } from './search/search.service.js';

export interface CatalogDeps extends ServiceAppDeps {
  /**
   * The search engine and the alias of the product index, which catalog only reads (the search
   * indexer makes and writes it); search answers 503 without them, or before the index exists.
   */
  search?: { client: Client; alias: string };
  /** S3 and the upload and media buckets; the image operations answer 503 without them. */
  media?: { s3: S3Client; buckets: MediaBuckets };
  /** Per-client limit of `POST /api/events`; `defaultEventsRateLimit` when left out. */
  eventsRateLimit?: RateLimitOptions;
}

/** Catalog's relay sweeps the product items' outboxes. */
const outboxOwner = 'catalog';

/** Builds the catalog Koa app from its dependencies; `app.callback()` serves it without `listen`. */
export function createApp(deps: CatalogDeps) {
  const repository = new ProductsRepository({
    documentClient: deps.documentClient,
    tableName: deps.tableName,
    outboxOwner,
  });
  const flusher = new OutboxFlusher({
    source: new ProductOutboxSource(repository),
    publisher: deps.publisher,
    batchSize: 100,
  });
  const storage = deps.media ? new MediaStorage(deps.media.s3, deps.media.buckets) : undefined;
  const products = new ProductsService({
    repository,
    flusher,
    logger: deps.logger,
    ...(storage ? { removeMedia: (paths: readonly string[]) => storage.deleteMedia(paths) } : {}),
  });
  const uploads = new UploadsRepository({ documentClient: deps.documentClient, tableName: deps.tableName });
  const media = storage ? new MediaService({ products, uploads, storage, logger: deps.logger }) : undefined;
  const searchIndex = deps.search ? new ProductSearchRepository(deps.search) : undefined;
  const search = new SearchService(searchIndex);
  const events = new BehaviourEventsService({ repository, publisher: deps.publisher, logger: deps.logger });
  const relay = serviceOutboxRelay(deps, outboxOwner, (productId) => flusher.flush(productId));
  const idempotencyRepository = new IdempotencyRepository({
    documentClient: deps.documentClient,
    tableName: deps.tableName,
  });
  return createServiceApp(
    deps,
    [
      // Before the products routes, whose `/:id` would take `search` for an id.
      searchRoutes({ search }),
      productsRoutes({ products, idempotencyRepository, auth: deps.auth }),
      mediaRoutes({ media, idempotencyRepository, auth: deps.auth }),
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
