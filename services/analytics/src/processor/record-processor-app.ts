import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClientConfig, type Logger, measureAwsClient, traceAwsClient, withTrace } from '@shop/platform';
import type { AnalyticsConfig } from '../analytics.config.js';
import { AlertClaimsRepository } from './alert-claims.repository.js';
import { type KclRecordProcessor, kclCallbacks, metricsPusher } from './kcl-callbacks.js';
import { LeaseRepository } from './lease.repository.js';
import { LowStockAlerter } from './low-stock-alerter.js';
import { CloudWatchMetricSink } from './metric-publisher.js';
import type { ProcessorMetrics } from './processor-metrics.js';
import { ShardProcessor } from './shard-processor.js';

export interface RecordProcessorDeps {
  config: AnalyticsConfig;
  logger: Logger;
  observer: ProcessorMetrics;
  documentClient: DynamoDBDocumentClient;
}

/**
 * The record processor of one shard lease, as the KCL's protocol calls it: the shard processor
 * and its dependencies, built from the configuration, behind the callbacks of `aws-kcl`.
 */
export function createRecordProcessor(deps: RecordProcessorDeps): KclRecordProcessor {
  const { config, logger, observer, documentClient } = deps;
  const clientOptions = (endpoint: string) => ({ region: config.region, ...(endpoint ? { endpoint } : {}) });
  const leases = new LeaseRepository({ documentClient, tableName: config.applicationName });
  const processor = new ShardProcessor({
    observer,
    trace: withTrace,
    metrics: new CloudWatchMetricSink(
      measureAwsClient(
        new CloudWatchClient(awsClientConfig(clientOptions(config.cloudWatchEndpoint))),
        observer.aws,
        'CloudWatch',
      ),
      config.namespace,
    ),
    alerts: new LowStockAlerter({
      claims: new AlertClaimsRepository({ documentClient, tableName: config.tableName }),
      sns: traceAwsClient(
        measureAwsClient(new SNSClient(awsClientConfig(clientOptions(config.snsEndpoint))), observer.aws, 'SNS'),
      ),
      topicArn: config.lowStockTopicArn,
    }),
    logger,
    windowMs: config.windowSeconds * 1000,
    ...(config.workerId ? { holdsLease: (shardId: string) => leases.holds(shardId, config.workerId) } : {}),
    dedupeCapacity: config.dedupeCapacity,
  });
  const pushMetrics = metricsPusher(config.metricsPushUrl, logger, () => observer.snapshot());
  setInterval(() => void pushMetrics(), 5_000).unref();
  return kclCallbacks(processor, logger, pushMetrics);
}
