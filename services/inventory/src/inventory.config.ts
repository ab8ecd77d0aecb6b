import { analyticsNamespace, commonConfig, defineConfig, url } from '@shop/platform';
import Joi from 'joi';

/** Inventory's own configuration, beside the keys every service shares (`serviceConfig` in the platform). */
export const inventoryConfig = defineConfig({
  region: commonConfig.region,
  metricsNamespace: {
    env: 'METRICS_NAMESPACE',
    doc: 'CloudWatch namespace the analytics fleet publishes in, read by the staff dashboard',
    schema: Joi.string().min(1).max(255),
    default: analyticsNamespace,
  },
  cloudWatchEndpoint: {
    env: 'CLOUDWATCH_ENDPOINT',
    doc: 'CloudWatch endpoint override (moto server locally); empty in AWS',
    schema: url().allow(''),
    default: '',
  },
  dashboardCacheSeconds: {
    env: 'DASHBOARD_CACHE_SECONDS',
    doc: 'How long a dashboard answer is reused for the same window, and its Cache-Control max-age',
    schema: Joi.number().integer().min(0).max(300),
    default: 5,
  },
});
