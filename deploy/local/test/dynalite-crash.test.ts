// dynalite 4.0.0 wrote an item's index entries and then the item in separate LevelDB writes, so a
// kill -9 between them left an index entry the item no longer had (the chaos run found outbox
// index entries of items whose outbox was long empty, which the relay then saw as pending
// forever). patches/dynalite+4.0.0.patch writes both in one batch; this test fails without it.
import { setTimeout as sleep } from 'node:timers/promises';
import { QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createDynamoDbClient, tableIndexes } from '@shop/platform';
import test from 'ava';
import { startStandIns } from '../src/index.js';

const items = 20;
const { partitionKey, sortKey } = tableIndexes.outbox;

test('when dynalite is killed in the middle of index-moving updates, then after a restart every index entry matches its item', async (t) => {
  const standIns = await startStandIns();
  const dynamoDb = createDynamoDbClient({
    region: standIns.region,
    endpoint: standIns.dynamoDbEndpoint,
    maxAttempts: 1,
  });
  const db = createDocumentClient(dynamoDb);
  t.teardown(async () => {
    dynamoDb.destroy();
    await standIns.stop();
  });
  const key = (index: number) => ({ pk: `PRODUCT#CRASH${String(index).padStart(4, '0')}`, sk: 'STOCK' });

  for (let round = 0; round < 15; round += 1) {
    let stop = false;
    // Every update moves the item to another index entry (its sort key is the time of the write).
    const writers = Array.from({ length: items }, async (_, index) => {
      for (let version = 0; !stop; version += 1) {
        await db
          .send(
            new UpdateCommand({
              TableName: standIns.tableName,
              Key: key(index),
              UpdateExpression: 'SET #key = :key, #since = :since',
              ExpressionAttributeNames: { '#key': partitionKey, '#since': sortKey },
              ExpressionAttributeValues: {
                ':key': `OUTBOX#inventory#${index % 16}`,
                ':since': `${new Date().toISOString()}#${version}`,
              },
            }),
          )
          .catch(() => sleep(20));
      }
    });
    await sleep(200 + round * 37);
    const dynalite = standIns.processes.dynamodb;
    process.kill(dynalite.pid as number, 'SIGKILL');
    await dynalite.exited;
    stop = true;
    await Promise.all(writers);
    await standIns.restart('dynamodb');
  }

  const { Items: stored = [] } = await db.send(
    new ScanCommand({ TableName: standIns.tableName, ConsistentRead: true }),
  );
  const current = new Map(stored.map((item) => [`${item.pk}`, `${item[partitionKey]} ${item[sortKey]}`]));
  const entries: string[] = [];
  for (let shard = 0; shard < 16; shard += 1) {
    const { Items = [] } = await db.send(
      new QueryCommand({
        TableName: standIns.tableName,
        IndexName: tableIndexes.outbox.name,
        KeyConditionExpression: '#key = :key',
        ExpressionAttributeNames: { '#key': partitionKey },
        ExpressionAttributeValues: { ':key': `OUTBOX#inventory#${shard}` },
      }),
    );
    for (const entry of Items) entries.push(`${entry.pk} ${entry[partitionKey]} ${entry[sortKey]}`);
  }
  const stale = entries.filter((entry) => {
    const [pk, ...indexKey] = entry.split(' ');
    return current.get(pk as string) !== indexKey.join(' ');
  });
  t.is(current.size, items);
  t.deepEqual(stale, [], 'index entries that do not match their item');
  t.is(entries.length, items, 'one index entry per item');
});
