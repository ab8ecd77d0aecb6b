import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import cors from '@koa/cors';
import type Router from '@koa/router';
import Koa from 'koa';
import helmet from 'koa-helmet';
import type { AccessTokenVerifier } from '../auth/access-token-verifier.js';
import type { EventPublisher } from '../events/cloud-event.js';
import { PublisherSaturatedError } from '../events/kinesis-publisher.js';
import type { Logger } from '../logging/logger.js';
import { httpMetrics, type ProcessMetrics } from '../observability/metrics.js';
import { tracingMiddleware } from '../observability/tracing.js';
import type { OutboxOwner } from '../outbox/outbox-keys.js';
import { OutboxRelay } from '../outbox/outbox-relay.js';
import type { AppState } from './app-context.js';
import { concretePathsFirst } from './concrete-paths.middleware.js';
import { type HealthOptions, healthRoutes, type ReadinessCheck } from './health.routes.js';
import { jsonBody } from './json-body.middleware.js';
import { problemDetails } from './problem-details.middleware.js';
import { type RateLimitOptions, rateLimit } from './rate-limit.middleware.js';
import { requestContext } from './request-context.middleware.js';

export interface HttpAppOptions {
  logger: Logger;
  health: HealthOptions;
  /** Largest accepted JSON body, e.g. '64kb'. */
  bodyLimit?: string;
  /** Browser origins allowed to call the API from another origin (the storefront's). */
  corsOrigins?: readonly string[];
  /** Per-caller request limit (by address, or by subject when signed in); none when left out. */
  rateLimit?: RateLimitOptions;
  /** Proxies in front whose `X-Forwarded-For` entry is trusted (the ALB is one; CloudFront adds one). */
  proxyHops?: number;
  /** Where request counts and durations are recorded. */
  metrics?: ProcessMetrics;
}

const corsAllowedHeaders = ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key', 'X-Request-Id'];
const corsExposedHeaders = [
  'ETag',
  'Location',
  'Retry-After',
  'X-Request-Id',
  'Idempotent-Replayed',
  'X-Amzn-Trace-Id',
  'RateLimit',
  'RateLimit-Policy',
];

/**
 * A Koa app with the platform's kit in front: request id and access log, problem+json errors,
 * security headers, a CORS allow-list, a per-client rate limit, JSON body parsing with a size
 * limit, and the health routes. Services mount their routers on it.
 */
export function createHttpApp(options: HttpAppOptions): Koa<AppState> {
  const app = new Koa<AppState>({ proxy: true, maxIpsCount: options.proxyHops ?? 1 });
  // Errors are answered and logged by problemDetails; Koa's default stderr printing would duplicate them.
  app.silent = true;
  const allowedOrigins = new Set(options.corsOrigins ?? []);
  const health = healthRoutes({ logger: options.logger, ...options.health });
  // A segment per request (when tracing is configured); everything after runs inside it.
  app.use(tracingMiddleware() as Koa.Middleware<AppState>);
  if (options.metrics) app.use(httpMetrics(options.metrics));
  app.use(requestContext(options.logger));
  const { isDraining } = options.health;
  if (isDraining) {
    // While draining, each answer closes its connection: a client's next request opens a new
    // one (refused once the server stops listening) instead of racing the close of an idle one.
    app.use(async (ctx, next) => {
      await next();
      if (isDraining()) ctx.set('Connection', 'close');
    });
  }
  app.use(problemDetails());
  app.use(
    helmet({
      // The services answer JSON only: nothing in an answer may load, frame or run anything.
      contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    }),
  );
  app.use(
    cors({
      origin: (ctx) => (allowedOrigins.has(ctx.get('origin')) ? ctx.get('origin') : ''),
      allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowHeaders: corsAllowedHeaders,
      exposeHeaders: corsExposedHeaders,
      maxAge: 600,
    }),
  );
  if (options.rateLimit) app.use(rateLimit(options.rateLimit));
  app.use(jsonBody({ limit: options.bodyLimit }));
  app.use(health.routes());
  return app;
}

/** What every service's `createApp` receives; `startService` provides all of it in production. */
export interface ServiceAppDeps {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  publisher: EventPublisher;
  logger: Logger;
  /** Verifies the bearer access tokens that writes require. */
  auth: AccessTokenVerifier;
  /** Dependency checks behind `/readyz`. */
  readiness?: Record<string, ReadinessCheck>;
  isDraining?: () => boolean;
  bodyLimit?: string;
  corsOrigins?: readonly string[];
  rateLimit?: RateLimitOptions;
  proxyHops?: number;
  /** How the outbox relay sweeps; the defaults suit production. */
  outboxRelay?: { intervalMs?: number; minAgeMs?: number };
  metrics?: ProcessMetrics;
}

/** Work a service runs beside its requests (e.g. the outbox relay); started after listen, stopped on drain. */
export interface BackgroundTask {
  start(): void;
  stop(): Promise<void>;
}

/** A service's Koa app with the background tasks whoever serves it starts and stops. */
export type ServiceApp = Koa<AppState> & { readonly background: readonly BackgroundTask[] };

/**
 * A service's app: the kit from `createHttpApp` with the service's routers mounted, and the
 * background tasks whoever serves it starts and stops (`startService`, the test kit).
 */
export function createServiceApp(
  deps: ServiceAppDeps,
  routers: Array<Router<AppState>>,
  background: BackgroundTask[] = [],
): ServiceApp {
  const app = createHttpApp({
    logger: deps.logger,
    health: { checks: deps.readiness ?? {}, ...(deps.isDraining ? { isDraining: deps.isDraining } : {}) },
    ...(deps.bodyLimit ? { bodyLimit: deps.bodyLimit } : {}),
    ...(deps.corsOrigins ? { corsOrigins: deps.corsOrigins } : {}),
    ...(deps.rateLimit ? { rateLimit: deps.rateLimit } : {}),
    ...(deps.proxyHops ? { proxyHops: deps.proxyHops } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  // Backpressure: while events cannot leave, refuse new changes rather than pile them up.
  app.use(async (ctx, next) => {
    if (deps.publisher.saturated && !['GET', 'HEAD', 'OPTIONS'].includes(ctx.method)) {
      throw new PublisherSaturatedError();
    }
    await next();
  });
  app.use(concretePathsFirst(routers));
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return Object.assign(app, { background });
}

/** A service's relay for its own outboxes, configured from the service's dependencies. */
export function serviceOutboxRelay(
  deps: ServiceAppDeps,
  owner: OutboxOwner,
  flush: (productId: string) => Promise<void>,
): OutboxRelay {
  return new OutboxRelay({
    documentClient: deps.documentClient,
    tableName: deps.tableName,
    owner,
    flush,
    logger: deps.logger,
    ...deps.outboxRelay,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
}
