import { forgedCredentials, type JsonResponse } from '@shop/testing';
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { type Inventory, startInventory } from './inventory-harness.js';

// One at a time: each test compares the whole stream before and after.
const test = anyTest.serial as TestFn<{ inventory: Inventory }>;

test.before(async (t) => {
  t.context.inventory = await startInventory();
});
test.after.always(async (t) => {
  await t.context.inventory?.stop();
});

/** A product with 10 units and one live reservation of 2, as staff sets it up. */
async function stockedProduct(inventory: Inventory) {
  const product = await inventory.createProduct();
  const base = `/api/inventory/${product.id}`;
  const restock = await inventory.requestAs('staff', 'POST', `${base}/adjustments`, {
    quantity: 10,
    reason: 'restock',
  });
  const reservation = await inventory.requestAs('staff', 'POST', `${base}/reservations`, {
    quantity: 2,
    ttlSeconds: 600,
  });
  if (restock.status !== 201 || reservation.status !== 201) throw new Error('could not set up stock');
  // Events follow the answers; the comparisons start once these are on the stream.
  await inventory.settled(product.id);
  return { id: product.id, base, reservationId: reservation.body.id as string };
}

interface StaffCall {
  name: string;
  method: string;
  path: (setup: Awaited<ReturnType<typeof stockedProduct>>) => string;
  body?: unknown;
  headers?: (current: JsonResponse) => Record<string, string>;
  succeeds: number;
}

const staffCalls: StaffCall[] = [
  { name: 'stock list', method: 'GET', path: () => '/api/inventory', succeeds: 200 },
  { name: 'low-stock list', method: 'GET', path: () => '/api/inventory?lowStock=true', succeeds: 200 },
  {
    name: 'stocktake',
    method: 'PUT',
    path: ({ base }) => base,
    body: { onHand: 7 },
    headers: (current) => ({ 'if-match': current.headers.get('etag') ?? '' }),
    succeeds: 200,
  },
  { name: 'threshold', method: 'PATCH', path: ({ base }) => base, body: { lowStockThreshold: 4 }, succeeds: 200 },
  {
    name: 'adjustment',
    method: 'POST',
    path: ({ base }) => `${base}/adjustments`,
    body: { quantity: -1, reason: 'sale' },
    succeeds: 201,
  },
  { name: 'history', method: 'GET', path: ({ base }) => `${base}/adjustments`, succeeds: 200 },
  {
    name: 'reservation',
    method: 'POST',
    path: ({ base }) => `${base}/reservations`,
    body: { quantity: 1, ttlSeconds: 60 },
    succeeds: 201,
  },
  {
    name: 'reservation read',
    method: 'GET',
    path: ({ base, reservationId }) => `${base}/reservations/${reservationId}`,
    succeeds: 200,
  },
  {
    name: 'reservation commit',
    method: 'POST',
    path: ({ base, reservationId }) => `${base}/reservations/${reservationId}/commit`,
    succeeds: 200,
  },
  {
    name: 'reservation release',
    method: 'DELETE',
    path: ({ base, reservationId }) => `${base}/reservations/${reservationId}`,
    succeeds: 204,
  },
];

async function snapshot(inventory: Inventory, base: string) {
  const [stock, events] = await Promise.all([inventory.request('GET', base), inventory.events()]);
  return { stock: stock.body, events: events.length };
}

function assertRefused(t: ExecutionContext, response: JsonResponse, status: 401 | 403, label: string) {
  t.is(response.status, status, label);
  t.is(response.headers.get('content-type'), 'application/problem+json', label);
  t.is(response.body.status, status, label);
  if (status === 401) t.regex(response.headers.get('www-authenticate') ?? '', /^Bearer\b/, label);
}

test('when anyone reads a stock level, then no token is needed', async (t) => {
  const { inventory } = t.context;
  const { base } = await stockedProduct(inventory);
  t.like((await inventory.request('GET', base)).body, { onHand: 10, available: 8 });
  for (const user of ['shopper', 'staff', 'admin'] as const) {
    t.is((await inventory.requestAs(user, 'GET', base)).status, 200, user);
  }
});

for (const call of staffCalls) {
  test(`when the ${call.name} is asked by anyone but inventory staff, then it is refused and nothing changes`, async (t) => {
    const { inventory } = t.context;
    const setup = await stockedProduct(inventory);
    const path = call.path(setup);
    const before = await snapshot(inventory, setup.base);
    const headers = call.headers?.(await inventory.request('GET', setup.base)) ?? {};
    assertRefused(t, await inventory.request(call.method, path, call.body, headers), 401, 'anonymous');
    assertRefused(t, await inventory.requestAs('shopper', call.method, path, call.body, headers), 403, 'shopper');
    const forged = forgedCredentials({
      accessToken: inventory.tokens.shopper,
      idToken: inventory.tokens.adminIdToken,
      pool: inventory.pool,
    });
    for (const [kind, authorization] of Object.entries(forged)) {
      const withToken = authorization === undefined ? headers : { ...headers, authorization };
      assertRefused(t, await inventory.request(call.method, path, call.body, withToken), 401, kind);
    }
    t.deepEqual(await snapshot(inventory, setup.base), before);
    t.is((await inventory.requestAs('staff', call.method, path, call.body, headers)).status, call.succeeds, 'staff');
  });

  test(`when the ${call.name} is asked by an admin, then it is allowed (admins are inventory staff too)`, async (t) => {
    const { inventory } = t.context;
    const setup = await stockedProduct(inventory);
    const headers = call.headers?.(await inventory.request('GET', setup.base)) ?? {};
    const response = await inventory.requestAs('admin', call.method, call.path(setup), call.body, headers);
    t.is(response.status, call.succeeds);
  });
}

test('when two staff members send the same Idempotency-Key, then each gets their own adjustment', async (t) => {
  const { inventory } = t.context;
  const { base } = await stockedProduct(inventory);
  const key = `shared-${Date.now()}`;
  const sale = { quantity: -1, reason: 'sale' };
  const byStaff = await inventory.requestAs('staff', 'POST', `${base}/adjustments`, sale, { 'idempotency-key': key });
  const byAdmin = await inventory.requestAs('admin', 'POST', `${base}/adjustments`, sale, { 'idempotency-key': key });
  t.is(byStaff.status, 201);
  t.is(byAdmin.status, 201);
  t.is(byAdmin.headers.get('idempotent-replayed'), null);
  t.not(byAdmin.body.adjustment.id, byStaff.body.adjustment.id);
  const retried = await inventory.requestAs('staff', 'POST', `${base}/adjustments`, sale, { 'idempotency-key': key });
  t.is(retried.headers.get('idempotent-replayed'), 'true');
  t.like((await inventory.request('GET', base)).body, { onHand: 8 });
});
