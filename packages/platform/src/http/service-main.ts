import { createServer } from 'node:http';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import Joi from 'joi';
import type Koa from 'koa';
import { createDocumentClient, createDynamoDbClient, createKinesisClient } from '../aws/aws-clients.js';
import { commonConfig } from '../config/common-config.js';
import { type ConfigOf, defineConfig, loadConfig, port } from '../config/config-schema.js';
import { ConfigError } from '../errors/app-error.js';
import { KinesisEventPublisher } from '../events/kinesis-publisher.js';
import { createLogger } from '../logging/logger.js';
import type { AppState } from './app-context.js';
import type { ServiceAppDeps } from './create-http-app.js';

/** The configuration of an HTTP service: the shared keys plus where and how it listens. */
export function serviceConfig(portEnv: string, defaultPort: number) {
  return defineConfig({
    ...commonConfig,
    port: { env: portEnv, doc: 'Port the service listens on', schema: port(), default: defaultPort },
    host: {
      env: 'BIND_HOST',
      doc: 'Address services bind to (127.0.0.1 locally; 0.0.0.0 on EC2 behind the ALB)',
      schema: Joi.string().ip(),
      default: '127.0.0.1',
    },
    bodyLimit: {
      env: 'BODY_LIMIT',
      doc: 'Largest accepted JSON body',
      schema: Joi.string().pattern(/^\d+(kb|mb)$/),
      default: '64kb',
    },
    shutdownTimeoutMs: {
      env: 'SHUTDOWN_TIMEOUT_MS',
      doc: 'How long in-flight requests may take to finish on SIGTERM',
      schema: Joi.number().integer().min(0),
      default: 20_000,
    },
  });
}

/** What `startService` hands a service's `createApp`: every dependency, real. */
export type ServiceDeps = Required<ServiceAppDeps>;

export interface StartServiceOptions {
  name: string;
  portEnv: string;
  defaultPort: number;
  createApp: (deps: ServiceDeps) => Koa<AppState>;
}

function loadOrExit(spec: ReturnType<typeof serviceConfig>): ConfigOf<ReturnType<typeof serviceConfig>> {
  try {
    return loadConfig(spec);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * A service's `main`: reads and validates config (exit 1 naming the variable), wires the real AWS
 * clients, listens, and drains on SIGTERM/SIGINT (scale-in, Spot interruption): readiness fails at
 * once, no new connections, in-flight requests finish within the deadline, then exit 0.
 */
export function startService(options: StartServiceOptions): void {
  const config = loadOrExit(serviceConfig(options.portEnv, options.defaultPort));
  const logger = createLogger({ name: options.name, level: config.logLevel });
  const dynamoDb = createDynamoDbClient({ region: config.region, endpoint: config.dynamoDbEndpoint });
  const kinesis = createKinesisClient({ region: config.region, endpoint: config.kinesisEndpoint });
  let draining = false;
  const app = options.createApp({
    documentClient: createDocumentClient(dynamoDb),
    tableName: config.tableName,
    publisher: new KinesisEventPublisher({ client: kinesis, streamName: config.streamName, logger }),
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
      logger.fatal(`Port ${config.port} is already in use; set ${options.portEnv} to use another`);
    } else {
      logger.fatal({ err: error }, 'server error');
    }
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    logger.info({ url: `http://${config.host}:${config.port}` }, `${options.name} listening`);
  });

  const shutdown = (signal: string) => {
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
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
