import { randomUUID } from 'node:crypto';
import type { Logger } from '../logging/logger.js';
import { currentTraceHeader } from '../observability/tracing.js';
import type { AppMiddleware } from './app-context.js';

const acceptableRequestId = /^[A-Za-z0-9._-]{1,128}$/;

/** Route template of the request (e.g. `/api/products/:id`), never the raw path. */
export function routeTemplate(ctx: object): string {
  const { _matchedRoute: route } = ctx as { _matchedRoute?: string | RegExp };
  return typeof route === 'string' ? route : 'unmatched';
}

/**
 * Gives every request an id (the caller's `X-Request-Id` when it is sane) and one access-log line
 * when it ends. Log lines about a request name its `requestId`; no child logger is made per
 * request, which is measurable on the hot path.
 */
export function requestContext(logger: Logger): AppMiddleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const incoming = ctx.get('x-request-id');
    const requestId = acceptableRequestId.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.state.log = logger;
    ctx.set('X-Request-Id', requestId);
    try {
      await next();
    } finally {
      if (logger.isLevelEnabled('info')) {
        const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
        logger.info(
          {
            requestId,
            traceId: /Root=([^;]+)/.exec(currentTraceHeader() ?? '')?.[1],
            method: ctx.method,
            route: routeTemplate(ctx),
            status: ctx.status,
            durationMs: Math.round(durationMs * 100) / 100,
          },
          'request',
        );
      }
    }
  };
}
