import { commonConfig, defineConfig, port } from '@shop/platform';
import Joi from 'joi';

/** Catalog configuration: the shared keys plus where and how it listens. */
export const catalogConfig = defineConfig({
  ...commonConfig,
  port: { env: 'CATALOG_PORT', doc: 'Port the catalog service listens on', schema: port(), default: 3001 },
  host: {
    env: 'BIND_HOST',
    doc: 'Address services bind to (127.0.0.1 locally; 0.0.0.0 on EC2 behind the ALB)',
    schema: Joi.string().ip(),
    default: '127.0.0.1',
  },
  bodyLimit: {
    env: 'BODY_LIMIT',
    doc: 'Largest accepted JSON body',
    schema: Joi.string().pattern(/^\d+(kb|mb)$/),
    default: '64kb',
  },
  shutdownTimeoutMs: {
    env: 'SHUTDOWN_TIMEOUT_MS',
    doc: 'How long in-flight requests may take to finish on SIGTERM',
    schema: Joi.number().integer().min(0),
    default: 20_000,
  },
});
