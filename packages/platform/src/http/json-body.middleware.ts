import bodyParser from 'koa-bodyparser';
import { BadRequestError, UnsupportedMediaTypeError } from '../errors/app-error.js';
import type { AppMiddleware } from './app-context.js';

const jsonTypes = ['application/json', 'application/merge-patch+json', 'application/*+json'];

/** True when every string and key in the value is well-formed Unicode (no lone surrogates). */
function wellFormed(value: unknown): boolean {
  if (typeof value === 'string') return value.isWellFormed();
  if (Array.isArray(value)) return value.every(wellFormed);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(([key, member]) => key.isWellFormed() && wellFormed(member));
  }
  return true;
}

/**
 * Parses JSON bodies up to `limit`; a body of another media type is refused with 415 before any
 * parsing. A write with no body parses as `{}` so the schema reports what is missing. Text with
 * lone surrogates (`"\ud800"`) is refused with 400: it is not Unicode, and DynamoDB would refuse
 * to store it.
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
    return parse(ctx, async () => {
      if (!wellFormed(ctx.request.body)) {
        throw new BadRequestError('The request body contains text that is not valid Unicode (a lone surrogate)');
      }
      await next();
    });
  };
}
