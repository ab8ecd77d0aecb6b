import { startService } from '@shop/platform';
import { createApp } from './app.js';

startService({ name: 'catalog', portEnv: 'CATALOG_PORT', defaultPort: 3001, defaultMetricsPort: 9101, createApp });
