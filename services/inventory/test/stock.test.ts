import { setTimeout as sleep } from 'node:timers/promises';
import type { CloudEvent } from '@shop/platform';
import anyTest, { type TestFn } from 'ava';
import { ulid } from 'ulid';
import { type Inventory, startInventory } from './inventory-harness.js';

const test = anyTest as TestFn<{ inventory: Inventory }>;

test.before(async (t) => {
  t.context.inventory = await startInventory();
});
test.after.always(async (t) => {
  await t.context.inventory?.stop();
});

const restock = (inventory: Inventory, id: string, quantity: number) =>
  inventory.requestAs('staff', 'POST', `/api/inventory/${id}/adjustments`, { quantity, reason: 'restock' });

test('when a product exists in catalog, then it has a stock level of 0 at once', async (t) => {
  const { inventory } = t.context;
  const product = await inventory.createProduct();
  const response = await inventory.requestAs('staff', 'GET', `/api/inventory/${product.id}`);
  t.is(response.status, 200);
  t.like(response.body, { productId: product.id, onHand: 0, reserved: 0, available: 0, version: 0 });
  t.is(response.headers.get('etag'), '"0"');
});

test('when a product is unknown, deleted or not an id, then its stock answers 404', async (t) => {
  const { inventory } = t.context;
  const product = await inventory.createProduct();
  t.is((await restock(inventory, product.id, 5)).status, 201);
  await inventory.deleteProduct(product.id);
  for (const id of [product.id, ulid(), 'nope']) {
    const read = await inventory.requestAs('staff', 'GET', `/api/inventory/${id}`);
    t.is(read.status, 404, id);
    t.is(read.body.detail, 'Product not found');
    t.is((await restock(inventory, id, 1)).status, 404);
    t.is((await inventory.requestAs('staff', 'GET', `/api/inventory/${id}/adjustments`)).status, 404);
  }
});

test('when stock is adjusted, then it answers 201 with the adjustment and the new stock', async (t) => {
  const { inventory } = t.context;
  const product = await inventory.createProduct();
  const response = await inventory.requestAs('staff', 'POST', `/api/inventory/${product.id}/adjustments`, {
    quantity: 12,
    reason: 'restock',
    note: 'pallet 4',
    reference: 'PO-77',
  });
  t.is(response.status, 201);
  t.like(response.body.adjustment, {
    productId: product.id,
    quantity: 12,
    reason: 'restock',
    note: 'pallet 4',
    reference: 'PO-77',
    onHandBefore: 0,
    onHandAfter: 12,
  });
  t.like(response.body.stock, { onHand: 12, available: 12, reserved: 0, version: 1 });
  t.is(response.headers.get('location'), `/api/inventory/${product.id}/adjustments/${response.body.adjustment.id}`);
  const history = await inventory.requestAs('staff', 'GET', `/api/inventory/${product.id}/adjustments`);
  t.is(history.body.items[0].id, response.body.adjustment.id);
});

