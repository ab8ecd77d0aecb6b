import { ConfigError, loadConfig, startService } from '@shop/platform';
import { createSearchClient } from '@shop/product-index';
import { httpServices } from '@shop/topology';
import { createApp } from './app.js';
import { catalogConfig } from './catalog.config.js';
import { createS3Client } from './media/media-storage.js';

function loadCatalogConfig() {
  try {
    return loadConfig(catalogConfig);
  } catch (error) {
    // As for the shared keys: one message naming the bad variables, no stack trace.
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

const config = loadCatalogConfig();
const eventsRateLimit = { perSecond: config.eventsRateLimitPerSecond, burst: config.eventsRateLimitBurst };
const search = config.searchEndpoint
  ? {
      client: createSearchClient({
        endpoint: config.searchEndpoint,
        timeoutMs: config.searchTimeoutMs,
        signing: config.searchSigning,
        region: config.region,
      }),
      alias: config.searchIndex,
    }
  : undefined;

const media =
  config.uploadBucket && config.mediaBucket
    ? {
        s3: createS3Client({ region: config.region, ...(config.s3Endpoint ? { endpoint: config.s3Endpoint } : {}) }),
        buckets: {
          uploadBucket: config.uploadBucket,
          mediaBucket: config.mediaBucket,
          ...(config.uploadUrl ? { uploadUrl: config.uploadUrl } : {}),
        },
      }
    : undefined;

const spec = httpServices.catalog;

startService({
  name: spec.name,
  portEnv: spec.port.env,
  defaultPort: spec.port.default,
  defaultMetricsPort: spec.metricsPort.default,
  createApp: (deps) =>
    createApp({ ...deps, eventsRateLimit, ...(search ? { search } : {}), ...(media ? { media } : {}) }),
});
