import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type StandIns, startStandIns } from '@shop/local-stack';
import {
  createDocumentClient,
  createDynamoDbClient,
  createLogger,
  itemKeys,
  OutboxRelay,
  outboxKey,
  ProcessMetrics,
  tableIndexes,
} from '@shop/platform';
import anyTest, { type TestFn } from 'ava';

const test = anyTest as TestFn<{ standIns: StandIns }>;

test.before(async (t) => {
  t.context.standIns = await startStandIns();
});
test.after.always(async (t) => {
  await t.context.standIns?.stop();
});

test('when products of an owner have events pending, then a sweep flushes the old ones and reports how many wait and the oldest age', async (t) => {
  const { standIns } = t.context;
  const dynamoDb = createDynamoDbClient({ region: standIns.region, endpoint: standIns.dynamoDbEndpoint });
  const documentClient = createDocumentClient(dynamoDb);
  t.teardown(() => dynamoDb.destroy());
  const now = Date.now();
  // Two catalog products waiting 60 s and 10 s, one just written; inventory's own item is not counted.
  const pending = [
    { owner: 'catalog', productId: '01JCATALOGOLDEST0000000000', ageSeconds: 60 },
    { owner: 'catalog', productId: '01JCATALOGOLDER00000000000', ageSeconds: 10 },
    { owner: 'catalog', productId: '01JCATALOGFRESH00000000000', ageSeconds: 0 },
    { owner: 'inventory', productId: '01JINVENTORYOLD00000000000', ageSeconds: 600 },
  ] as const;
  for (const { owner, productId, ageSeconds } of pending) {
    const keys = owner === 'catalog' ? itemKeys.product(productId) : itemKeys.stock(productId);
    await documentClient.send(
      new PutCommand({
        TableName: standIns.tableName,
        Item: {
          ...keys,
          outbox: ['{}'],
          [tableIndexes.outbox.partitionKey]: outboxKey(owner, productId),
          [tableIndexes.outbox.sortKey]: new Date(now - ageSeconds * 1000).toISOString(),
        },
      }),
    );
  }

  const metrics = new ProcessMetrics({ service: 'catalog', processMetrics: false });
  const flushed: string[] = [];
  const relay = new OutboxRelay({
    documentClient,
    tableName: standIns.tableName,
    owner: 'catalog',
    flush: async (productId) => {
      flushed.push(productId);
    },
    logger: createLogger({ name: 'test', level: 'silent' }),
    metrics,
    minAgeMs: 5_000,
  });
  t.is(await relay.sweep(), 2);

  t.deepEqual(flushed.sort(), ['01JCATALOGOLDER00000000000', '01JCATALOGOLDEST0000000000']);
  const gauges = await metrics.registry.getMetricsAsJSON();
  const value = (name: string) => gauges.find((metric) => metric.name === name)?.values;
  t.deepEqual(value('outbox_pending_items'), [{ labels: { owner: 'catalog', service: 'catalog' }, value: 3 }]);
  const [oldest] = value('outbox_oldest_pending_seconds') ?? [];
  t.true(Number(oldest?.value) >= 60 && Number(oldest?.value) < 90, `oldest ${oldest?.value} s`);
});