test('when 500 sales race for 300 units, then exactly 300 succeed and nothing is oversold or lost', async (t) => {
  const { inventory } = t.context;
  const product = await inventory.createProduct({ category: 'race' });
  t.is((await restock(inventory, product.id, 300)).status, 201);
  const answers = await Promise.all(
    Array.from({ length: 500 }, () =>
      inventory.requestAs('staff', 'POST', `/api/inventory/${product.id}/adjustments`, {
        quantity: -1,
        reason: 'sale',
      }),
    ),
  );
  const statuses = answers.map((answer) => answer.status);
  t.is(statuses.filter((status) => status === 201).length, 300);
  t.is(statuses.filter((status) => status === 409).length, 200);
  t.false(statuses.some((status) => status >= 500));
  const stock = await inventory.requestAs('staff', 'GET', `/api/inventory/${product.id}`);
  t.like(stock.body, { onHand: 0, available: 0 });

  const history: Array<{ reason: string }> = [];
  let cursor: string | null = null;
  do {
    const page = await inventory.requestAs(
      'staff',
      'GET',
      `/api/inventory/${product.id}/adjustments?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
    );
    history.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  t.is(history.filter((entry) => entry.reason === 'sale').length, 300);

  const adjusted = (events: CloudEvent[]) =>
    events.filter((event) => event.type === 'shop.inventory.stock.adjusted.v1');
  const sales = adjusted(await inventory.eventsOf(product.id, (events) => adjusted(events).length >= 301));
  const saleEvents = sales.filter((event) => (event.data as { reason: string }).reason === 'sale');
  t.is(saleEvents.length, 300);
  t.is(new Set(saleEvents.map((event) => event.id)).size, 300);
  const versions = sales.map((event) => (event.data as { version: number }).version);
  t.deepEqual(
    versions,
    [...versions].sort((a, b) => a - b),
    'one product’s events are in version order',
  );
  const onHandAfter = saleEvents
    .map((event) => (event.data as { onHandAfter: number }).onHandAfter)
    .sort((a, b) => a - b);
  t.deepEqual(
    onHandAfter,
    Array.from({ length: 300 }, (_, index) => index),
  );
});

test('when a sale would take more than is available, then 409 names what is available', async (t) => {
  const { inventory } = t.context;
  const product = await inventory.createProduct();
  await restock(inventory, product.id, 3);
  const response = await inventory.requestAs('staff', 'POST', `/api/inventory/${product.id}/adjustments`, {
    quantity: -5,
    reason: 'sale',
  });
  t.is(response.status, 409);
  t.is(response.body.available, 3);
  t.regex(response.body.detail, /3 available/);
  t.is((await inventory.requestAs('staff', 'GET', `/api/inventory/${product.id}`)).body.onHand, 3);
});

test('when a sale is recorded, then its event carries unit price, currency, category and revenue', async (t) => {
  const { inventory } = t.context;
  const product = await inventory.createProduct({ priceMinor: 1250, currency: 'EUR', category: 'lamps' });
  await restock(inventory, product.id, 10);
  const sale = await inventory.requestAs('staff', 'POST', `/api/inventory/${product.id}/adjustments`, {
    quantity: -2,
    reason: 'sale',
    reference: 'order-1',
  });
  const isSale = (candidate: CloudEvent) =>
    (candidate.data as { adjustmentId?: string }).adjustmentId === sale.body.adjustment.id;
  const event = (await inventory.eventsOf(product.id, (events) => events.some(isSale))).find(isSale);
  t.like(event, {
    type: 'shop.inventory.stock.adjusted.v1',
    subject: product.id,
    partitionkey: product.id,
    data: {
      quantity: -2,
      reason: 'sale',
      reference: 'order-1',
      onHandBefore: 10,
      onHandAfter: 8,
      unitPriceMinor: 1250,
      currency: 'EUR',
      category: 'lamps',
      revenueMinor: 2500,
    },
  });
});

test('when one Idempotency-Key is sent 20 times at once, then the adjustment applies once', async (t) => {
  const { inventory } = t.context;
  const product = await inventory.createProduct();
  await restock(inventory, product.id, 50);
  const key = `sale-${ulid()}`;
  const answers = await Promise.all(
    Array.from({ length: 20 }, () =>
      inventory.requestAs(
        'staff',
        'POST',
        `/api/inventory/${product.id}/adjustments`,
        { quantity: -3, reason: 'sale' },
        { 'idempotency-key': key },
      ),
    ),
  );
  t.true(answers.every((answer) => answer.status === 201));
  t.is(new Set(answers.map((answer) => answer.body.adjustment.id)).size, 1);
  t.is((await inventory.requestAs('staff', 'GET', `/api/inventory/${product.id}`)).body.onHand, 47);
  const history = await inventory.requestAs('staff', 'GET', `/api/inventory/${product.id}/adjustments`);
  t.is(history.body.items.filter((entry: { reason: string }) => entry.reason === 'sale').length, 1);
});

test('when stock crosses its threshold, then exactly one low event per crossing and one replenished per recovery', async (t) => {
  const { inventory } = t.context;
  const product = await inventory.createProduct();
  const path = `/api/inventory/${product.id}`;
  t.is((await inventory.requestAs('staff', 'PATCH', path, { lowStockThreshold: 5 })).status, 200);
  const steps = [10, -5, -1, 10, -9, -2, 3, 1];
  for (const quantity of steps) {
    const response = await inventory.requestAs('staff', 'POST', `${path}/adjustments`, {
      quantity,
      reason: quantity > 0 ? 'restock' : 'sale',
    });
    t.is(response.status, 201);
  }
  // available: 0 (low) → 10 ↑ → 5 ↓ → 4 → 14 ↑ → 5 ↓ → 3 → 6 ↑ → 7
  const lastVersion = steps.length + 1;
  const events = await inventory.eventsOf(product.id, (all) =>
    all.some((event) => (event.data as { version: number }).version === lastVersion),
  );
  const low = events.filter((event) => event.type === 'shop.inventory.stock.low.v1');
  const replenished = events.filter((event) => event.type === 'shop.inventory.stock.replenished.v1');
  t.is(low.length, 2);
  t.is(replenished.length, 3);
  t.like(low[0]?.data, { available: 5, lowStockThreshold: 5, supplier: { email: 'orders@acme.test' } });
});

test('when 50 reservations of 10 race for 200 units, then exactly 20 succeed and releasing restores availability', async (t) => {
  const { inventory } = t.context;
  const product = await inventory.createProduct();
  const path = `/api/inventory/${product.id}`;
  await restock(inventory, product.id, 200);
  const answers = await Promise.all(
    Array.from({ length: 50 }, () => inventory.requestAs('staff', 'POST', `${path}/reservations`, { quantity: 10 })),
  );
  const made = answers.filter((answer) => answer.status === 201);
  t.is(made.length, 20);
  t.is(answers.filter((answer) => answer.status === 409).length, 30);
  t.like((await inventory.requestAs('staff', 'GET', path)).body, { onHand: 200, reserved: 200, available: 0 });
  for (const answer of made.slice(0, 5)) {
    t.is((await inventory.requestAs('staff', 'DELETE', `${path}/reservations/${answer.body.id}`)).status, 204);
  }
  t.like((await inventory.requestAs('staff', 'GET', path)).body, { onHand: 200, reserved: 150, available: 50 });
  const committed = await inventory.requestAs('staff', 'POST', `${path}/reservations/${made[5]?.body.id}/commit`);
  t.is(committed.status, 200);
  t.like(committed.body.stock, { onHand: 190, reserved: 140, available: 50 });
  t.is((await inventory.requestAs('staff', 'POST', `${path}/reservations/${made[5]?.body.id}/commit`)).status, 409);
  t.is((await inventory.requestAs('staff', 'DELETE', `${path}/reservations/${made[5]?.body.id}`)).status, 409);
});

test.serial('when a reservation expires, then it stops counting at once and a late commit is refused', async (t) => {
  const { inventory } = t.context;
  const product = await inventory.createProduct();
  const path = `/api/inventory/${product.id}`;
  await restock(inventory, product.id, 10);
  const reservation = await inventory.requestAs('staff', 'POST', `${path}/reservations`, {
    quantity: 8,
    ttlSeconds: 2,
  });
  t.is(reservation.status, 201);
  t.like(reservation.body, { quantity: 8, state: 'active' });
  t.is((await inventory.requestAs('staff', 'GET', path)).body.available, 2);
  t.is(
    (await inventory.requestAs('staff', 'POST', `${path}/adjustments`, { quantity: -5, reason: 'sale' })).status,
    409,
  );
  await sleep(2200);
  t.like((await inventory.requestAs('staff', 'GET', path)).body, { available: 10, reserved: 0 });
  const late = await inventory.requestAs('staff', 'POST', `${path}/reservations/${reservation.body.id}/commit`);
  t.is(late.status, 409);
  t.regex(late.body.detail, /expired/);
  t.is(
    (await inventory.requestAs('staff', 'POST', `${path}/adjustments`, { quantity: -5, reason: 'sale' })).status,
    201,
  );
  const expired = (event: CloudEvent) => event.type === 'shop.inventory.reservation.expired.v1';
  t.true((await inventory.eventsOf(product.id, (events) => events.some(expired))).some(expired));
});

test('when a stocktake sets the count, then If-Match is required and checked', async (t) => {
  const { inventory } = t.context;
  const product = await inventory.createProduct();
  const path = `/api/inventory/${product.id}`;
  await restock(inventory, product.id, 7);
  t.is((await inventory.requestAs('staff', 'PUT', path, { onHand: 5 })).status, 428);
  t.is((await inventory.requestAs('staff', 'PUT', path, { onHand: 5 }, { 'if-match': '"0"' })).status, 412);
  const counted = await inventory.requestAs(
    'staff',
    'PUT',
    path,
    { onHand: 5, note: 'cycle count' },
    { 'if-match': '"1"' },
  );
  t.is(counted.status, 200);
  t.like(counted.body, { onHand: 5, available: 5, version: 2 });
  t.is(counted.headers.get('etag'), '"2"');
  const history = await inventory.requestAs('staff', 'GET', `${path}/adjustments`);
  t.like(history.body.items[0], { reason: 'stocktake', quantity: -2, onHandBefore: 7, onHandAfter: 5 });
});

test('when products are at or below their threshold, then the low-stock list has them and only them', async (t) => {
  const { inventory } = t.context;
  const low = await inventory.createProduct();
  const fine = await inventory.createProduct();
  await restock(inventory, low.id, 3);
  await restock(inventory, fine.id, 50);
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await inventory.requestAs(
      'staff',
      'GET',
      `/api/inventory?lowStock=true&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
    );
    t.is(page.status, 200);
    ids.push(...page.body.items.map((item: { productId: string }) => item.productId));
    cursor = page.body.nextCursor;
  } while (cursor);
  t.true(ids.includes(low.id));
  t.false(ids.includes(fine.id));
  await restock(inventory, low.id, 20);
  const after = await inventory.requestAs('staff', 'GET', '/api/inventory?lowStock=true&limit=100');
  t.false(after.body.items.some((item: { productId: string }) => item.productId === low.id));
});

