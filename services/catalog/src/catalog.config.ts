import { commonConfig, defineConfig } from '@shop/platform';
import { searchConfig } from '@shop/product-index';
import Joi from 'joi';

/** The limit of `POST /api/events` per client when the configuration does not say otherwise. */
export const defaultEventsRateLimit = { perSecond: 10, burst: 20 } as const;

/** Catalog's own configuration, beside the keys every service shares (`serviceConfig` in the platform). */
export const catalogConfig = defineConfig({
  eventsRateLimitPerSecond: {
    env: 'EVENTS_RATE_LIMIT_PER_SECOND',
    doc: 'Sustained POST /api/events requests per second per client address (public, so tighter than RATE_LIMIT_PER_SECOND)',
    schema: Joi.number().positive(),
    default: defaultEventsRateLimit.perSecond,
  },
  region: commonConfig.region,
  ...searchConfig,
  searchTimeoutMs: {
    env: 'SEARCH_TIMEOUT_MS',
    doc: 'How long a search may wait for the engine before answering 503',
    schema: Joi.number().integer().min(50).max(30_000),
    default: 1000,
  },
  uploadBucket: {
    env: 'UPLOAD_BUCKET',
    doc: 'The private bucket image uploads go to; product media answers 503 without it',
    schema: Joi.string().allow(''),
    default: '',
  },
  mediaBucket: {
    env: 'MEDIA_BUCKET',
    doc: 'The private bucket of checked, resized product images that the CDN serves under /media/',
    schema: Joi.string().allow(''),
    default: '',
  },
  s3Endpoint: {
    env: 'S3_ENDPOINT',
    doc: 'S3 endpoint override (moto locally); the regional endpoint when empty',
    schema: Joi.string().uri().allow(''),
    default: '',
  },
  uploadUrl: {
    env: 'UPLOAD_URL',
    doc: "Where clients send upload forms instead of the upload bucket's own URL (the local gateway)",
    schema: Joi.string().uri().allow(''),
    default: '',
  },
  eventsRateLimitBurst: {
    env: 'EVENTS_RATE_LIMIT_BURST',
    doc: 'POST /api/events requests a client may send at once',
    schema: Joi.number().integer().min(1),
    default: defaultEventsRateLimit.burst,
  },
});
