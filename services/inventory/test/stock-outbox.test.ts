import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { findFreePort } from '@shop/local-stack';
import {
  createKinesisClient,
  createLogger,
  type EventPublisher,
  itemKeys,
  KinesisEventPublisher,
  newId,
  OutboxFlusher,
  OutboxRelay,
  tableIndexes,
} from '@shop/platform';
import anyTest, { type TestFn } from 'ava';
import { createApp } from '../src/app.js';
import { ProductReader } from '../src/stock/product-reader.js';
import { StockRepository } from '../src/stock/stock.repository.js';
import type { LedgerEntry } from '../src/stock/stock-level.js';
import { StockOutboxSource } from '../src/stock/stock-outbox-source.js';
import { type Inventory, startInventory } from './inventory-harness.js';

const test = anyTest as TestFn<{ inventory: Inventory; unreachable: ReturnType<typeof createKinesisClient> }>;

// The service's publisher points at a port nothing listens on: every change stays in its outbox,
// as while the stream is down. The outbox limit is the service's default.
test.before(async (t) => {
  const unreachable = createKinesisClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${await findFreePort()}`,
    maxAttempts: 1,
  });
  t.context.unreachable = unreachable;
  const publisher = new KinesisEventPublisher({ client: unreachable, streamName: 'unreachable', maxAttempts: 1 });
  t.context.inventory = await startInventory((deps) => createApp({ ...deps, publisher }));
});
test.after.always(async (t) => {
  await t.context.inventory?.stop();
  t.context.unreachable?.destroy();
});

test('when a stock item holds 500 unpublished changes, then an adjustment answers 503 with Retry-After and changes nothing', async (t) => {
  const { inventory } = t.context;
  const product = await inventory.createProduct();
  const first = await inventory.requestAs('staff', 'POST', `/api/inventory/${product.id}/adjustments`, {
    quantity: 1,
    reason: 'restock',
  });
  t.is(first.status, 201);

  // The rest of the outbox is filled the way adjustments fill it, in one write.
  const repository = new StockRepository({
    documentClient: inventory.documentClient,
    tableName: inventory.standIns.tableName,
    outboxOwner: 'inventory',
    maxOutbox: 500,
  });
  const now = new Date();
  const entries: LedgerEntry[] = Array.from({ length: 499 }, () => ({
    id: newId(),
    kind: 'adjustment',
    at: now.toISOString(),
    onHandDelta: 1,
    reservedDelta: 0,
    reason: 'restock',
  }));
  await repository.apply(product.id, { entries, onHandDelta: 499, reservedDelta: 0 }, now);
  const before = await repository.get(product.id);
  t.is(before?.outbox.length, 500);

  const refused = await inventory.requestAs('staff', 'POST', `/api/inventory/${product.id}/adjustments`, {
    quantity: 1,
    reason: 'restock',
  });
  t.is(refused.status, 503, JSON.stringify(refused.body));
  t.is(refused.headers.get('retry-after'), '2');
  t.regex(refused.headers.get('content-type') ?? '', /application\/problem\+json/);

  const after = await repository.get(product.id);
  t.like(after, { version: 500, onHand: 500, available: 500, updatedAt: before?.updatedAt });
  t.deepEqual(after?.outbox, before?.outbox, 'the outbox is as before');
  const level = await inventory.requestAs('staff', 'GET', `/api/inventory/${product.id}`);
  t.like(level.body, { onHand: 500, version: 500 });
});

test('when a flush clears only part of an outbox, then the item keeps the age of its oldest remaining change', async (t) => {
  const { inventory } = t.context;
  const { documentClient, standIns } = inventory;
  const product = await inventory.createProduct();
  for (const quantity of [1, 2, 3]) {
    const answer = await inventory.requestAs('staff', 'POST', `/api/inventory/${product.id}/adjustments`, {
      quantity,
      reason: 'restock',
    });
    t.is(answer.status, 201);
  }
  const minAgeMs = 1500;
  await sleep(minAgeMs + 100);

  // The stream takes one round of events and is unreachable again for the next.
  const kinesis = createKinesisClient({ region: standIns.region, endpoint: standIns.kinesisEndpoint });
  t.teardown(() => kinesis.destroy());
  const stream = new KinesisEventPublisher({ client: kinesis, streamName: standIns.streamName });
  let rounds = 0;
  const publisher: EventPublisher = {
    publish: (events) => (rounds++ === 0 ? stream.publish(events) : Promise.reject(new Error('stream unreachable'))),
  };
  const repository = new StockRepository({
    documentClient,
    tableName: standIns.tableName,
    outboxOwner: 'inventory',
    maxOutbox: 500,
  });
  const logger = createLogger({ name: 'test', level: 'silent' });
  const products = new ProductReader((productId) => repository.getProduct(productId));
  const flusher = new OutboxFlusher({ source: new StockOutboxSource(repository, products), publisher, batchSize: 1 });
  await t.throwsAsync(flusher.flush(product.id), { message: 'stream unreachable' });

  const { Item } = await documentClient.send(
    new GetCommand({ TableName: standIns.tableName, Key: itemKeys.stock(product.id), ConsistentRead: true }),
  );
  const remaining = (Item?.outbox ?? []) as string[];
  t.is(remaining.length, 2, 'the first restock went out; two wait');
  const oldest = JSON.parse(remaining[0] as string) as LedgerEntry;
  t.is(Item?.[tableIndexes.outbox.sortKey], oldest.at);
  const relay = new OutboxRelay({
    documentClient,
    tableName: standIns.tableName,
    owner: 'inventory',
    flush: async () => {},
    logger,
    minAgeMs,
  });
  t.true((await relay.pendingProducts()).includes(product.id), 'the relay takes it up without waiting again');
});
