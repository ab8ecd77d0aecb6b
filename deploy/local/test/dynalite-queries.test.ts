// dynalite 4.0.0 never closed the LevelDB iterator behind a Query or Scan (it called the
// iterator's `return()`, which abstract-level 3 iterators do not have), so every query kept its
// iterator for good (about 19 KB of RSS) and the storefront soak grew dynalite by hundreds of MB.
// The root postinstall applies patches/dynalite+4.0.0.patch; this test fails without it.
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CreateTableCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '@shop/platform';
import test from 'ava';
import dynalite from 'dynalite';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function heapAfterCollection(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

test('when dynalite answers thousands of index queries, then it keeps no memory for them', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'dynalite-queries-'));
  const server = dynalite({ path: dataDir, createTableMs: 0 });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const client = createDynamoDbClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}` });
  t.teardown(async () => {
    client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(dataDir, { recursive: true, force: true });
  });

  await client.send(
    new CreateTableCommand({
      TableName: 'queries',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'category', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'category-index',
          KeySchema: [
            { AttributeName: 'category', KeyType: 'HASH' },
            { AttributeName: 'pk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  for (let i = 0; i < 40; i++) {
    const item = { pk: { S: `PRODUCT#${i}` }, category: { S: `category-${i % 2}` }, text: { S: 'x'.repeat(300) } };
    await client.send(new PutItemCommand({ TableName: 'queries', Item: item }));
  }
  // Both ways a query's stream ends: cut short by Limit, and read to the end of the key range.
  const query = (i: number) =>
    client.send(
      new QueryCommand({
        TableName: 'queries',
        IndexName: 'category-index',
        KeyConditionExpression: 'category = :category',
        ExpressionAttributeValues: { ':category': { S: `category-${i % 2}` } },
        Limit: i % 3 === 0 ? 50 : 5,
      }),
    );

  for (let i = 0; i < 200; i++) await query(i);
  const before = heapAfterCollection();
  const queries = 3_000;
  for (let i = 0; i < queries; i++) await query(i);
  const grownPerQuery = (heapAfterCollection() - before) / queries;

  t.log(`heap growth per query: ${Math.round(grownPerQuery)} bytes`);
  // Unpatched, each query keeps about 6 KB of heap (and more outside it); patched the heap stays flat.
  t.true(grownPerQuery < 1_500, `the heap grew ${Math.round(grownPerQuery)} bytes per query`);
});
