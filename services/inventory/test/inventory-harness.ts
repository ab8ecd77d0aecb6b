import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { readStreamEvents, requestJson, serve, startStandIns } from '@shop/local-stack';
import {
  type CloudEvent,
  createDocumentClient,
  createDynamoDbClient,
  createKinesisClient,
  createLogger,
  itemKeys,
  KinesisEventPublisher,
  type ProductRecord,
  productToItem,
} from '@shop/platform';
import { ulid } from 'ulid';
import { createApp } from '../src/app.js';

/** The inventory app on a random port over real stand-ins; products are written as catalog stores them. */
export async function startInventory() {
  const standIns = await startStandIns();
  const dynamoDb = createDynamoDbClient({ region: standIns.region, endpoint: standIns.dynamoDbEndpoint });
  const documentClient = createDocumentClient(dynamoDb);
  const kinesis = createKinesisClient({ region: standIns.region, endpoint: standIns.kinesisEndpoint });
  const logger = createLogger({ name: 'inventory', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const app = createApp({
    documentClient,
    tableName: standIns.tableName,
    publisher: new KinesisEventPublisher({ client: kinesis, streamName: standIns.streamName, logger }),
    logger,
  });
  const { server, baseUrl } = await serve(app.callback());
  return {
    baseUrl,
    request: (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      requestJson(baseUrl, method, path, body, headers),
    events: () => readStreamEvents(kinesis, standIns.streamName),
    /** The product's events once `done` holds for them (events follow commits asynchronously). */
    async eventsOf(productId: string, done: (events: CloudEvent[]) => boolean, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const events = (await readStreamEvents(kinesis, standIns.streamName)).filter(
          (event) => event.subject === productId,
        );
        if (done(events) || Date.now() > deadline) return events;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async createProduct(overrides: Partial<ProductRecord> = {}): Promise<ProductRecord> {
      const id = ulid();
      const now = new Date().toISOString();
      const product: ProductRecord = {
        id,
        name: 'Camping stove',
        description: 'Two burners',
        priceMinor: 4999,
        currency: 'USD',
        sku: `SKU-${id}`,
        category: 'camping',
        supplier: { name: 'Acme Outdoor', email: 'orders@acme.test' },
        version: 1,
        createdAt: now,
        updatedAt: now,
        ...overrides,
      };
      await documentClient.send(new PutCommand({ TableName: standIns.tableName, Item: productToItem(product) }));
      return product;
    },
    /** Deletes a product the way catalog does: the product item goes, its stock item is marked. */
    async deleteProduct(id: string) {
      await documentClient.send(new DeleteCommand({ TableName: standIns.tableName, Key: itemKeys.product(id) }));
      await documentClient
        .send(
          new UpdateCommand({
            TableName: standIns.tableName,
            Key: itemKeys.stock(id),
            UpdateExpression: 'SET productDeleted = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':at': new Date().toISOString() },
          }),
        )
        .catch(() => {});
    },
    async stop() {
      server.close();
      dynamoDb.destroy();
      kinesis.destroy();
      await standIns.stop();
    },
  };
}

export type Inventory = Awaited<ReturnType<typeof startInventory>>;
