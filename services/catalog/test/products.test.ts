import anyTest, { type TestFn } from 'ava';
import { ulid } from 'ulid';
import { type Catalog, productBody, startCatalog } from './catalog-harness.js';

const test = anyTest as TestFn<{ catalog: Catalog }>;

test.before(async (t) => {
  t.context.catalog = await startCatalog();
});
test.after.always(async (t) => {
  await t.context.catalog?.stop();
});

/** Requests as the catalog admin; the access rules themselves are tested in access.test.ts. */
const api = (t: { context: { catalog: Catalog } }) => {
  const { catalog } = t.context;
  return (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    catalog.requestAs('admin', method, path, body, headers);
};

test('when a product is created, then it answers 201 with Location, ETag and the stored product', async (t) => {
  const request = api(t);
  const response = await request('POST', '/api/products', productBody({ name: 'Trail shoe', price: 89.99 }));
  t.is(response.status, 201);
  t.regex(response.body.id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  t.is(response.headers.get('location'), `/api/products/${response.body.id}`);
  t.is(response.headers.get('etag'), '"1"');
  t.like(response.body, {
    name: 'Trail shoe',
    description: 'A light shoe for rough paths',
    price: 89.99,
    currency: 'USD',
    category: 'uncategorized',
    sku: `SKU-${response.body.id}`,
    version: 1,
  });
  t.is(response.body.createdAt, response.body.updatedAt);
  t.false('priceMinor' in response.body);
});

test('when products exist, then the list contains them', async (t) => {
  const request = api(t);
  const created = await request('POST', '/api/products', productBody());
  const list = await request('GET', '/api/products?limit=100');
  t.is(list.status, 200);
  t.true(Array.isArray(list.body.items));
  t.true(list.body.items.some((item: { id: string }) => item.id === created.body.id));
  t.true('nextCursor' in list.body);
});

test('when a product is read by id, then it answers 200 with its ETag', async (t) => {
  const request = api(t);
  const created = await request(
    'POST',
    '/api/products',
    productBody({ supplier: { name: 'Acme', email: 'orders@acme.test' } }),
  );
  const read = await request('GET', `/api/products/${created.body.id}`);
  t.is(read.status, 200);
  t.deepEqual(read.body, created.body);
  t.is(read.headers.get('etag'), '"1"');
});

test('when a product is replaced, then every field changes and the version increases', async (t) => {
  const request = api(t);
  const created = await request('POST', '/api/products', productBody({ category: 'shoes' }));
  const replaced = await request('PUT', `/api/products/${created.body.id}`, {
    name: 'Road shoe',
    description: 'For tarmac',
    price: 120,
    currency: 'EUR',
  });
  t.is(replaced.status, 200);
  t.like(replaced.body, { name: 'Road shoe', description: 'For tarmac', price: 120, currency: 'EUR', version: 2 });
  t.is(replaced.body.category, 'uncategorized', 'PUT replaces: an omitted category falls back to its default');
  t.is(replaced.body.sku, created.body.sku, 'an omitted sku is kept');
  t.is(replaced.headers.get('etag'), '"2"');
  t.is((await request('GET', `/api/products/${created.body.id}`)).body.name, 'Road shoe');
});

test('when a product is patched, then only the given fields change', async (t) => {
  const request = api(t);
  const created = await request(
    'POST',
    '/api/products',
    productBody({ category: 'tents', supplier: { name: 'Acme', email: 'a@acme.test' } }),
  );
  const patched = await request('PATCH', `/api/products/${created.body.id}`, { price: 10.5 });
  t.is(patched.status, 200);
  t.like(patched.body, { name: created.body.name, category: 'tents', price: 10.5, version: 2 });
  const unsupplied = await request('PATCH', `/api/products/${created.body.id}`, { supplier: null });
  t.false('supplier' in unsupplied.body);
  const yen = await request('PATCH', `/api/products/${created.body.id}`, { currency: 'JPY', price: 1200 });
  t.like(yen.body, { currency: 'JPY', price: 1200 });
});

test('when a product is deleted, then it answers 204 and is gone', async (t) => {
  const request = api(t);
  const created = await request('POST', '/api/products', productBody());
  const deleted = await request('DELETE', `/api/products/${created.body.id}`);
  t.is(deleted.status, 204);
  const read = await request('GET', `/api/products/${created.body.id}`);
  t.is(read.status, 404);
  t.is(read.body.detail, 'Product not found');
});

test('when a required field is missing, then it answers 422 naming the field', async (t) => {
  const response = await api(t)('POST', '/api/products', { description: 'x', price: 1 });
  t.is(response.status, 422);
  t.is(response.headers.get('content-type'), 'application/problem+json');
  t.like(response.body, { status: 422, title: 'Unprocessable Entity' });
  t.deepEqual(
    response.body.errors.map((error: { field: string }) => error.field),
    ['name'],
  );
});

test('when a price has too many decimals and another field breaks the schema, then one 422 names both', async (t) => {
  const request = api(t);
  for (const [body, currency] of [
    [productBody({ price: 12.345, category: 'Camping Gear' }), 'USD'],
    [productBody({ price: 0.1 + 0.2, currency: 'EUR', category: 'Camping Gear' }), 'EUR'],
  ] as const) {
    const response = await request('POST', '/api/products', body);
    t.is(response.status, 422);
    t.deepEqual(response.body.errors, [
      { field: 'category', message: 'category must be a lowercase slug such as "running-shoes"' },
      { field: 'price', message: `price must have at most 2 decimal places in ${currency}` },
    ]);
  }
});

test('when the price is a string, then it answers 422 naming price', async (t) => {
  const response = await api(t)('POST', '/api/products', productBody({ price: '19.99' }));
  t.is(response.status, 422);
  t.deepEqual(
    response.body.errors.map((error: { field: string }) => error.field),
    ['price'],
  );
});

for (const [label, method, body] of [
  ['read', 'GET', undefined],
  ['replaced', 'PUT', productBody()],
  ['patched', 'PATCH', { name: 'x' }],
  ['deleted', 'DELETE', undefined],
] as const) {
  test(`when an unknown product is ${label}, then it answers 404 "Product not found"`, async (t) => {
    for (const id of [ulid(), 'not-a-ulid', '1']) {
      const response = await api(t)(method, `/api/products/${id}`, body);
      t.is(response.status, 404, id);
      t.like(response.body, { status: 404, detail: 'Product not found' });
    }
  });
}

test('when a list is paged, then every item is returned exactly once', async (t) => {
  const request = api(t);
  const category = `paging-${Date.now()}`;
  const ids = new Set<string>();
  for (let index = 0; index < 23; index += 1) {
    ids.add((await request('POST', '/api/products', productBody({ category }))).body.id);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const path: string = `/api/products?category=${category}&limit=5${cursor ? `&cursor=${cursor}` : ''}`;
    const page = await request('GET', path);
    t.is(page.status, 200);
    t.true(page.body.items.length <= 5);
    seen.push(...page.body.items.map((item: { id: string }) => item.id));
    cursor = page.body.nextCursor;
    pages += 1;
  } while (cursor);
  t.is(pages, 5);
  t.is(seen.length, 23);
  t.deepEqual(new Set(seen), ids);
  t.deepEqual(seen, [...seen].sort(), 'pages come in id (creation) order');
});

test('when the whole catalog is paged, then no item repeats and the last page has no cursor', async (t) => {
  const request = api(t);
  for (let index = 0; index < 3; index += 1) await request('POST', '/api/products', productBody());
  const seen = new Set<string>();
  let cursor: string | null = null;
  do {
    const page = await request('GET', `/api/products?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
    for (const item of page.body.items) {
      t.false(seen.has(item.id), `item ${item.id} repeated`);
      seen.add(item.id);
    }
    cursor = page.body.nextCursor;
  } while (cursor);
  t.true(seen.size >= 3);
});

test('when filtering by category, then only that category is listed', async (t) => {
  const request = api(t);
  const category = `cat-${Date.now()}`;
  const mine = await request('POST', '/api/products', productBody({ category }));
  await request('POST', '/api/products', productBody({ category: `${category}-other` }));
  const list = await request('GET', `/api/products?category=${category}`);
  t.deepEqual(
    list.body.items.map((item: { id: string }) => item.id),
    [mine.body.id],
  );
  t.is(list.body.nextCursor, null);
});

test('when a page query is invalid, then it answers 422 naming the parameter', async (t) => {
  const request = api(t);
  for (const [query, field] of [
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=abc', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
    [`cursor=${Buffer.from('{"id":"x"}').toString('base64url')}`, 'cursor'],
    ['category=Not%20A%20Slug', 'category'],
    ['colour=red', 'colour'],
  ]) {
    const response = await request('GET', `/api/products?${query}`);
    t.is(response.status, 422, query);
    t.is(response.body.errors[0].field, field, query);
  }
});

test('when If-Match names the current version, then the write succeeds; otherwise 412', async (t) => {
  const request = api(t);
  const created = await request('POST', '/api/products', productBody());
  const path = `/api/products/${created.body.id}`;
  const stale = await request('PUT', path, productBody(), { 'if-match': '"7"' });
  t.is(stale.status, 412);
  const fresh = await request('PUT', path, productBody({ name: 'v2' }), { 'if-match': '"1"' });
  t.is(fresh.status, 200);
  t.is((await request('PATCH', path, { name: 'v3' }, { 'if-match': '"1"' })).status, 412);
  t.is((await request('PATCH', path, { name: 'v3' }, { 'if-match': fresh.headers.get('etag') ?? '' })).status, 200);
  t.is((await request('DELETE', path, undefined, { 'if-match': '"2"' })).status, 412);
  t.is((await request('GET', path)).body.name, 'v3', 'nothing changed by the refused writes');
  t.is((await request('DELETE', path, undefined, { 'if-match': '*' })).status, 204);
});

test('when concurrent patches race without If-Match, then none is lost', async (t) => {
  const request = api(t);
  const created = await request('POST', '/api/products', productBody());
  const path = `/api/products/${created.body.id}`;
  const answers = await Promise.all(
    Array.from({ length: 8 }, (_, index) => request('PATCH', path, { description: `writer ${index}` })),
  );
  t.true(answers.every((answer) => answer.status === 200));
  const final = await request('GET', path);
  t.is(final.body.version, 9);
  t.deepEqual(
    answers.map((answer) => answer.body.version).sort((a, b) => a - b),
    [2, 3, 4, 5, 6, 7, 8, 9],
  );
});

test('when a create is retried with the same Idempotency-Key, then it applies once and replays the answer', async (t) => {
  const request = api(t);
  const category = `idem-${Date.now()}`;
  const body = productBody({ category });
  const key = `key-${ulid()}`;
  const first = await request('POST', '/api/products', body, { 'idempotency-key': key });
  const again = await Promise.all(
    Array.from({ length: 10 }, () => request('POST', '/api/products', body, { 'idempotency-key': key })),
  );
  t.is(first.status, 201);
  for (const answer of again) {
    t.is(answer.status, 201);
    t.deepEqual(answer.body, first.body);
    t.is(answer.headers.get('location'), first.headers.get('location'));
    t.is(answer.headers.get('idempotent-replayed'), 'true');
  }
  const list = await request('GET', `/api/products?category=${category}`);
  t.is(list.body.items.length, 1);
});

test('when concurrent creates share an Idempotency-Key, then exactly one product is created', async (t) => {
  const request = api(t);
  const category = `idem-race-${Date.now()}`;
  const body = productBody({ category });
  const key = `race-${ulid()}`;
  const answers = await Promise.all(
    Array.from({ length: 20 }, () => request('POST', '/api/products', body, { 'idempotency-key': key })),
  );
  t.true(answers.every((answer) => answer.status === 201));
  t.is(new Set(answers.map((answer) => answer.body.id)).size, 1);
  t.is((await request('GET', `/api/products?category=${category}`)).body.items.length, 1);
});

test('when an Idempotency-Key is reused with another body, then it answers 422', async (t) => {
  const request = api(t);
  const key = `reuse-${ulid()}`;
  t.is((await request('POST', '/api/products', productBody(), { 'idempotency-key': key })).status, 201);
  const reused = await request('POST', '/api/products', productBody({ name: 'different' }), { 'idempotency-key': key });
  t.is(reused.status, 422);
  t.is(reused.body.errors[0].field, 'Idempotency-Key');
});

test('when an Idempotency-Key is sent empty, then it answers 422 and creates nothing', async (t) => {
  const request = api(t);
  const sku = `EMPTY-KEY-${ulid()}`;
  const refused = await request('POST', '/api/products', productBody({ sku }), { 'idempotency-key': '' });
  t.is(refused.status, 422);
  t.is(refused.body.errors[0].field, 'Idempotency-Key');
  t.is((await request('POST', '/api/products', productBody({ sku }))).status, 201, 'the sku was still free');
});

test('when a create fails validation with an Idempotency-Key, then the key stays usable', async (t) => {
  const request = api(t);
  const key = `retry-${ulid()}`;
  t.is((await request('POST', '/api/products', { name: 'x' }, { 'idempotency-key': key })).status, 422);
  t.is((await request('POST', '/api/products', productBody(), { 'idempotency-key': key })).status, 201);
});

const invalidBodies: Array<[string, Record<string, unknown>, string]> = [
  ['an empty name', { name: '' }, 'name'],
  ['a blank name', { name: '   ' }, 'name'],
  ['a 201-character name', { name: 'n'.repeat(201) }, 'name'],
  ['a numeric name', { name: 42 }, 'name'],
  ['a 5001-character description', { description: 'd'.repeat(5001) }, 'description'],
  ['a negative price', { price: -1 }, 'price'],
  ['a price with 3 decimals', { price: 1.005 }, 'price'],
  ['a price too large', { price: 1e12 }, 'price'],
  ['a lowercase currency', { currency: 'usd' }, 'currency'],
  ['an unknown currency', { currency: 'XXY' }, 'currency'],
  ['a fractional yen price', { currency: 'JPY', price: 10.5 }, 'price'],
  ['a sku with spaces', { sku: 'ab cd' }, 'sku'],
  ['a 65-character sku', { sku: 's'.repeat(65) }, 'sku'],
  ['a category that is not a slug', { category: 'Running Shoes' }, 'category'],
  ['a supplier without email', { supplier: { name: 'Acme' } }, 'supplier.email'],
  ['a supplier with a bad email', { supplier: { name: 'Acme', email: 'not-an-email' } }, 'supplier.email'],
  ['an unknown field', { colour: 'red' }, 'colour'],
  ['a client-chosen id', { id: ulid() }, 'id'],
  ['a client-chosen version', { version: 5 }, 'version'],
];

for (const [label, overrides, field] of invalidBodies) {
  test(`when a product has ${label}, then it answers 422 naming ${field} and stores nothing`, async (t) => {
    const request = api(t);
    const category = `invalid-${ulid().toLowerCase()}`;
    const body = { ...productBody({ category }), ...overrides };
    const response = await request('POST', '/api/products', body);
    t.is(response.status, 422);
    t.true(
      response.body.errors.some((error: { field: string }) => error.field === field),
      JSON.stringify(response.body.errors),
    );
    if (!('category' in overrides))
      t.is((await request('GET', `/api/products?category=${category}`)).body.items.length, 0);
  });
}

test('when the body is not an object, then it answers 400 or 422, never 5xx', async (t) => {
  const request = api(t);
  t.is((await request('POST', '/api/products', '[1,2]')).status, 422);
  t.is((await request('POST', '/api/products', '"text"')).status, 400);
  t.is((await request('POST', '/api/products', 'null')).status, 400);
  t.is((await request('POST', '/api/products', '')).status, 422);
});

test('when the JSON is malformed, then it answers 400 problem+json', async (t) => {
  const response = await api(t)('POST', '/api/products', '{"name": ');
  t.is(response.status, 400);
  t.like(response.body, { status: 400, title: 'Bad Request', detail: 'The request body is not valid JSON' });
  t.false(JSON.stringify(response.body).includes('at '), 'no stack trace');
});

test('when the body is not JSON, then it answers 415', async (t) => {
  const response = await fetch(`${t.context.catalog.baseUrl}/api/products`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain', authorization: `Bearer ${t.context.catalog.tokens.admin}` },
    body: 'name=shoe',
  });
  t.is(response.status, 415);
  t.is(response.headers.get('content-type'), 'application/problem+json');
});

test('when the body is larger than the limit, then it answers 413', async (t) => {
  const response = await api(t)('POST', '/api/products', productBody({ description: 'd'.repeat(70 * 1024) }));
  t.is(response.status, 413);
  t.is(response.body.status, 413);
});

test('when a method is not allowed, then it answers 405 with Allow', async (t) => {
  const response = await api(t)('POST', `/api/products/${ulid()}`, productBody());
  t.is(response.status, 405);
  t.truthy(response.headers.get('allow'));
});

test('when search is sent another method than GET, then it answers 405 with Allow, not a product answer', async (t) => {
  const request = api(t);
  for (const method of ['PUT', 'PATCH', 'DELETE', 'POST']) {
    const response = await request(method, '/api/products/search', productBody());
    t.is(response.status, 405, method);
    t.is(response.headers.get('content-type'), 'application/problem+json', method);
    t.is(response.headers.get('allow'), 'HEAD, GET', method);
  }
  const options = await request('OPTIONS', '/api/products/search');
  t.is(options.status, 200);
  t.is(options.headers.get('allow'), 'HEAD, GET');
});

test('when a sku is taken, then another product cannot use it until it is freed', async (t) => {
  const request = api(t);
  const sku = `SKU-${Date.now()}`;
  const first = await request('POST', '/api/products', productBody({ sku }));
  t.is(first.status, 201);
  const duplicate = await request('POST', '/api/products', productBody({ sku }));
  t.is(duplicate.status, 409);
  t.regex(duplicate.body.detail, /already used/);
  const other = await request('POST', '/api/products', productBody());
  t.is((await request('PATCH', `/api/products/${other.body.id}`, { sku })).status, 409);
  t.is((await request('PATCH', `/api/products/${first.body.id}`, { sku: `${sku}-new` })).status, 200);
  t.is((await request('PATCH', `/api/products/${other.body.id}`, { sku })).status, 200, 'the old sku was freed');
  t.is((await request('DELETE', `/api/products/${other.body.id}`)).status, 204);
  t.is((await request('POST', '/api/products', productBody({ sku }))).status, 201, 'a deleted product frees its sku');
});

test('when concurrent creates race for one sku, then exactly one wins', async (t) => {
  const request = api(t);
  const sku = `RACE-${Date.now()}`;
  const answers = await Promise.all(
    Array.from({ length: 10 }, () => request('POST', '/api/products', productBody({ sku }))),
  );
  t.is(answers.filter((answer) => answer.status === 201).length, 1);
  t.is(answers.filter((answer) => answer.status === 409).length, 9);
});

test('when products are written, then each write puts its event on the stream in order', async (t) => {
  const request = api(t);
  const created = await request('POST', '/api/products', productBody({ category: 'events' }));
  const id = created.body.id;
  await request('PATCH', `/api/products/${id}`, { price: 5 });
  await request('DELETE', `/api/products/${id}`);
  const events = await t.context.catalog.eventsOf(id, (all) => all.length >= 3);
  t.deepEqual(
    events.map((event) => event.type),
    ['shop.catalog.product.created.v1', 'shop.catalog.product.updated.v1', 'shop.catalog.product.deleted.v1'],
  );
  const [createdEvent, updatedEvent] = events;
  t.like(createdEvent, {
    specversion: '1.0',
    source: '/shop/catalog',
    partitionkey: id,
    datacontenttype: 'application/json',
  });
  t.like(createdEvent?.data, { product: { id, category: 'events', price: 89.99, priceMinor: 8999, currency: 'USD' } });
  t.like(updatedEvent?.data, { product: { id, price: 5, priceMinor: 500, version: 2 } });
  t.is(new Set(events.map((event) => event.id)).size, 3);
});

test('when health is asked, then healthz and readyz answer', async (t) => {
  const request = api(t);
  t.is((await request('GET', '/healthz')).status, 200);
  t.is((await request('GET', '/readyz')).status, 200);
});
