import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { environmentHasAwsCredentials } from '../config/common-config.js';

export interface AwsClientOptions {
  region: string;
  /** Endpoint override for a local stand-in; leave empty in AWS. */
  endpoint?: string;
  maxAttempts?: number;
  /**
   * Socket and connection timeouts, so a hung dependency fails a request instead of holding it.
   * The connection timeout also covers waiting for a free socket of the pool under load.
   */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  maxSockets?: number;
}

// Stand-ins accept any credentials; only when talking to one and no real ones are configured do
// we fall back to placeholders, so AWS deployments always use the default provider chain.
function localCredentials(endpoint: string | undefined) {
  if (!endpoint || environmentHasAwsCredentials()) return undefined;
  return { accessKeyId: 'local', secretAccessKey: 'local' };
}

/** An HTTP/1.1 keep-alive request handler; the Kinesis stand-ins do not speak HTTP/2. */
export function createHttpHandler(options: AwsClientOptions): NodeHttpHandler {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256 };
  return new NodeHttpHandler({
    httpAgent: new HttpAgent(agentOptions),
    httpsAgent: new HttpsAgent(agentOptions),
    requestTimeout: options.requestTimeoutMs ?? 5000,
    // Without it a request past its timeout only logs a warning and keeps waiting.
    throwOnRequestTimeout: true,
    connectionTimeout: options.connectionTimeoutMs ?? 3000,
  });
}

/** Region, endpoint, credentials and HTTP handler for any SDK v3 client of the platform. */
export function awsClientConfig(options: AwsClientOptions) {
  const credentials = localCredentials(options.endpoint);
  return {
    region: options.region,
    maxAttempts: options.maxAttempts ?? 3,
    requestHandler: createHttpHandler(options),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  };
}

/** A DynamoDB client; pass `overrides` for anything the options do not cover. */
export function createDynamoDbClient(options: AwsClientOptions, overrides: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({ ...awsClientConfig(options), ...overrides });
}

/** The DynamoDB document client the repositories use (plain JS values, undefined removed). */
export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/** A Kinesis client over HTTP/1.1, as the stand-ins need. */
export function createKinesisClient(options: AwsClientOptions, overrides: KinesisClientConfig = {}): KinesisClient {
  return new KinesisClient({ ...awsClientConfig(options), ...overrides });
}
