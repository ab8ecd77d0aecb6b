export type { AccessTokenVerifier, CognitoVerifierOptions, Principal } from './auth/access-token-verifier.js';
export { accessGroups, createCognitoVerifier } from './auth/access-token-verifier.js';
export { requireGroup } from './auth/require-group.middleware.js';
export type { AwsClientOptions } from './aws/aws-clients.js';
export {
  awsClientConfig,
  createDocumentClient,
  createDynamoDbClient,
  createHttpHandler,
  createKinesisClient,
} from './aws/aws-clients.js';
export { isConditionalCheckFailed, isDependencyUnavailable } from './aws/dynamodb-errors.js';
export {
  commonConfig,
  environmentHasAwsCredentials,
  environmentSetsXrayDaemon,
  tracingConfig,
} from './config/common-config.js';
export type { ConfigKey, ConfigOf, ConfigSpec } from './config/config-schema.js';
export { defineConfig, describeConfig, loadConfig, port, url } from './config/config-schema.js';
export type { IndexPageQuery } from './data/index-page.js';
export { queryIndexPage } from './data/index-page.js';
export type { ProductImage, ProductImageSize, ProductRecord, Supplier } from './data/product-item.js';
export { productCategoryKey, productFromItem, productToItem } from './data/product-item.js';
export {
  entityTypes,
  historyPageSortKeyPrefix,
  type IndexDefinition,
  itemKeys,
  tableDefinition,
  tableIndexes,
  tableKeys,
} from './data/table-schema.js';
export { idSchema, isId, newId } from './domain/ids.js';
export { fromMinorUnits, isCurrencyCode, minorUnitDigits, toMinorUnits } from './domain/money.js';
export * from './errors/app-error.js';
export { analyticsMetricNames, analyticsNamespace } from './events/analytics-metrics.js';
export type { CloudEvent, EventPublisher, NewEvent } from './events/cloud-event.js';
export { createEvent, decodeRecord } from './events/cloud-event.js';
export { behaviourEventTypes, knownEventTypes, productEventTypes, stockEventTypes } from './events/event-types.js';
export type { KinesisPublisherOptions } from './events/kinesis-publisher.js';
export {
  backoffDelay,
  KinesisEventPublisher,
  PublishError,
  PublisherSaturatedError,
} from './events/kinesis-publisher.js';
export type { ApiReferenceOptions } from './http/api-reference.routes.js';
export { apiReferenceRoutes } from './http/api-reference.routes.js';
export type { AppContext, AppMiddleware, AppRouterContext, AppState } from './http/app-context.js';
export type { BackgroundTask, HttpAppOptions, ServiceApp, ServiceAppDeps } from './http/create-http-app.js';
export { createHttpApp, createServiceApp, serviceOutboxRelay } from './http/create-http-app.js';
export type { IfMatch } from './http/etag.js';
export { assertIfMatch, formatEtag, parseIfMatch, requireIfMatch } from './http/etag.js';
export type { HealthOptions, ReadinessCheck } from './http/health.routes.js';
export { defaultBodyLimit, defaultBodyLimitBytes } from './http/json-body.middleware.js';
export type { Page } from './http/pagination.js';
export { decodeCursor, encodeCursor } from './http/pagination.js';
export { problemContentType, sendProblem } from './http/problem-details.middleware.js';
export type { CallerQuotas, RateLimitOptions, RateQuota } from './http/rate-limit.middleware.js';
export { rateLimit } from './http/rate-limit.middleware.js';
export { rateLimitConfig, rateLimitOptionsOf } from './http/rate-limit-config.js';
export { routeTemplate } from './http/request-context.middleware.js';
export type { StartServiceOptions } from './http/service-main.js';
export { serviceConfig, startService } from './http/service-main.js';
export type { ServerDeadlines } from './http/service-server.js';
export { createServiceServer, serverOptions } from './http/service-server.js';
export { webContentSecurityPolicy } from './http/web-content-security-policy.js';
export type { IdempotencyOptions } from './idempotency/idempotency.middleware.js';
export { idempotency } from './idempotency/idempotency.middleware.js';
export type { IdempotencyRecord, StoredResponse } from './idempotency/idempotency.repository.js';
export { IdempotencyRepository } from './idempotency/idempotency.repository.js';
export type { Logger } from './logging/logger.js';
export { createLogger } from './logging/logger.js';
export { httpMetrics, measureAwsClient, ProcessMetrics } from './observability/metrics.js';
export type { TracingOptions } from './observability/tracing.js';
export {
  configureTracing,
  currentTraceHeader,
  traceAwsClient,
  tracingMiddleware,
  withTrace,
} from './observability/tracing.js';
export type { ArchiveQuery } from './outbox/event-archive.js';
export { archiveAttributes, readArchivedEvents } from './outbox/event-archive.js';
export type { ReplayOptions } from './outbox/event-replay.js';
export { replayEvents } from './outbox/event-replay.js';
export type {
  HandledEntries,
  ItemChange,
  OutboxBounds,
  OutboxRepositoryOptions,
} from './outbox/outbox.repository.js';
export { OutboxRepository, outboxAttribute, outboxEntryBytes } from './outbox/outbox.repository.js';
export type { OutboxBatch, OutboxFlusherOptions, OutboxSource } from './outbox/outbox-flusher.js';
export { OutboxFlusher } from './outbox/outbox-flusher.js';
export type { OutboxOwner } from './outbox/outbox-keys.js';
export { archiveKey, outboxKey, shardOf } from './outbox/outbox-keys.js';
export type { OutboxRelayOptions } from './outbox/outbox-relay.js';
export { OutboxRelay } from './outbox/outbox-relay.js';
export type { NodeBinaryArchitecture } from './runtime/pinned-node.js';
export { nodeBinaryPackages, pinnedNodeVersion } from './runtime/pinned-node.js';
