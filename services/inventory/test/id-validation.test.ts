import { newId } from '@shop/platform';
import { type JsonResponse, malformedIds, recordDynamoDbRequests, sentToDynamoDb } from '@shop/testing';
import anyTest, { type TestFn } from 'ava';
import { type Inventory, startInventory } from './inventory-harness.js';

// Ids are checked before they reach DynamoDB. A 404 alone would not show it (a lookup of a
// malformed id finds nothing either), so these tests watch what the app's own DynamoDB client
// sends to dynalite and look for the id in it. The over-long id is one DynamoDB itself refuses
// (a partition key above 2048 bytes is a ValidationException, which dynalite enforces too): sent
// on, it would be a 500 instead of a 404.

interface Context {
  inventory: Inventory;
  sent: string[];
  productId: string;
  reservationId: string;
  /** A second reservation, released by the recorder's check. */
  spareReservationId: string;
}

const test = anyTest as TestFn<Context>;

test.before(async (t) => {
  const inventory = await startInventory();
  const { id: productId } = await inventory.createProduct();
  const restocked = await inventory.requestAs('staff', 'POST', `/api/inventory/${productId}/adjustments`, {
    quantity: 5,
    reason: 'restock',
  });
  if (restocked.status !== 201) throw new Error(`restock answered ${restocked.status}`);
  const reserve = async () => {
    const reserved = await inventory.requestAs('staff', 'POST', `/api/inventory/${productId}/reservations`, {
      quantity: 1,
    });
    if (reserved.status !== 201) throw new Error(`reservation answered ${reserved.status}`);
    return reserved.body.id as string;
  };
  t.context = {
    inventory,
    sent: recordDynamoDbRequests(inventory.documentClient),
    productId,
    reservationId: await reserve(),
    spareReservationId: await reserve(),
  };
});
test.after.always(async (t) => {
  await t.context.inventory?.stop();
});

test('when well-formed ids are used, then they do reach DynamoDB (the recorder sees the app)', async (t) => {
  const { inventory, sent, productId, spareReservationId } = t.context;
  const from = sent.length;
  t.is((await inventory.request('GET', `/api/inventory/${productId}`)).status, 200);
  // A reservation lives inside its stock item: only a change to it names its id to DynamoDB.
  const release = `/api/inventory/${productId}/reservations/${spareReservationId}`;
  t.is((await inventory.requestAs('staff', 'DELETE', release)).status, 204);
  const bodies = sent.slice(from);
  t.true(
    bodies.some((body) => body.includes(productId)),
    'the stock read was recorded',
  );
  t.true(
    bodies.some((body) => body.includes(spareReservationId)),
    'the release was recorded',
  );
});

test('when a stock path holds a malformed product id, then every route answers 404 and nothing sent to DynamoDB holds the id', async (t) => {
  const { inventory, sent, productId, reservationId } = t.context;
  for (const [label, segment, id] of malformedIds(productId)) {
    const base = `/api/inventory/${segment}`;
    const from = sent.length;
    const key = { 'idempotency-key': newId() };
    const answers: Array<[string, JsonResponse]> = [
      ['GET stock', await inventory.request('GET', base)],
      ['PUT stocktake', await inventory.requestAs('staff', 'PUT', base, { onHand: 3 }, { 'if-match': '"1"' })],
      ['PATCH threshold', await inventory.requestAs('staff', 'PATCH', base, { lowStockThreshold: 2 }, key)],
      [
        'POST adjustment',
        await inventory.requestAs('staff', 'POST', `${base}/adjustments`, { quantity: 1, reason: 'restock' }),
      ],
      ['GET history', await inventory.requestAs('staff', 'GET', `${base}/adjustments`)],
      ['POST reservation', await inventory.requestAs('staff', 'POST', `${base}/reservations`, { quantity: 1 })],
      ['GET reservation', await inventory.requestAs('staff', 'GET', `${base}/reservations/${reservationId}`)],
      ['POST commit', await inventory.requestAs('staff', 'POST', `${base}/reservations/${reservationId}/commit`)],
      ['DELETE reservation', await inventory.requestAs('staff', 'DELETE', `${base}/reservations/${reservationId}`)],
    ];
    for (const [route, answer] of answers) {
      t.is(answer.status, 404, `${label}: ${route} answered ${answer.status} ${answer.body?.title}`);
      t.is(answer.headers.get('content-type'), 'application/problem+json', `${label}: ${route}`);
    }
    t.false(sentToDynamoDb(sent.slice(from), id), `${label} reached DynamoDB`);
  }
});

test('when a reservation path holds a malformed reservation id, then every route answers 404 and nothing sent to DynamoDB holds the id', async (t) => {
  const { inventory, sent, productId, reservationId } = t.context;
  for (const [label, segment, id] of malformedIds(reservationId)) {
    const path = `/api/inventory/${productId}/reservations/${segment}`;
    const from = sent.length;
    const answers: Array<[string, JsonResponse]> = [
      ['GET', await inventory.requestAs('staff', 'GET', path)],
      ['POST commit', await inventory.requestAs('staff', 'POST', `${path}/commit`)],
      ['DELETE', await inventory.requestAs('staff', 'DELETE', path, undefined, { 'idempotency-key': newId() })],
    ];
    for (const [route, answer] of answers) {
      t.is(answer.status, 404, `${label}: ${route} answered ${answer.status} ${answer.body?.title}`);
      t.is(answer.headers.get('content-type'), 'application/problem+json', `${label}: ${route}`);
    }
    t.false(sentToDynamoDb(sent.slice(from), id), `${label} reached DynamoDB`);
  }
  const kept = await inventory.requestAs('staff', 'GET', `/api/inventory/${productId}/reservations/${reservationId}`);
  t.is(kept.status, 200, 'the real reservation is untouched');
});
