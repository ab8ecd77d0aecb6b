import Joi from 'joi';
import { defineConfig, url } from './config-schema.js';

/** Configuration every process of the platform shares: AWS endpoints, names, logging. */
export const commonConfig = defineConfig({
  region: { env: 'AWS_REGION', doc: 'AWS region', schema: Joi.string(), default: 'us-east-1' },
  dynamoDbEndpoint: {
    env: 'DYNAMODB_ENDPOINT',
    doc: 'DynamoDB endpoint override (the local stand-in); empty in AWS',
    schema: url().allow(''),
    default: '',
  },
  kinesisEndpoint: {
    env: 'KINESIS_ENDPOINT',
    doc: 'Kinesis endpoint override (the local stand-in); empty in AWS',
    schema: url().allow(''),
    default: '',
  },
  tableName: {
    env: 'TABLE_NAME',
    doc: 'The shared DynamoDB table',
    schema: Joi.string().min(3).max(255),
    default: 'shop',
  },
  streamName: {
    env: 'STREAM_NAME',
    doc: 'The Kinesis stream every change is published to',
    schema: Joi.string().min(1).max(128),
    default: 'shop-events',
  },
  logLevel: {
    env: 'LOG_LEVEL',
    doc: 'pino log level',
    schema: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'),
    default: 'info',
  },
});

/** How a process sends X-Ray traces; shared by the services and the analytics workers. */
export const tracingConfig = defineConfig({
  tracingEnabled: {
    env: 'TRACING_ENABLED',
    doc: 'Send X-Ray segments (UDP to the daemon); off by default: the SDK tracks context on every promise, which halved catalog read throughput in the benchmark',
    schema: Joi.boolean(),
    default: false,
  },
  xraySamplingRate: {
    env: 'XRAY_SAMPLING_RATE',
    doc: "Share of requests traced (0 to 1); a caller's sampling decision in X-Amzn-Trace-Id wins",
    schema: Joi.number().min(0).max(1),
    default: 0.05,
  },
  xrayDaemonAddress: {
    env: 'AWS_XRAY_DAEMON_ADDRESS',
    doc: 'host:port of the X-Ray daemon (the CloudWatch agent in AWS)',
    schema: Joi.string().pattern(/^[\w.-]+:\d+$/),
    default: '127.0.0.1:2000',
  },
});

/** True when the environment names AWS credentials, so the SDK's default chain is to be used. */
export const environmentHasAwsCredentials = (env: NodeJS.ProcessEnv = process.env) => Boolean(env.AWS_ACCESS_KEY_ID);

/** True when the environment sets the X-Ray daemon's address, which the X-Ray SDK then reads itself. */
export const environmentSetsXrayDaemon = (env: NodeJS.ProcessEnv = process.env) =>
  env.AWS_XRAY_DAEMON_ADDRESS !== undefined;
