import assert from 'node:assert/strict';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createRequestChecker } from '@shop/contracts';
import { behaviourEventTypes, type CloudEvent, isId } from '@shop/platform';
import {
  anyText,
  assertStatus,
  bodies,
  bodyValue,
  checkProperty,
  earlyAnswer,
  longText,
  recordDynamoDbRequests,
  refusesField,
  StatusTally,
  sendChecked,
  sentToDynamoDb,
  serveOnStandIns,
  showAnswer,
} from '@shop/testing';
import anyTest, { type TestFn } from 'ava';
import fc from 'fast-check';
import { createApp } from '../src/app.js';
import { productBody } from './catalog-harness.js';

/** What counts as a valid body is the contract's word, not the joi schema under test. */
const contract = createRequestChecker();

// Property-based test of POST /api/events, the public endpoint the storefront sends product views
// to: generated bodies from valid to malformed, with and without credentials. Whatever comes in,
// the answer is never a 5xx, an error is problem+json that leaks nothing internal, a view is
// accepted (202) only for a product that exists, the stream gets exactly one valid event per
// accepted view and none for anything else, nothing is stored, and an id that is not one never
// reaches DynamoDB. The endpoint's own per-client limit (production's, 10/s with a burst of 20)
// stays on: each case comes from its own client address, as views from many shoppers do.

const startCatalog = () => serveOnStandIns('catalog', createApp);
type Catalog = Awaited<ReturnType<typeof startCatalog>>;

const test = anyTest as TestFn<{ catalog: Catalog }>;

test.before(async (t) => {
  t.context.catalog = await startCatalog();
});
test.after.always(async (t) => {
  await t.context.catalog?.stop();
});

let clients = 0;
/** A client address no case has used (through X-Forwarded-For, as the load balancer sets it). */
function newClient(): string {
  clients += 1;
  return `10.${(clients >> 16) & 255}.${(clients >> 8) & 255}.${clients & 255}`;
}

async function createProduct(catalog: Catalog, category: string): Promise<string> {
  const created = await catalog.requestAs('admin', 'POST', '/api/products', productBody({ category }));
  if (created.status !== 201) throw new Error(`could not create a product: ${created.status}`);
  return created.body.id as string;
}

