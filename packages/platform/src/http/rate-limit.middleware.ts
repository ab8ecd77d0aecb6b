import { TooManyRequestsError } from '../errors/app-error.js';
import type { AppContext, AppMiddleware } from './app-context.js';

export interface RateLimitOptions {
  /** Sustained requests per second one client may send. */
  perSecond: number;
  /** Requests a client may send at once after being idle. */
  burst: number;
  /** Most clients tracked; idle ones are forgotten first. */
  maxClients?: number;
  /** Who the client is; the caller's address (after trusted proxies) by default. */
  clientKey?: (ctx: AppContext) => string;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per client, in this process: a client may send `burst` requests at once and
 * `perSecond` sustained; beyond that it gets 429 with `Retry-After`. The health routes are not
 * limited (the load balancer polls them). A second line behind the WAF's rate rule in AWS.
 */
export function rateLimit(options: RateLimitOptions): AppMiddleware {
  const { perSecond, burst } = options;
  const maxClients = options.maxClients ?? 50_000;
  const clientKey = options.clientKey ?? ((ctx: AppContext) => ctx.ip);
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();

  const refill = (bucket: Bucket, at: number) => {
    bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = at;
  };

  // Full buckets carry no state worth keeping; if every bucket is busy, the least recently seen goes.
  const makeRoom = (at: number) => {
    for (const [key, bucket] of buckets) {
      refill(bucket, at);
      if (bucket.tokens >= burst) buckets.delete(key);
    }
    while (buckets.size >= maxClients) {
      const oldest = buckets.keys().next();
      if (oldest.done) break;
      buckets.delete(oldest.value);
    }
  };

  return async (ctx, next) => {
    if (ctx.path === '/healthz' || ctx.path === '/readyz') return next();
    const at = now();
    const key = clientKey(ctx);
    let bucket = buckets.get(key);
    if (bucket) {
      refill(bucket, at);
      // Re-inserting keeps the map in least-recently-seen order.
      buckets.delete(key);
    } else {
      if (buckets.size >= maxClients) makeRoom(at);
      bucket = { tokens: burst, updatedAt: at };
    }
    buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
      throw new TooManyRequestsError('Too many requests from this client; slow down', retryAfter);
    }
    bucket.tokens -= 1;
    await next();
  };
}
