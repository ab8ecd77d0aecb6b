import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { startStandIns } from '@shop/local-stack';
import {
  type CloudEvent,
  createDocumentClient,
  createDynamoDbClient,
  createKinesisClient,
  createLogger,
  KinesisEventPublisher,
} from '@shop/platform';
import { createApp } from '../src/app.js';

/** Reads every event on the stream from the start (all shards). */
export async function readAllEvents(kinesis: KinesisClient, streamName: string): Promise<CloudEvent[]> {
  const events: CloudEvent[] = [];
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of Shards) {
    let { ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        events.push(JSON.parse(Buffer.from(record.Data ?? new Uint8Array()).toString('utf8')) as CloudEvent);
      }
      iterator = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
    }
  }
  return events;
}

/** The catalog app on a random port over real stand-ins (dynalite, kinesis-local). */
export async function startCatalog() {
  const standIns = await startStandIns();
  const dynamoDb = createDynamoDbClient({ region: standIns.region, endpoint: standIns.dynamoDbEndpoint });
  const kinesis = createKinesisClient({ region: standIns.region, endpoint: standIns.kinesisEndpoint });
  const logger = createLogger({ name: 'catalog', level: 'silent' });
  const app = createApp({
    documentClient: createDocumentClient(dynamoDb),
    tableName: standIns.tableName,
    publisher: new KinesisEventPublisher({ client: kinesis, streamName: standIns.streamName, logger }),
    logger,
  });
  const server = createServer(app.callback()).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    standIns,
    events: () => readAllEvents(kinesis, standIns.streamName),
    async stop() {
      server.close();
      dynamoDb.destroy();
      kinesis.destroy();
      await standIns.stop();
    },
  };
}

export type Catalog = Awaited<ReturnType<typeof startCatalog>>;

export interface JsonResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field in tests
  body: any;
}

/** Sends a JSON request and parses the answer. */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

let counter = 0;
/** A valid product body; `overrides` replace or add fields. */
export function productBody(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    name: `Trail shoe ${counter}`,
    description: 'A light shoe for rough paths',
    price: 89.99,
    ...overrides,
  };
}
