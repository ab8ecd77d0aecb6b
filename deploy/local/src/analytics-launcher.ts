import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { awsClientConfig } from '@shop/platform';
import { nodeChildCommand, type SupervisedChild, superviseChild } from './child-supervisor.js';
import type { StandIns } from './stand-in-launcher.js';

const workerEntry = fileURLToPath(
  new URL('../../../services/analytics/src/worker/analytics-worker.ts', import.meta.url),
);

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
      AWS_REGION: standIns.region,
      DYNAMODB_ENDPOINT: standIns.dynamoDbEndpoint,
      KINESIS_ENDPOINT: standIns.kinesisEndpoint,
      CLOUDWATCH_ENDPOINT: standIns.motoEndpoint ?? '',
      SNS_ENDPOINT: standIns.motoEndpoint ?? '',
      TABLE_NAME: standIns.tableName,
      STREAM_NAME: standIns.streamName,
      LOW_STOCK_TOPIC_ARN: options.topicArn,
      KCL_WORKER_ID: options.workerId,
      METRICS_PORT: String(options.metricsPort ?? 0),
      ...options.env,
    },
    logFile: join(options.logDir, `analytics-${options.workerId}.log`),
    // The daemon gives its record processors time to publish and checkpoint.
    stopTimeoutMs: 30_000,
  });
}
