import { readStreamEvents, requestJson, serve, startStandIns } from '@shop/local-stack';
import {
  createDocumentClient,
  createDynamoDbClient,
  createKinesisClient,
  createLogger,
  KinesisEventPublisher,
} from '@shop/platform';
import { createApp } from '../src/app.js';

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
  const { server, baseUrl } = await serve(app.callback());
  return {
    baseUrl,
    standIns,
    events: () => readStreamEvents(kinesis, standIns.streamName),
    async stop() {
      server.close();
      dynamoDb.destroy();
      kinesis.destroy();
      await standIns.stop();
    },
  };
}

export type Catalog = Awaited<ReturnType<typeof startCatalog>>;

export const call = requestJson;

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
