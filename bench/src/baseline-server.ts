// The baseline the catalog read is measured against: a bare node:http handler doing the same
// DynamoDB GetItem on the same dynalite, with no framework, validation or middleware.
import { createServer } from 'node:http';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createDynamoDbClient, fromMinorUnits, itemKeys, productFromItem } from '@shop/platform';

const port = Number(process.env.BASELINE_PORT);
const tableName = process.env.TABLE_NAME ?? 'shop';
const documentClient = createDocumentClient(
  createDynamoDbClient({
    region: process.env.AWS_REGION ?? 'us-east-1',
    endpoint: process.env.DYNAMODB_ENDPOINT ?? '',
  }),
);

createServer(async (request, response) => {
  const id = request.url?.split('/')[3] ?? '';
  try {
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: tableName, Key: itemKeys.product(id), ConsistentRead: true }),
    );
    if (!Item) {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Product not found"}');
      return;
    }
    const { priceMinor, ...product } = productFromItem(Item);
    const body = JSON.stringify({ ...product, price: fromMinorUnits(priceMinor, product.currency) });
    response.writeHead(200, { 'content-type': 'application/json', etag: `"${product.version}"` }).end(body);
  } catch {
    response.writeHead(500).end();
  }
}).listen(port, '127.0.0.1');
