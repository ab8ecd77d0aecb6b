import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { findFreePort } from '@shop/local-stack';
import {
  type CloudEvent,
  createKinesisClient,
  createLogger,
  type EventPublisher,
  itemKeys,
  KinesisEventPublisher,
  OutboxFlusher,
  OutboxRelay,
  outboxEntryBytes,
} from '@shop/platform';
import anyTest, { type TestFn } from 'ava';
import { ProductOutboxSource } from '../src/products/product-outbox-source.js';
import { maxProductOutboxBytes, ProductsRepository } from '../src/products/products.repository.js';
import { type Catalog, productBody, startCatalog } from './catalog-harness.js';

const test = anyTest as TestFn<{ catalog: Catalog; unreachable: ReturnType<typeof createKinesisClient> }>;

// The service's publisher points at a port nothing listens on: every change stays in its outbox,
// as while the stream is down.
test.before(async (t) => {
  t.context.unreachable = createKinesisClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${await findFreePort()}`,
    maxAttempts: 1,
  });
  t.context.catalog = await startCatalog({
    publisher: new KinesisEventPublisher({ client: t.context.unreachable, streamName: 'unreachable', maxAttempts: 1 }),
  });
});
test.after.always(async (t) => {
  await t.context.catalog?.stop();
  t.context.unreachable?.destroy();
});

async function storedItem(catalog: Catalog, productId: string): Promise<Record<string, unknown>> {
  const { Item } = await catalog.documentClient.send(
    new GetCommand({ TableName: catalog.standIns.tableName, Key: itemKeys.product(productId), ConsistentRead: true }),
  );
  if (!Item) throw new Error(`no item for product ${productId}`);
  return Item;
}

// An item's size by DynamoDB's rules: UTF-8 bytes of attribute names and strings, at most 21
// bytes a number, 3 bytes plus 1 per element for lists and maps.
function dynamoDbSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return 21;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + dynamoDbSize(element), 0);
  if (value instanceof Uint8Array) return value.byteLength;
  if (typeof value === 'object' && value !== null) {
    return 3 + Object.entries(value).reduce((sum, [name, inner]) => sum + 1 + itemSize({ [name]: inner }), 0);
  }
  return 1;
}

function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + dynamoDbSize(value), 0);
}

// Text of `length` UTF-16 units at 3 UTF-8 bytes each, the most a unit can cost an item or an
// event's JSON (an escape such as \" takes 2; lone surrogates are refused as invalid Unicode).
const costly = (length: number, last = '') => '€'.repeat(length - last.length) + last;

test('when a product has as many unpublished events as its outbox holds, then a change answers 503 with Retry-After and changes nothing', async (t) => {
  const { catalog } = t.context;
  const largest = productBody({
    name: costly(200, 'A'),
    description: costly(5000),
    sku: 'S'.repeat(64),
    category: 'c'.repeat(64),
    supplier: {
      name: costly(200, 'B'),
      email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`,
    },
  });
  const created = await catalog.requestAs('admin', 'POST', '/api/products', largest);
  t.is(created.status, 201, JSON.stringify(created.body));
  const productId: string = created.body.id;

  let before = await storedItem(catalog, productId);
  let refused: Awaited<ReturnType<Catalog['request']>> | undefined;
  for (let change = 1; change <= 100 && !refused; change += 1) {
    const patched = await catalog.requestAs('admin', 'PATCH', `/api/products/${productId}`, {
      description: costly(5000, String(change)),
    });
    if (patched.status === 200) before = await storedItem(catalog, productId);
    else refused = patched;
  }

  t.is(refused?.status, 503, JSON.stringify(refused?.body));
  t.is(refused?.headers.get('retry-after'), '2');
  t.regex(refused?.headers.get('content-type') ?? '', /application\/problem\+json/);
  const after = await storedItem(catalog, productId);
  t.deepEqual(after, before, 'version, fields and outbox as before the refused change');
  t.is((await catalog.request('GET', `/api/products/${productId}`)).body.version, before.version);

  const outbox = after.outbox as string[];
  const eventBytes = Math.max(...outbox.map(outboxEntryBytes));
  t.true(outbox.length > 5, `${outbox.length} changes pending`);
  t.is(
    after.outboxBytes,
    outbox.reduce((sum, entry) => sum + outboxEntryBytes(entry), 0),
  );
  t.true(Number(after.outboxBytes) + eventBytes > maxProductOutboxBytes, 'refused only because it was full');
  const size = itemSize(after);
  t.log(`${outbox.length} events of up to ${eventBytes} bytes pending; the item takes ${size} bytes`);
  t.true(size < 400 * 1024, `the largest product with a full outbox is under DynamoDB's 400 KB (${size})`);
});

test('when a flush clears only part of an outbox, then the item keeps the age of its oldest remaining event', async (t) => {
  const { catalog } = t.context;
  const { documentClient, standIns } = catalog;
  const created = await catalog.requestAs('admin', 'POST', '/api/products', productBody());
  const productId: string = created.body.id;
  for (const description of ['first change', 'second change']) {
    await catalog.requestAs('admin', 'PATCH', `/api/products/${productId}`, { description });
  }
  const minAgeMs = 1500;
  await sleep(minAgeMs + 100);

  // The stream takes one round of events and is unreachable again for the next.
  const kinesis = createKinesisClient({ region: standIns.region, endpoint: standIns.kinesisEndpoint });
  const stream = new KinesisEventPublisher({ client: kinesis, streamName: standIns.streamName });
  let rounds = 0;
  const publisher: EventPublisher = {
    publish: (events) => (rounds++ === 0 ? stream.publish(events) : Promise.reject(new Error('stream unreachable'))),
  };
  const repository = new ProductsRepository({ documentClient, tableName: standIns.tableName, outboxOwner: 'catalog' });
  const flusher = new OutboxFlusher({ source: new ProductOutboxSource(repository), publisher, batchSize: 1 });
  await t.throwsAsync(flusher.flush(productId), { message: 'stream unreachable' });
  kinesis.destroy();

  const item = await storedItem(catalog, productId);
  const remaining = item.outbox as string[];
  t.is(remaining.length, 2, 'the created event went out; both changes wait');
  const oldest = JSON.parse(remaining[0] as string) as CloudEvent;
  t.is(item.outboxSince, oldest.time);
  t.is(
    item.outboxBytes,
    remaining.reduce((sum, entry) => sum + outboxEntryBytes(entry), 0),
  );
  const relay = new OutboxRelay({
    documentClient,
    tableName: standIns.tableName,
    owner: 'catalog',
    flush: async () => {},
    logger: createLogger({ name: 'test', level: 'silent' }),
    minAgeMs,
  });
  t.true((await relay.pendingProducts()).includes(productId), 'the relay takes it up without waiting again');
});
