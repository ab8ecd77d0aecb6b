import { STATUS_CODES } from 'node:http';
import { isDependencyUnavailable } from '../aws/dynamodb-errors.js';
import { AppError, ServiceUnavailableError } from '../errors/app-error.js';
import type { AppContext, AppMiddleware } from './app-context.js';

export const problemContentType = 'application/problem+json';

interface HttpLikeError {
  status?: unknown;
  statusCode?: unknown;
  expose?: unknown;
  type?: unknown;
  headers?: unknown;
}

// Errors thrown by Koa, the router and the body parser carry a 4xx status; we answer them with
// our own wording so no library message or stack ever reaches a client.
function fromHttpError(error: HttpLikeError): AppError | undefined {
  const status = Number(error.status ?? error.statusCode);
  if (!Number.isInteger(status) || status < 400 || status > 499) return undefined;
  const detail: Record<number, string> = {
    400: 'The request body is not valid JSON',
    404: 'No such resource',
    405: 'Method not allowed on this resource',
    413: 'The request body is too large',
    415: 'Request body must be application/json',
  };
  const headers =
    typeof error.headers === 'object' && error.headers !== null ? (error.headers as Record<string, string>) : undefined;
  return new AppError(status, detail[status] ?? STATUS_CODES[status] ?? 'Bad request', {
    ...(headers?.Allow ? { headers: { Allow: headers.Allow } } : {}),
  });
}

function toProblem(ctx: AppContext, error: AppError) {
  return {
    type: 'about:blank',
    title: error.title,
    status: error.status,
    detail: error.detail,
    instance: ctx.path,
    requestId: ctx.state.requestId,
    ...(error.errors ? { errors: error.errors } : {}),
    ...error.extensions,
  };
}

/** Sends an AppError as RFC 9457 problem+json. */
export function sendProblem(ctx: AppContext, error: AppError): void {
  ctx.status = error.status;
  for (const [name, value] of Object.entries(error.headers)) ctx.set(name, value);
  ctx.body = toProblem(ctx, error);
  ctx.type = problemContentType;
}

/**
 * The one error handler: typed errors become problem+json with their status, client errors from
 * libraries become problem+json with our wording, anything else is logged and answered as a
 * generic 500, except a dependency that is down or overloaded, which is a 503 with Retry-After. A bare 4xx status left by routing (404, 405) becomes a problem too, and so does the router's 501 for
 * a method no route has, as a 405.
 */
export function problemDetails(): AppMiddleware {
  return async (ctx, next) => {
    try {
      await next();
      // An unmatched route (404) or the router's 405 arrive as a bare status. The router answers a
      // method no route has at all (TRACE, CONNECT, a made-up one) with a bare 501, keeping `Allow`:
      // the resource exists and that method is not one of its own, which is a 405 (RFC 9110
      // 15.5.6), and a 5xx would count a scanner's probe as a failure of the service (issue 17).
      if (ctx.status === 501 && (ctx.body === undefined || ctx.body === null) && ctx.response.get('Allow')) {
        ctx.status = 405;
      }
      const bare =
        ctx.status >= 400 && (ctx.body === undefined || ctx.body === null)
          ? fromHttpError({ status: ctx.status })
          : undefined;
      if (bare) sendProblem(ctx, bare);
    } catch (error) {
      const known = error instanceof AppError ? error : fromHttpError(error as HttpLikeError);
      if (known) {
        sendProblem(ctx, known);
        return;
      }
      if (isDependencyUnavailable(error)) {
        ctx.state.log?.warn({ err: error, requestId: ctx.state.requestId }, 'dependency unavailable');
        sendProblem(
          ctx,
          new ServiceUnavailableError('A service this request depends on is unavailable; retry shortly'),
        );
        return;
      }
      ctx.state.log?.error({ err: error, requestId: ctx.state.requestId }, 'unhandled error');
      sendProblem(ctx, new AppError(500, 'An unexpected error occurred'));
    }
  };
}
