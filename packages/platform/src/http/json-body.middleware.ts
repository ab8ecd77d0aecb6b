import bodyParser from 'koa-bodyparser';
import { BadRequestError, UnsupportedMediaTypeError } from '../errors/app-error.js';
import type { AppMiddleware } from './app-context.js';

const jsonTypes = ['application/json', 'application/merge-patch+json', 'application/*+json'];

/** Deeper than any body of the API (a product is 3 levels); a limit, so that nothing recurses unbounded. */
export const maxJsonDepth = 32;

/** The largest JSON body a service parses unless its configuration (`BODY_LIMIT`) says otherwise. */
export const defaultBodyLimitBytes = 64 * 1024;

/** `defaultBodyLimitBytes` as `BODY_LIMIT` and the body parser write it. */
export const defaultBodyLimit = `${defaultBodyLimitBytes / 1024}kb`;

/**
 * What is wrong with a parsed body, if anything: nested deeper than `maxJsonDepth`, or a string or
 * key that is not well-formed Unicode (a lone surrogate). Walks with its own stack, so a body of
 * 20,000 nested arrays is answered, not a stack overflow.
 */
function bodyFault(body: unknown): 'too deep' | 'not unicode' | undefined {
  const pending: Array<{ value: unknown; depth: number }> = [{ value: body, depth: 0 }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const { value, depth } = next;
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return 'not unicode';
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= maxJsonDepth) return 'too deep';
    for (const [key, member] of Object.entries(value)) {
      if (!key.isWellFormed()) return 'not unicode';
      pending.push({ value: member, depth: depth + 1 });
    }
  }
  return undefined;
}

const faults = {
  'too deep': `The request body is nested deeper than ${maxJsonDepth} levels`,
  'not unicode': 'The request body contains text that is not valid Unicode (a lone surrogate)',
};

/**
 * Parses JSON bodies up to `limit` (decompressed; `defaultBodyLimit` when left out); a body of
 * another media type is refused with 415 before any parsing. A write with no body parses as `{}`
 * so the schema reports what is missing.
 * Refused with 400: a body whose `Content-Encoding` does not decode (not gzip, cut short), a body
 * nested deeper than `maxJsonDepth`, and text with lone surrogates (`"\ud800"`), which is not
 * Unicode and which DynamoDB would refuse to store.
 */
export function jsonBody(options: { limit?: string | undefined }): AppMiddleware {
  const parse = bodyParser({
    enableTypes: ['json'],
    extendTypes: { json: jsonTypes },
    jsonLimit: options.limit ?? defaultBodyLimit,
    strict: true,
  }) as unknown as AppMiddleware;
  return async (ctx, next) => {
    if (ctx.request.length || ctx.get('transfer-encoding')) {
      if (!ctx.is(jsonTypes)) throw new UnsupportedMediaTypeError();
    }
    let read = false;
    try {
      await parse(ctx, async () => {
        read = true;
        const fault = bodyFault(ctx.request.body);
        if (fault) throw new BadRequestError(faults[fault]);
        await next();
      });
    } catch (error) {
      // zlib's errors carry no status: a body that does not decode is the client's, not a 500.
      const status = (error as { status?: unknown }).status;
      if (!read && status === undefined && ctx.get('content-encoding')) {
        throw new BadRequestError(`The request body is not valid ${ctx.get('content-encoding')} data`);
      }
      throw error;
    }
  };
}
