import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { awsClientConfig } from '@shop/platform';
import { analyticsWorker, searchIndexer } from '@shop/topology';
import { nodeChildCommand, type SupervisedChild, superviseChild } from './child-supervisor.js';
import type { StandIns } from './stand-in-launcher.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const workerEntry = join(repoRoot, analyticsWorker.entryPoint);
const indexerEntry = join(repoRoot, searchIndexer.entryPoint);

/** Creates (idempotently) the suppliers' low-stock topic in moto server; resolves with its ARN. */
export async function ensureAlertTopic(standIns: StandIns, name = 'low-stock-alerts'): Promise<string> {
  if (!standIns.motoEndpoint) throw new Error('the low-stock topic needs moto server (start the stand-ins with moto)');
  const sns = new SNSClient(awsClientConfig({ region: standIns.region, endpoint: standIns.motoEndpoint }));
  try {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
    if (!TopicArn) throw new Error(`moto created topic ${name} without an ARN`);
    return TopicArn;
  } finally {
    sns.destroy();
  }
}

/** What every KCL worker on the stand-ins reads: the stream, the table, the leases' endpoint, its id and its /metrics port. */
function streamWorkerEnv(standIns: StandIns, workerId: string, metricsPort = 0): Record<string, string> {
  return {
    AWS_REGION: standIns.region,
    DYNAMODB_ENDPOINT: standIns.dynamoDbEndpoint,
    KINESIS_ENDPOINT: standIns.kinesisEndpoint,
    TABLE_NAME: standIns.tableName,
    STREAM_NAME: standIns.streamName,
    KCL_WORKER_ID: workerId,
    METRICS_PORT: String(metricsPort),
  };
}

export interface AnalyticsWorkerOptions {
  standIns: StandIns;
  topicArn: string;
  /** A stable id lets a restarted worker reclaim its own leases at once. */
  workerId: string;
  logDir: string;
  /** Port of the worker's /metrics; any free port when left out. */
  metricsPort?: number;
  /** Extra environment, e.g. ANALYTICS_WINDOW_SECONDS or KCL_APPLICATION_NAME. */
  env?: Record<string, string>;
}

/** Starts one analytics worker (the KCL daemon and its record processors) on the stand-ins. */
export function startAnalyticsWorker(options: AnalyticsWorkerOptions): SupervisedChild {
  const { standIns } = options;
  return superviseChild({
    name: `analytics worker ${options.workerId}`,
    ...nodeChildCommand(workerEntry, { tsx: true }),
    env: {
      ...streamWorkerEnv(standIns, options.workerId, options.metricsPort),
      CLOUDWATCH_ENDPOINT: standIns.motoEndpoint ?? '',
      SNS_ENDPOINT: standIns.motoEndpoint ?? '',
      LOW_STOCK_TOPIC_ARN: options.topicArn,
      ...options.env,
    },
    logFile: join(options.logDir, `analytics-${options.workerId}.log`),
    // The daemon gives its record processors time to publish and checkpoint.
    stopTimeoutMs: 30_000,
  });
}

export interface SearchIndexerOptions {
  standIns: StandIns;
  /** A stable id lets a restarted indexer reclaim its own leases at once. */
  workerId: string;
  logDir: string;
  metricsPort?: number;
  /** Extra environment, e.g. SEARCH_INDEX or KCL_APPLICATION_NAME. */
  env?: Record<string, string>;
}

/** Starts one search indexer worker (its KCL daemon and record processors) on the stand-ins, writing to their search node. */
export function startSearchIndexer(options: SearchIndexerOptions): SupervisedChild {
  const { standIns } = options;
  if (!standIns.searchEndpoint)
    throw new Error('the search indexer needs the search node (start the stand-ins with search)');
  return superviseChild({
    name: `search indexer ${options.workerId}`,
    ...nodeChildCommand(indexerEntry, { tsx: true }),
    env: {
      ...streamWorkerEnv(standIns, options.workerId, options.metricsPort),
      SEARCH_ENDPOINT: standIns.searchEndpoint,
      ...options.env,
    },
    logFile: join(options.logDir, `search-indexer-${options.workerId}.log`),
    stopTimeoutMs: 30_000,
  });
}