/** Every item key in the table, as `pk sk`. */
async function tableKeys(catalog: Catalog): Promise<Set<string>> {
  const keys = new Set<string>();
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await catalog.documentClient.send(
      new ScanCommand({ TableName: catalog.standIns.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    for (const item of page.Items ?? []) keys.add(`${item.pk} ${item.sk}`);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return keys;
}

const viewEvents = async (catalog: Catalog) =>
  (await catalog.events()).filter((event) => event.type === behaviourEventTypes.productViewed);

/** Polls the stream until it holds `count` view events (or 20 s have passed), and returns them. */
async function awaitViewEvents(catalog: Catalog, count: number): Promise<CloudEvent[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const events = await viewEvents(catalog);
    if (events.length >= count || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('when POST /api/events gets any body and credentials, then it accepts only views of existing products and publishes one valid event each', async (t) => {
  const { catalog } = t.context;
  const categories = ['tents', 'shoes', 'lamps'];
  const kept = new Map<string, string>();
  for (const category of categories) kept.set(await createProduct(catalog, category), category);
  const deleted = await createProduct(catalog, 'gone');
  assert.equal((await catalog.requestAs('admin', 'DELETE', `/api/products/${deleted}`)).status, 204);
  const keptIds = [...kept.keys()];
  const viewsBefore = (await viewEvents(catalog)).length;
  const keysBefore = await tableKeys(catalog);
  const sent = recordDynamoDbRequests(catalog.documentClient);

  const productId = fc.oneof(
    { weight: 14, arbitrary: fc.constantFrom(...keptIds) },
    { weight: 1, arbitrary: fc.constant(deleted) },
    { weight: 2, arbitrary: fc.ulid() },
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc.constantFrom(...keptIds).map((id) => id.toLowerCase()),
        fc.constantFrom(...keptIds).map((id) => `${id}0`),
        fc.constantFrom(...keptIds).map((id) => `${id.slice(0, 25)}U`),
        longText(2049),
        anyText(30),
        fc.constantFrom('__proto__', 'constructor', ''),
      ),
    },
  );
  const viewFields = fc.record({
    type: fc.oneof(
      { weight: 8, arbitrary: fc.constant('product-viewed') },
      {
        weight: 1,
        arbitrary: fc.oneof(fc.constantFrom('product-clicked', 'Product-Viewed', 'product-viewed '), anyText(20)),
      },
    ),
    version: fc.oneof(
      { weight: 8, arbitrary: fc.constant<unknown>(1) },
      { weight: 1, arbitrary: fc.constantFrom<unknown>(2, 0, '1', 1.5, -1, null, true) },
    ),
    productId,
  });
  const viewBodies = bodies(viewFields, {
    fieldNames: ['type', 'version', 'productId'],
    pastLimits: fc.oneof(longText(2049), fc.constant(2)),
    foreignKeys: ['category', 'events', 'subject', 'data', 'id', 'Type', 'productID'],
  });
  const credentials = fc.constantFrom('anonymous', 'shopper', 'forged') as fc.Arbitrary<
    'anonymous' | 'shopper' | 'forged'
  >;

  const accepted = new Map<string, number>();
  const tally = new StatusTally();
  await checkProperty(
    t,
    tally,
    fc.asyncProperty(viewBodies, credentials, async (body, who) => {
      const headers: Record<string, string> = { 'x-forwarded-for': newClient() };
      if (who === 'forged') headers.authorization = 'Bearer not-a-token';
      const from = sent.length;
      const answer = await sendChecked(
        catalog,
        who === 'forged' ? 'anonymous' : who,
        'POST',
        '/api/events',
        body,
        headers,
      );
      tally.add(answer);
      const request = `POST /api/events as ${who} ${body?.contentType ?? ''} ${body?.text.slice(0, 500)}`;
      const early = earlyAnswer(answer, body, undefined, []);
      if (early === 'skip') assert.fail(`nothing is replayed without an Idempotency-Key: ${request}`);
      if (early !== undefined) return assertStatus(answer, [early], request);
      const value = bodyValue(body);
      const claimed = (value as { productId?: unknown } | null)?.productId;
      if (typeof claimed === 'string' && claimed.length >= 16 && !isId(claimed)) {
        assert.ok(
          !sentToDynamoDb(sent.slice(from), claimed),
          `a productId that is not an id reached DynamoDB: ${request}`,
        );
      }
      if (!contract.accepts('recordBehaviourEvent', value)) return assertStatus(answer, [422], request);
      const id = claimed as string;
      if (!kept.has(id)) {
        assertStatus(answer, [422], request);
        return assert.ok(refusesField(answer, 'productId'), showAnswer(request, answer));
      }
      assertStatus(answer, [202], request);
      assert.equal(answer.body, undefined, request);
      accepted.set(id, (accepted.get(id) ?? 0) + 1);
    }),
  );

  const acceptedCount = [...accepted.values()].reduce((sum, count) => sum + count, 0);
  const events = (await awaitViewEvents(catalog, viewsBefore + acceptedCount)).slice(viewsBefore);
  t.is(events.length, acceptedCount, 'one event per accepted view, and no other');
  const published = new Map<string, number>();
  for (const event of events) {
    const label = JSON.stringify(event);
    const category = kept.get(event.subject ?? '');
    assert.ok(category !== undefined, `an event for a product that was not viewed: ${label}`);
    assert.deepEqual(event.data, { productId: event.subject, category }, label);
    assert.equal(event.partitionkey, event.subject, label);
    assert.equal(event.source, '/shop/web', label);
    assert.ok(isId(event.id), label);
    published.set(event.subject ?? '', (published.get(event.subject ?? '') ?? 0) + 1);
  }
  const byProduct = (counts: Map<string, number>) =>
    Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : 1)));
  t.deepEqual(byProduct(published), byProduct(accepted), 'each product has as many events as accepted views');

  const keysAfter = await tableKeys(catalog);
  const added = [...keysAfter].filter((key) => !keysBefore.has(key));
  t.deepEqual(added, [], 'views store nothing');
});
