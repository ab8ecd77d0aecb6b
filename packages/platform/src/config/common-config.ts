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
