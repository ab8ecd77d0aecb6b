import { startService } from '@shop/platform';
import { createApp } from './app.js';

startService({ name: 'inventory', portEnv: 'INVENTORY_PORT', defaultPort: 3002, defaultMetricsPort: 9102, createApp });
