import { newId } from '@shop/platform';
import { type JsonResponse, malformedIds, recordDynamoDbRequests, sentToDynamoDb } from '@shop/testing';
import anyTest, { type TestFn } from 'ava';
import { type Catalog, productBody, startCatalog } from './catalog-harness.js';

// Ids are checked before they reach DynamoDB. A 404 alone would not show it (a lookup of a
// malformed id finds nothing either), so these tests watch what the app's own DynamoDB client
// sends to dynalite and look for the id in it. The over-long id is one DynamoDB itself refuses
// (a partition key above 2048 bytes is a ValidationException, which dynalite enforces too): sent
// on, it would be a 500 instead of a 404.

const test = anyTest as TestFn<{ catalog: Catalog; sent: string[]; productId: string }>;

test.before(async (t) => {
  const catalog = await startCatalog();
  const created = await catalog.requestAs('admin', 'POST', '/api/products', productBody());
  t.context = { catalog, sent: recordDynamoDbRequests(catalog.documentClient), productId: created.body.id };
});
test.after.always(async (t) => {
  await t.context.catalog?.stop();
});

test('when a product is read by a well-formed id, then its id does reach DynamoDB (the recorder sees the app)', async (t) => {
  const { catalog, sent, productId } = t.context;
  const from = sent.length;
  t.is((await catalog.request('GET', `/api/products/${productId}`)).status, 200);
  t.true(
    sent.slice(from).some((body) => body.includes(productId)),
    'the read was recorded',
  );
});

test('when a product path holds a malformed id, then every method answers 404 and nothing sent to DynamoDB holds the id', async (t) => {
  const { catalog, sent, productId } = t.context;
  for (const [label, segment, id] of malformedIds(productId)) {
    const path = `/api/products/${segment}`;
    const from = sent.length;
    const answers: Array<[string, JsonResponse]> = [
      ['GET', await catalog.request('GET', path)],
      ['PUT', await catalog.requestAs('admin', 'PUT', path, productBody(), { 'if-match': '"1"' })],
      ['PATCH', await catalog.requestAs('admin', 'PATCH', path, { price: 5 }, { 'idempotency-key': newId() })],
      ['DELETE', await catalog.requestAs('admin', 'DELETE', path)],
    ];
    for (const [method, answer] of answers) {
      t.is(answer.status, 404, `${label}: ${method} answered ${answer.status} ${answer.body?.title}`);
      t.is(answer.headers.get('content-type'), 'application/problem+json', `${label}: ${method}`);
    }
    t.false(sentToDynamoDb(sent.slice(from), id), `${label} reached DynamoDB`);
  }
  t.is((await catalog.request('GET', `/api/products/${productId}`)).status, 200, 'the real product is untouched');
});
