import type { AccessTokenVerifier, Principal } from '../auth/access-token-verifier.js';
import { bearerTokenOf } from '../auth/require-group.middleware.js';
import { TooManyRequestsError } from '../errors/app-error.js';
import type { AppContext, AppMiddleware } from './app-context.js';

/** A token bucket's size: `burst` requests at once after being idle, `perSecond` sustained. */
export interface RateQuota {
  perSecond: number;
  burst: number;
}

/** Signed-in callers, limited by their token's subject instead of their address. */
export interface CallerQuotas {
  verifier: AccessTokenVerifier;
  /** A signed-in user in none of `groups`. */
  signedIn: RateQuota;
  /** Per Cognito group; a member of several gets the largest. */
  groups?: Readonly<Record<string, RateQuota>>;
}

/** The quota of anonymous callers (per client address), and optionally of signed-in ones. */
export interface RateLimitOptions extends RateQuota {
  callers?: CallerQuotas;
  /** Most clients tracked; idle ones are forgotten first. */
  maxClients?: number;
  /** Who an anonymous client is; the caller's address (after trusted proxies) by default. */
  clientKey?: (ctx: AppContext) => string;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
  quota: RateQuota;
  policy: string;
}

interface Caller {
  key: string;
  quota: RateQuota;
  /** The quota's name in the `RateLimit-Policy` header. */
  policy: string;
}

/** The signed-in caller a valid token names, or undefined (no token, or one that does not verify). */
async function signedInCaller(ctx: AppContext, callers: CallerQuotas): Promise<Caller | undefined> {
  const token = bearerTokenOf(ctx.get('authorization'));
  if (!token) return undefined;
  let principal: Principal;
  try {
    principal = await callers.verifier.verify(token);
  } catch {
    // Limited as anonymous; the route's own check answers the 401 (or the 503).
    return undefined;
  }
  let policy = 'user';
  let quota = callers.signedIn;
  for (const group of principal.groups) {
    const groupQuota = callers.groups?.[group];
    if (groupQuota && groupQuota.perSecond > quota.perSecond) {
      policy = group;
      quota = groupQuota;
    }
  }
  return { key: `subject ${principal.subject}`, quota, policy };
}

/** The draft IETF RateLimit headers (draft-ietf-httpapi-ratelimit-headers): the policy, and what is left of it. */
function rateLimitHeaders(bucket: Bucket): Record<string, string> {
  const { burst, perSecond } = bucket.quota;
  const window = Math.ceil(burst / perSecond);
  const untilFull = Math.ceil((burst - bucket.tokens) / perSecond);
  return {
    'RateLimit-Policy': `"${bucket.policy}";q=${burst};w=${window}`,
    RateLimit: `"${bucket.policy}";r=${Math.max(0, Math.floor(bucket.tokens))};t=${untilFull}`,
  };
}

/**
 * A token bucket per caller, in this process: anonymous callers per client address, signed-in
 * callers (a token that verifies) per subject, with their group's quota, so a checkout backend
 * behind one NAT address is not held to one address's share. Beyond its bucket a caller gets 429
 * with `Retry-After`; every limited answer carries `RateLimit-Policy` and `RateLimit`. The health
 * routes are not limited (the load balancer polls them). A second line behind the WAF's rate rule
 * in AWS.
 */
export function rateLimit(options: RateLimitOptions): AppMiddleware {
  const maxClients = options.maxClients ?? 50_000;
  const clientKey = options.clientKey ?? ((ctx: AppContext) => ctx.ip);
  const anonymous: RateQuota = { perSecond: options.perSecond, burst: options.burst };
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();

  const refill = (bucket: Bucket, at: number) => {
    const { burst, perSecond } = bucket.quota;
    bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.updatedAt) / 1000) * perSecond);
    bucket.updatedAt = at;
  };

  // Full buckets carry no state worth keeping; if every bucket is busy, the least recently seen goes.
  const makeRoom = (at: number) => {
    for (const [key, bucket] of buckets) {
      refill(bucket, at);
      if (bucket.tokens >= bucket.quota.burst) buckets.delete(key);
    }
    while (buckets.size >= maxClients) {
      const oldest = buckets.keys().next();
      if (oldest.done) break;
      buckets.delete(oldest.value);
    }
  };

  const bucketOf = (caller: Caller, at: number): Bucket => {
    let bucket = buckets.get(caller.key);
    if (bucket) {
      refill(bucket, at);
      // Re-inserting keeps the map in least-recently-seen order.
      buckets.delete(caller.key);
    } else {
      if (buckets.size >= maxClients) makeRoom(at);
      bucket = { tokens: caller.quota.burst, updatedAt: at, quota: caller.quota, policy: caller.policy };
    }
    buckets.set(caller.key, bucket);
    return bucket;
  };

  return async (ctx, next) => {
    if (ctx.path === '/healthz' || ctx.path === '/readyz') return next();
    const caller = (options.callers && (await signedInCaller(ctx, options.callers))) ?? {
      key: `address ${clientKey(ctx)}`,
      quota: anonymous,
      policy: 'address',
    };
    const bucket = bucketOf(caller, now());
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / bucket.quota.perSecond));
      throw new TooManyRequestsError('Too many requests from this client; slow down', retryAfter, {
        headers: rateLimitHeaders(bucket),
      });
    }
    bucket.tokens -= 1;
    ctx.set(rateLimitHeaders(bucket));
    await next();
  };
}
