import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import Joi from 'joi';
import { createCognitoVerifier } from '../auth/access-token-verifier.js';
import { createDocumentClient, createDynamoDbClient, createKinesisClient } from '../aws/aws-clients.js';
import { commonConfig, tracingConfig } from '../config/common-config.js';
import { type ConfigOf, defineConfig, loadConfig, port, url } from '../config/config-schema.js';
import { ConfigError } from '../errors/app-error.js';
import { KinesisEventPublisher } from '../events/kinesis-publisher.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { measureAwsClient, ProcessMetrics } from '../observability/metrics.js';
import { configureTracing, traceAwsClient } from '../observability/tracing.js';
import type { BackgroundTask, ServiceApp, ServiceAppDeps } from './create-http-app.js';
import { defaultBodyLimit } from './json-body.middleware.js';
import { rateLimitConfig, rateLimitOptionsOf } from './rate-limit-config.js';
import { createServiceServer } from './service-server.js';

/** The configuration of an HTTP service: the shared keys plus where and how it listens. */
export function serviceConfig(portEnv: string, defaultPort: number, defaultMetricsPort = defaultPort + 6100) {
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
      default: defaultBodyLimit,
    },
    cognitoUserPoolId: {
      env: 'COGNITO_USER_POOL_ID',
      doc: 'The Cognito user pool whose access tokens writes require',
      schema: Joi.string().pattern(/^[\w-]+_[0-9a-zA-Z]+$/),
    },
    cognitoClientId: {
      env: 'COGNITO_CLIENT_ID',
      doc: 'The app client the access tokens must be issued to',
      schema: Joi.string()
        .pattern(/^[\w+]+$/)
        .max(128),
    },
    cognitoJwksUri: {
      env: 'COGNITO_JWKS_URI',
      doc: "Where to fetch the pool's signing keys instead of the issuer (the local pool in moto); empty in AWS",
      schema: url().allow(''),
      default: '',
    },
    corsOrigins: {
      env: 'CORS_ALLOWED_ORIGINS',
      doc: 'Comma-separated browser origins allowed to call the API (the storefront)',
      schema: Joi.string().allow(''),
      default: 'http://127.0.0.1:8080,http://localhost:8080',
    },
    ...rateLimitConfig,
    trustedProxyHops: {
      env: 'TRUSTED_PROXY_HOPS',
      doc: 'Proxies in front whose X-Forwarded-For entry names the client (1 behind the ALB, 2 behind CloudFront and the ALB)',
      schema: Joi.number().integer().min(0).max(5),
      default: 1,
    },
    requestTimeoutMs: {
      env: 'REQUEST_TIMEOUT_MS',
      doc: 'Longest a client may take to send a whole request (the headers within it, at most 10 s); 408 after',
      schema: Joi.number().integer().min(1_000),
      default: 30_000,
    },
    outboxRelayIntervalMs: {
      env: 'OUTBOX_RELAY_INTERVAL_MS',
      doc: 'How often the outbox relay looks for events left unpublished',
      schema: Joi.number().integer().min(100),
      default: 2_000,
    },
    outboxRelayMinAgeMs: {
      env: 'OUTBOX_RELAY_MIN_AGE_MS',
      doc: 'How long events wait in an outbox before the relay publishes them instead of their writer',
      schema: Joi.number().integer().min(0),
      default: 5_000,
    },
    ...tracingConfig,
    metricsPort: {
      env: 'METRICS_PORT',
      doc: 'Port of GET /metrics (Prometheus text), apart from the API',
      schema: port(),
      default: defaultMetricsPort,
    },
    drainDelayMs: {
      env: 'DRAIN_DELAY_MS',
      doc: 'On SIGTERM, how long requests are still served after readiness fails, so the load balancer stops sending',
      schema: Joi.number().integer().min(0),
      default: 10_000,
    },
    shutdownTimeoutMs: {
      env: 'SHUTDOWN_TIMEOUT_MS',
      doc: 'Longest a shutdown may take from SIGTERM: drain delay, in-flight requests and flushing pending events',
      schema: Joi.number().integer().min(0),
      default: 30_000,
    },
  });
}

