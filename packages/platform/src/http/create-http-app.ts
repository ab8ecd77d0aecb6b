import Koa from 'koa';
import type { Logger } from '../logging/logger.js';
import type { AppState } from './app-context.js';
import { type HealthOptions, healthRoutes } from './health.routes.js';
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
