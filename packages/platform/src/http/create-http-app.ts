import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type Router from '@koa/router';
import Koa from 'koa';
import type { EventPublisher } from '../events/cloud-event.js';
import type { Logger } from '../logging/logger.js';
import type { AppState } from './app-context.js';
import { type HealthOptions, healthRoutes, type ReadinessCheck } from './health.routes.js';
import { jsonBody } from './json-body.middleware.js';
import { problemDetails } from './problem-details.middleware.js';
import { requestContext } from './request-context.middleware.js';

export interface HttpAppOptions {
  logger: Logger;
  health: HealthOptions;
  /** Largest accepted JSON body, e.g. '64kb'. */
  bodyLimit?: string;
}

/**
 * A Koa app with the platform's kit in front: request id and access log, problem+json errors,
 * JSON body parsing with a size limit, baseline security headers and the health routes. Services
 * mount their routers on it.
 */
export function createHttpApp(options: HttpAppOptions): Koa<AppState> {
  const app = new Koa<AppState>({ proxy: true });
  // Errors are answered and logged by problemDetails; Koa's default stderr printing would duplicate them.
  app.silent = true;
  const health = healthRoutes(options.health);
  app.use(requestContext(options.logger));
  app.use(problemDetails());
  app.use(jsonBody({ limit: options.bodyLimit ?? '64kb' }));
  app.use(health.routes());
  return app;
}

/** What every service's `createApp` receives; `startService` provides all of it in production. */
export interface ServiceAppDeps {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  publisher: EventPublisher;
  logger: Logger;
  /** Dependency checks behind `/readyz`. */
  readiness?: Record<string, ReadinessCheck>;
  isDraining?: () => boolean;
  bodyLimit?: string;
}

/** A service's app: the kit from `createHttpApp` with the service's routers mounted. */
export function createServiceApp(deps: ServiceAppDeps, routers: Array<Router<AppState>>): Koa<AppState> {
  const app = createHttpApp({
    logger: deps.logger,
    health: { checks: deps.readiness ?? {}, ...(deps.isDraining ? { isDraining: deps.isDraining } : {}) },
    ...(deps.bodyLimit ? { bodyLimit: deps.bodyLimit } : {}),
  });
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
}