export interface StartServiceOptions {
  name: string;
  portEnv: string;
  defaultPort: number;
  /** Where `/metrics` listens unless METRICS_PORT says otherwise; the API port + 6100 by default. */
  defaultMetricsPort?: number;
  createApp: (deps: ServiceAppDeps) => ServiceApp;
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

type ServiceConfig = ConfigOf<ReturnType<typeof serviceConfig>>;

/** The real AWS clients, the token verifier and the publisher a service runs on, from its configuration. */
function serviceDeps(config: ServiceConfig, metrics: ProcessMetrics, logger: Logger, isDraining: () => boolean) {
  const dynamoDb = traceAwsClient(
    measureAwsClient(
      createDynamoDbClient({ region: config.region, endpoint: config.dynamoDbEndpoint }),
      metrics,
      'DynamoDB',
    ),
  );
  const kinesis = traceAwsClient(
    measureAwsClient(
      createKinesisClient({ region: config.region, endpoint: config.kinesisEndpoint }),
      metrics,
      'Kinesis',
    ),
  );
  const auth = createCognitoVerifier({
    userPoolId: config.cognitoUserPoolId,
    clientId: config.cognitoClientId,
    ...(config.cognitoJwksUri ? { jwksUri: config.cognitoJwksUri } : {}),
  });
  const publisher = new KinesisEventPublisher({ client: kinesis, streamName: config.streamName, logger, metrics });
  metrics.watchBacklog('kinesis', () => publisher.pendingCount);
  const deps: ServiceAppDeps = {
    documentClient: createDocumentClient(dynamoDb),
    tableName: config.tableName,
    publisher,
    logger,
    auth,
    metrics,
    bodyLimit: config.bodyLimit,
    corsOrigins: config.corsOrigins
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    rateLimit: rateLimitOptionsOf(config, auth),
    proxyHops: config.trustedProxyHops,
    outboxRelay: { intervalMs: config.outboxRelayIntervalMs, minAgeMs: config.outboxRelayMinAgeMs },
    isDraining,
    readiness: {
      dynamodb: () => dynamoDb.send(new DescribeTableCommand({ TableName: config.tableName })),
      kinesis: () => kinesis.send(new DescribeStreamSummaryCommand({ StreamName: config.streamName })),
      'cognito keys': () => auth.ready(),
    },
  };
  return deps;
}

/** Exits 1 when a server cannot listen, naming the variable that moves it for a taken port. */
function exitOnListenError(logger: Logger, port: number, variable: string) {
  return (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') logger.fatal(`Port ${port} is already in use; set ${variable} to use another`);
    else logger.fatal({ err: error }, 'server error');
    process.exit(1);
  };
}

/**
 * On SIGTERM or SIGINT: readiness fails at once (`startDraining`), requests are still served for
 * the drain delay, then no new connections are taken, in-flight requests finish, the background
 * tasks stop (pending events flushed) and the process exits 0, all within the shutdown timeout.
 */
function drainOnSignals(options: {
  config: ServiceConfig;
  logger: Logger;
  server: Server;
  metricsServer: Server;
  background: readonly BackgroundTask[];
  startDraining: () => boolean;
}): void {
  const { config, logger, server, metricsServer } = options;
  const shutdown = async (signal: string) => {
    if (!options.startDraining()) return;
    logger.info({ signal, drainDelayMs: config.drainDelayMs }, 'draining: readiness now fails');
    const deadline = setTimeout(() => {
      logger.warn('shutdown deadline reached; closing remaining connections');
      server.closeAllConnections();
      process.exit(0);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    await sleep(config.drainDelayMs);
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await closed;
    logger.info('in-flight requests finished; flushing pending events');
    await Promise.all(options.background.map((task) => task.stop()));
    metricsServer.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/**
 * A service's `main`: reads and validates config (exit 1 naming the variable), wires the real AWS
 * clients, listens (and serves `/metrics` on its own port), and drains on SIGTERM/SIGINT
 * (scale-in, Spot interruption): `/readyz` answers 503 at once while requests are still served
 * for `DRAIN_DELAY_MS` (the load balancer's time to notice), then no new connections are taken,
 * in-flight requests finish, pending events are flushed, and it exits 0, all within
 * `SHUTDOWN_TIMEOUT_MS`.
 */
export function startService(options: StartServiceOptions): void {
  const config = loadOrExit(serviceConfig(options.portEnv, options.defaultPort, options.defaultMetricsPort));
  const logger = createLogger({ name: options.name, level: config.logLevel });
  const metrics = new ProcessMetrics({ service: options.name });
  configureTracing({
    serviceName: options.name,
    enabled: config.tracingEnabled,
    samplingRate: config.xraySamplingRate,
    daemonAddress: config.xrayDaemonAddress,
    logger,
  });
  let draining = false;
  const app = options.createApp(serviceDeps(config, metrics, logger, () => draining));
  const { background } = app;
  const server = createServiceServer(app.callback(), { requestTimeoutMs: config.requestTimeoutMs });
  const metricsServer = createServer(metrics.handler());
  server.on('error', exitOnListenError(logger, config.port, options.portEnv));
  metricsServer.on('error', exitOnListenError(logger, config.metricsPort, 'METRICS_PORT'));
  server.listen(config.port, config.host, () => {
    logger.info({ url: `http://${config.host}:${config.port}` }, `${options.name} listening`);
    for (const task of background) task.start();
  });
  // Scraped by the CloudWatch agent on the same host: never reachable from elsewhere.
  metricsServer.listen(config.metricsPort, '127.0.0.1', () => {
    logger.info({ url: `http://127.0.0.1:${config.metricsPort}/metrics` }, 'metrics listening');
  });
  const startDraining = () => {
    if (draining) return false;
    draining = true;
    return true;
  };
  drainOnSignals({ config, logger, server, metricsServer, background, startDraining });
}
