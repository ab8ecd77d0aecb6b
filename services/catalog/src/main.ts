import { ConfigError, loadConfig, startService } from '@shop/platform';
import { createApp } from './app.js';
import { catalogConfig } from './catalog.config.js';

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

startService({
  name: 'catalog',
  portEnv: 'CATALOG_PORT',
  defaultPort: 3001,
  defaultMetricsPort: 9101,
  createApp: (deps) => createApp({ ...deps, eventsRateLimit }),
});
