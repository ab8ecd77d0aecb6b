// Run by the KCL MultiLangDaemon, one process per shard lease. stdout is the daemon's protocol
// channel: nothing else may write there, so logs go to stderr (the daemon passes it on).
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  awsClientConfig,
  configureTracing,
  createDocumentClient,
  createDynamoDbClient,
  createLogger,
  loadConfig,
  measureAwsClient,
  traceAwsClient,
  withTrace,
} from '@shop/platform';
import kcl from 'aws-kcl';
import { analyticsConfig } from '../analytics.config.js';
import { LowStockAlerter } from './low-stock-alerter.js';
import { CloudWatchMetricSink } from './metric-publisher.js';
import { ProcessorMetrics } from './processor-metrics.js';
import { type Checkpoint, type KclRecord, ShardProcessor } from './shard-processor.js';

const config = loadConfig(analyticsConfig);
const logger = createLogger({ name: 'analytics', level: config.logLevel, fd: 2 });
const clientOptions = (endpoint: string) => ({ region: config.region, ...(endpoint ? { endpoint } : {}) });

configureTracing({
  serviceName: 'analytics',
  enabled: config.tracingEnabled,
  samplingRate: config.xraySamplingRate,
  daemonAddress: config.xrayDaemonAddress,
  logger,
});
const observer = new ProcessorMetrics();
const documentClient = createDocumentClient(
  traceAwsClient(
    measureAwsClient(createDynamoDbClient(clientOptions(config.dynamoDbEndpoint)), observer.aws, 'DynamoDB'),
  ),
);
const workerId = process.env.KCL_WORKER_ID;

const pushUrl = process.env.ANALYTICS_METRICS_PUSH_URL;
// The worker serves these with its own; a push that fails (worker restarting) is simply the next one's.
const pushMetrics = async () => {
  if (!pushUrl) return;
  try {
    await fetch(pushUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ processor: String(process.pid), metrics: await observer.snapshot() }),
      signal: AbortSignal.timeout(2_000),
    });
  } catch (error) {
    logger.debug({ err: error }, 'metrics push failed');
  }
};
setInterval(() => void pushMetrics(), 5_000).unref();

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
    documentClient,
    tableName: config.tableName,
    sns: traceAwsClient(
      measureAwsClient(new SNSClient(awsClientConfig(clientOptions(config.snsEndpoint))), observer.aws, 'SNS'),
    ),
    topicArn: config.lowStockTopicArn,
  }),
  logger,
  windowMs: config.windowSeconds * 1000,
  // The KCL's lease table: one item per shard, keyed by leaseKey, naming its leaseOwner.
  ...(workerId
    ? {
        holdsLease: async (shardId: string) => {
          const { Item } = await documentClient.send(
            new GetCommand({ TableName: config.applicationName, Key: { leaseKey: shardId }, ConsistentRead: true }),
          );
          return Item?.leaseOwner === workerId;
        },
      }
    : {}),
  dedupeCapacity: config.dedupeCapacity,
});

// The KCL answers a checkpoint of a shard we no longer own with ShutdownException: nothing to retry.
function checkpointerOf(checkpointer: kcl.Checkpointer): Checkpoint {
  return (sequenceNumber) =>
    new Promise((resolve, reject) => {
      const done = (error?: unknown) => {
        if (!error) resolve();
        else if (String(error).includes('ShutdownException')) {
          logger.warn({ error }, 'checkpoint refused: the lease is gone');
          resolve();
        } else reject(new Error(String(error)));
      };
      if (sequenceNumber === undefined) checkpointer.checkpoint(done);
      else checkpointer.checkpoint(sequenceNumber, done);
    });
}

function settle(work: Promise<void> | void, done: () => void): void {
  Promise.resolve(work).then(done, (error: unknown) => {
    // Unreachable by design (the processor retries), but a crash here would stall the shard.
    logger.error({ err: error }, 'record processor failed');
    done();
  });
}

kcl({
  initialize(input: { shardId: string }, done: () => void) {
    settle(processor.initialize(input.shardId), done);
  },
  processRecords(
    input: { records: KclRecord[]; checkpointer: kcl.Checkpointer; millisBehindLatest?: number | null },
    done: () => void,
  ) {
    settle(
      processor.processRecords(input.records ?? [], checkpointerOf(input.checkpointer), input.millisBehindLatest),
      done,
    );
  },
  leaseLost(_input: unknown, done: () => void) {
    settle(processor.leaseLost(), done);
  },
  shardEnded(input: { checkpointer: kcl.Checkpointer }, done: () => void) {
    settle(processor.shardEnded(checkpointerOf(input.checkpointer)).then(pushMetrics), done);
  },
  shutdownRequested(input: { checkpointer: kcl.Checkpointer }, done: () => void) {
    settle(processor.shutdownRequested(checkpointerOf(input.checkpointer)).then(pushMetrics), done);
  },
}).run();
