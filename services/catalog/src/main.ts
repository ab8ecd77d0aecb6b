import { createServer } from 'node:http';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import {
  ConfigError,
  createDocumentClient,
  createDynamoDbClient,
  createKinesisClient,
  createLogger,
  KinesisEventPublisher,
  loadConfig,
} from '@shop/platform';
import { createApp } from './app.js';
import { catalogConfig } from './catalog.config.js';

function loadOrExit() {
  try {
    return loadConfig(catalogConfig);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

const config = loadOrExit();
const logger = createLogger({ name: 'catalog', level: config.logLevel });
const dynamoDb = createDynamoDbClient({ region: config.region, endpoint: config.dynamoDbEndpoint });
const kinesis = createKinesisClient({ region: config.region, endpoint: config.kinesisEndpoint });
const publisher = new KinesisEventPublisher({ client: kinesis, streamName: config.streamName, logger });
let draining = false;

const app = createApp({
  documentClient: createDocumentClient(dynamoDb),
  tableName: config.tableName,
  publisher,
  logger,
  bodyLimit: config.bodyLimit,
  isDraining: () => draining,
  readiness: {
    dynamodb: () => dynamoDb.send(new DescribeTableCommand({ TableName: config.tableName })),
    kinesis: () => kinesis.send(new DescribeStreamSummaryCommand({ StreamName: config.streamName })),
  },
});

const server = createServer(app.callback());
server.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EADDRINUSE') {
    logger.fatal(`Port ${config.port} is already in use; set CATALOG_PORT to use another`);
  } else {
    logger.fatal({ err: error }, 'server error');
  }
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  logger.info({ url: `http://${config.host}:${config.port}` }, 'catalog listening');
});

// Drain on SIGTERM (scale-in, Spot interruption): fail readiness, stop accepting, let in-flight
// requests finish within the deadline, then exit.
function shutdown(signal: string) {
  if (draining) return;
  draining = true;
  logger.info({ signal }, 'draining');
  const deadline = setTimeout(() => {
    logger.warn('shutdown deadline reached; closing remaining connections');
    server.closeAllConnections();
    process.exit(0);
  }, config.shutdownTimeoutMs);
  deadline.unref();
  server.close(() => {
    logger.info('stopped');
    process.exit(0);
  });
  server.closeIdleConnections();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
