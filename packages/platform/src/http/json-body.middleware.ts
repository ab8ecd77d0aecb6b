import bodyParser from 'koa-bodyparser';
import { UnsupportedMediaTypeError } from '../errors/app-error.js';
import type { AppMiddleware } from './app-context.js';

const jsonTypes = ['application/json', 'application/merge-patch+json', 'application/*+json'];

/**
 * Parses JSON bodies up to `limit`; a body of another media type is refused with 415 before any
 * parsing. A write with no body parses as `{}` so the schema reports what is missing.
 */
export function jsonBody(options: { limit: string }): AppMiddleware {
  const parse = bodyParser({
    enableTypes: ['json'],
    extendTypes: { json: jsonTypes },
    jsonLimit: options.limit,
    strict: true,
  }) as unknown as AppMiddleware;
  return async (ctx, next) => {
    if (ctx.request.length || ctx.get('transfer-encoding')) {
      if (!ctx.is(jsonTypes)) throw new UnsupportedMediaTypeError();
    }
    return parse(ctx, next);
  };
}