test('when adjustments are listed, then the newest comes first and pages cover all', async (t) => {
  const { inventory } = t.context;
  const product = await inventory.createProduct();
  for (let quantity = 1; quantity <= 7; quantity += 1) await restock(inventory, product.id, quantity);
  const quantities: number[] = [];
  let cursor: string | null = null;
  do {
    const page = await inventory.requestAs(
      'staff',
      'GET',
      `/api/inventory/${product.id}/adjustments?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
    );
    quantities.push(...page.body.items.map((item: { quantity: number }) => item.quantity));
    cursor = page.body.nextCursor;
  } while (cursor);
  t.deepEqual(quantities, [7, 6, 5, 4, 3, 2, 1]);
});

const badAdjustments: Array<[string, unknown, string]> = [
  ['a zero quantity', { quantity: 0, reason: 'restock' }, 'quantity'],
  ['a fractional quantity', { quantity: 1.5, reason: 'restock' }, 'quantity'],
  ['a string quantity', { quantity: '3', reason: 'restock' }, 'quantity'],
  ['a missing quantity', { reason: 'restock' }, 'quantity'],
  ['an unknown reason', { quantity: 1, reason: 'theft' }, 'reason'],
  ['an oversized note', { quantity: 1, reason: 'restock', note: 'n'.repeat(501) }, 'note'],
  ['an unknown field', { quantity: 1, reason: 'restock', by: 'me' }, 'by'],
];

for (const [label, body, field] of badAdjustments) {
  test(`when an adjustment has ${label}, then 422 names ${field} and stock is unchanged`, async (t) => {
    const { inventory } = t.context;
    const product = await inventory.createProduct();
    const response = await inventory.requestAs('staff', 'POST', `/api/inventory/${product.id}/adjustments`, body);
    t.is(response.status, 422);
    t.true(response.body.errors.some((error: { field: string }) => error.field === field));
    t.is((await inventory.requestAs('staff', 'GET', `/api/inventory/${product.id}`)).body.version, 0);
  });
}

test('when other inputs are bad, then each gets its documented 4xx', async (t) => {
  const { inventory } = t.context;
  const product = await inventory.createProduct();
  const path = `/api/inventory/${product.id}`;
  t.is((await inventory.requestAs('staff', 'POST', `${path}/reservations`, { quantity: 0 })).status, 422);
  t.is(
    (await inventory.requestAs('staff', 'POST', `${path}/reservations`, { quantity: 1, ttlSeconds: 3601 })).status,
    422,
  );
  t.is(
    (await inventory.requestAs('staff', 'POST', `${path}/reservations`, { quantity: 1, ttlSeconds: 0 })).status,
    422,
  );
  t.is((await inventory.requestAs('staff', 'PATCH', path, { lowStockThreshold: -1 })).status, 422);
  t.is((await inventory.requestAs('staff', 'PUT', path, { onHand: -1 }, { 'if-match': '"0"' })).status, 422);
  t.is((await inventory.requestAs('staff', 'POST', `${path}/reservations/not-an-id/commit`)).status, 404);
  t.is((await inventory.requestAs('staff', 'POST', `${path}/reservations/${ulid()}/commit`)).status, 404);
  t.is((await inventory.requestAs('staff', 'GET', '/api/inventory?lowStock=maybe')).status, 422);
  t.is((await inventory.requestAs('staff', 'POST', `${path}/adjustments`, '{"quantity":')).status, 400);
  const notJson = await fetch(`${inventory.baseUrl}${path}/adjustments`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', authorization: `Bearer ${inventory.tokens.staff}` },
    body: 'quantity=1',
  });
  t.is(notJson.status, 415);
});
