import {
  type ConfigOf,
  commonConfig,
  defineConfig,
  environmentHasAwsCredentials,
  port,
  tracingConfig,
  url,
} from '@shop/platform';
import { analyticsWorker } from '@shop/topology';
import Joi from 'joi';

/** Configuration of an analytics worker and the record processors its daemon runs. */
export const analyticsConfig = defineConfig({
  ...commonConfig,
  ...tracingConfig,
  metricsPort: {
    env: 'METRICS_PORT',
    doc: "Port of the worker's GET /metrics (Prometheus text: the worker and its record processors)",
    schema: port(),
    default: analyticsWorker.metricsPort.default,
  },
  windowSeconds: {
    env: 'ANALYTICS_WINDOW_SECONDS',
    doc: 'Metric window: events are counted per window of event time, published when it closes',
    schema: Joi.number().integer().min(1).max(3600),
    default: 60,
  },
  namespace: {
    env: 'METRICS_NAMESPACE',
    doc: 'CloudWatch namespace of the analytics metrics',
    schema: Joi.string().min(1).max(255),
    default: 'Shop',
  },
  cloudWatchEndpoint: {
    env: 'CLOUDWATCH_ENDPOINT',
    doc: 'CloudWatch endpoint override (moto server locally); empty in AWS',
    schema: url().allow(''),
    default: '',
  },
  snsEndpoint: {
    env: 'SNS_ENDPOINT',
    doc: 'SNS endpoint override (moto server locally); empty in AWS',
    schema: url().allow(''),
    default: '',
  },
  lowStockTopicArn: {
    env: 'LOW_STOCK_TOPIC_ARN',
    doc: 'ARN of the SNS topic low-stock-alerts that suppliers subscribe to',
    schema: Joi.string().pattern(/^arn:aws[\w-]*:sns:/),
    default: 'arn:aws:sns:us-east-1:123456789012:low-stock-alerts',
  },
  applicationName: {
    env: 'KCL_APPLICATION_NAME',
    doc: "KCL application name: also the name of the lease table in DynamoDB; empty for the worker's own (shop-analytics, shop-search-indexer)",
    schema: Joi.string().min(3).max(255).allow(''),
    default: '',
  },
  initialPosition: {
    env: 'KCL_INITIAL_POSITION',
    doc: 'Where a shard without a checkpoint is read from: TRIM_HORIZON or LATEST',
    schema: Joi.string().valid('TRIM_HORIZON', 'LATEST'),
    default: 'TRIM_HORIZON',
  },
  failoverTimeMillis: {
    env: 'KCL_FAILOVER_MILLIS',
    doc: 'How long a lease may go unrenewed before another worker takes the shard over',
    schema: Joi.number().integer().min(1000),
    default: 10000,
  },
  workerId: {
    env: 'KCL_WORKER_ID',
    doc: "The worker's id in the lease table; the worker makes one when empty and passes it to its record processors",
    schema: Joi.string().allow('').max(255),
    default: '',
  },
  metricsPushUrl: {
    env: 'ANALYTICS_METRICS_PUSH_URL',
    doc: "Where a record processor pushes its metrics for the worker's /metrics (set by the worker)",
    schema: url().allow(''),
    default: '',
  },
  dedupeCapacity: {
    env: 'ANALYTICS_DEDUPE_IDS',
    doc: 'Event ids each shard processor remembers to drop duplicate deliveries',
    schema: Joi.number().integer().min(0),
    default: 200000,
  },
});

export type AnalyticsConfig = ConfigOf<typeof analyticsConfig>;

/**
 * The environment the worker starts its KCL daemon (and so its record processors) with: its own,
 * with placeholder credentials for the stand-ins when it has none (the Java SDK's default chain
 * needs some even for endpoints that accept any), and the given additions.
 */
export function daemonEnvironment(config: AnalyticsConfig, additions: Record<string, string>): NodeJS.ProcessEnv {
  const local =
    config.kinesisEndpoint && !environmentHasAwsCredentials()
      ? { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' }
      : {};
  return { ...process.env, ...local, ...additions };
}
