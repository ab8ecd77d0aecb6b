// Run by the KCL MultiLangDaemon, one process per shard lease. stdout is the daemon's protocol
// channel: nothing else may write there, so logs go to stderr (the daemon passes it on).
import {
  configureTracing,
  createDocumentClient,
  createDynamoDbClient,
  createLogger,
  loadConfig,
  measureAwsClient,
  traceAwsClient,
} from '@shop/platform';
import kcl from 'aws-kcl';
import { analyticsConfig } from '../analytics.config.js';
import { ProcessorMetrics } from './processor-metrics.js';
import { createRecordProcessor } from './record-processor-app.js';

const config = loadConfig(analyticsConfig);
const logger = createLogger({ name: 'analytics', level: config.logLevel, fd: 2 });
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
    measureAwsClient(
      createDynamoDbClient({
        region: config.region,
        ...(config.dynamoDbEndpoint ? { endpoint: config.dynamoDbEndpoint } : {}),
      }),
      observer.aws,
      'DynamoDB',
    ),
  ),
);
kcl(createRecordProcessor({ config, logger, observer, documentClient })).run();
