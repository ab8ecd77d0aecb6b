import Joi from 'joi';
import type { AccessTokenVerifier } from '../auth/access-token-verifier.js';
import type { RateLimitOptions, RateQuota } from './rate-limit.middleware.js';

const groupQuotas = /^(?:[\w-]+=\d+(?:\.\d+)?\/\d+(?:,[\w-]+=\d+(?:\.\d+)?\/\d+)*)?$/;

/** The configuration keys of the service-wide rate limit. */
export const rateLimitConfig = {
  rateLimitPerSecond: {
    env: 'RATE_LIMIT_PER_SECOND',
    doc: 'Sustained requests per second per client address of anonymous callers; 0 turns every limit off',
    schema: Joi.number().min(0),
    default: 100,
  },
  rateLimitBurst: {
    env: 'RATE_LIMIT_BURST',
    doc: 'Requests an anonymous client address may send at once',
    schema: Joi.number().integer().min(1),
    default: 200,
  },
  userRateLimitPerSecond: {
    env: 'USER_RATE_LIMIT_PER_SECOND',
    doc: 'Sustained requests per second per signed-in user (per token subject) in none of GROUP_RATE_LIMITS',
    schema: Joi.number().greater(0),
    default: 100,
  },
  userRateLimitBurst: {
    env: 'USER_RATE_LIMIT_BURST',
    doc: 'Requests such a signed-in user may send at once',
    schema: Joi.number().integer().min(1),
    default: 200,
  },
  groupRateLimits: {
    env: 'GROUP_RATE_LIMITS',
    doc: "Per Cognito group, a signed-in member's quota as group=perSecond/burst, comma-separated; a member of several gets the largest",
    schema: Joi.string().allow('').pattern(groupQuotas),
    default: 'inventory-staff=1000/1000,catalog-admin=200/400',
  },
} as const;

interface RateLimitConfig {
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  userRateLimitPerSecond: number;
  userRateLimitBurst: number;
  groupRateLimits: string;
}

/** The limiter's options from its configuration, or none when `RATE_LIMIT_PER_SECOND` is 0. */
export function rateLimitOptionsOf(
  config: RateLimitConfig,
  verifier: AccessTokenVerifier,
): RateLimitOptions | undefined {
  if (config.rateLimitPerSecond <= 0) return undefined;
  const groups: Record<string, RateQuota> = {};
  for (const entry of config.groupRateLimits.split(',').filter(Boolean)) {
    const [group = '', quota = ''] = entry.split('=');
    const [perSecond, burst] = quota.split('/').map(Number);
    groups[group] = { perSecond: perSecond ?? 0, burst: burst ?? 0 };
  }
  return {
    perSecond: config.rateLimitPerSecond,
    burst: config.rateLimitBurst,
    callers: {
      verifier,
      signedIn: { perSecond: config.userRateLimitPerSecond, burst: config.userRateLimitBurst },
      groups,
    },
  };
}
