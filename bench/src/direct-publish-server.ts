// The baseline the outbox is measured against: a bare node:http handler that changes a product
// the naive way (read it, conditional update, then PutRecords its event, answering after both),
// with the same publisher on the same stand-ins. It loses the event when the process dies or the
// stream is down between the two; the outbox exists to close that gap.
import { createServer } from 'node:http';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  createDocumentClient,
  createDynamoDbClient,
  createEvent,
  createKinesisClient,
  fromMinorUnits,
  itemKeys,
  KinesisEventPublisher,
  productEventTypes,
  productFromItem,
} from '@shop/platform';

const port = Number(process.env.BASELINE_PORT);
const tableName = process.env.TABLE_NAME ?? 'shop';
const region = process.env.AWS_REGION ?? 'us-east-1';
const documentClient = createDocumentClient(
  createDynamoDbClient({ region, endpoint: process.env.DYNAMODB_ENDPOINT ?? '' }),
);
const publisher = new KinesisEventPublisher({
  client: createKinesisClient({ region, endpoint: process.env.KINESIS_ENDPOINT ?? '' }),
  streamName: process.env.STREAM_NAME ?? 'shop-events',
});

createServer(async (request, response) => {
  if (request.url === '/healthz') {
    response.writeHead(200).end('{"status":"ok"}');
    return;
  }
  if (request.method !== 'PATCH') {
    response.writeHead(405).end();
    return;
  }
  const id = request.url?.split('/')[3] ?? '';
  try {
    for (;;) {
      const { Item } = await documentClient.send(
        new GetCommand({ TableName: tableName, Key: itemKeys.product(id), ConsistentRead: true }),
      );
      if (!Item) {
        response.writeHead(404).end();
        return;
      }
      const version = Number(Item.version);
      const updatedAt = new Date().toISOString();
      try {
        await documentClient.send(
          new UpdateCommand({
            TableName: tableName,
            Key: itemKeys.product(id),
            UpdateExpression: 'SET description = :description, version = :next, updatedAt = :at',
            ConditionExpression: 'version = :current',
            ExpressionAttributeValues: {
              ':description': 'bench',
              ':next': version + 1,
              ':current': version,
              ':at': updatedAt,
            },
          }),
        );
      } catch (error) {
        if ((error as Error).name === 'ConditionalCheckFailedException') continue;
        throw error;
      }
      // The event catalog's would be: the product as the API shows it, not the stored item.
      const stored = { ...productFromItem(Item), description: 'bench', version: version + 1, updatedAt };
      const product = { ...stored, price: fromMinorUnits(stored.priceMinor, stored.currency) };
      await publisher.publish([
        createEvent({ source: '/shop/catalog', type: productEventTypes.updated, subject: id, data: { product } }),
      ]);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, version: version + 1 }));
      return;
    }
  } catch {
    response.writeHead(500).end();
  }
}).listen(port, '127.0.0.1');
