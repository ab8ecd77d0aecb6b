import { forgedCredentials, type JsonResponse, poolSignedToken } from '@shop/testing';
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { type Catalog, productBody, startCatalog } from './catalog-harness.js';

const test = anyTest as TestFn<{ catalog: Catalog }>;

test.before(async (t) => {
  t.context.catalog = await startCatalog();
});
test.after.always(async (t) => {
  await t.context.catalog?.stop();
});

interface Write {
  name: string;
  method: string;
  path: (id: string) => string;
  body?: () => unknown;
  /** The status an admin gets. */
  succeeds: number;
}

const writes: Write[] = [
  { name: 'create', method: 'POST', path: () => '/api/products', body: () => productBody(), succeeds: 201 },
  { name: 'replace', method: 'PUT', path: (id) => `/api/products/${id}`, body: () => productBody(), succeeds: 200 },
  { name: 'patch', method: 'PATCH', path: (id) => `/api/products/${id}`, body: () => ({ price: 1.5 }), succeeds: 200 },
  { name: 'delete', method: 'DELETE', path: (id) => `/api/products/${id}`, succeeds: 204 },
];

async function createProduct(catalog: Catalog): Promise<string> {
  const created = await catalog.requestAs('admin', 'POST', '/api/products', productBody());
  if (created.status !== 201) throw new Error(`could not create a product: ${created.status}`);
  const id = created.body.id as string;
  // Events follow the answer; the comparisons below start once this one is on the stream.
  if ((await catalog.eventsOf(id, (events) => events.length > 0)).length > 0) return id;
  throw new Error(`the created event of ${id} did not arrive`);
}

/** Everything a refused write could have changed: the product, the product count and the stream (tests here run one at a time). */
async function snapshot(catalog: Catalog, id: string) {
  const [product, list, events] = await Promise.all([
    catalog.request('GET', `/api/products/${id}`),
    catalog.request('GET', '/api/products?limit=100'),
    catalog.events(),
  ]);
  return { product: product.body, count: list.body.items.length, events: events.length };
}

function assertRefused(t: ExecutionContext, response: JsonResponse, status: 401 | 403, label: string) {
  t.is(response.status, status, label);
  t.is(response.headers.get('content-type'), 'application/problem+json', label);
  t.is(response.body.status, status, label);
  if (status === 401) t.regex(response.headers.get('www-authenticate') ?? '', /^Bearer\b/, label);
}

test.serial('when anyone reads products, then no token is needed', async (t) => {
  const { catalog } = t.context;
  const id = await createProduct(catalog);
  for (const user of ['shopper', 'staff', 'admin'] as const) {
    t.is((await catalog.requestAs(user, 'GET', '/api/products')).status, 200, user);
    t.is((await catalog.requestAs(user, 'GET', `/api/products/${id}`)).status, 200, user);
  }
  t.is((await catalog.request('GET', '/api/products')).status, 200);
  t.is((await catalog.request('GET', `/api/products/${id}`)).status, 200);
});

for (const write of writes) {
  test.serial(
    `when a product ${write.name} comes from anyone but a catalog admin, then it is refused and nothing changes`,
    async (t) => {
      const { catalog } = t.context;
      const id = await createProduct(catalog);
      const before = await snapshot(catalog, id);
      const path = write.path(id);
      assertRefused(t, await catalog.request(write.method, path, write.body?.()), 401, 'anonymous');
      assertRefused(t, await catalog.requestAs('shopper', write.method, path, write.body?.()), 403, 'shopper');
      assertRefused(t, await catalog.requestAs('staff', write.method, path, write.body?.()), 403, 'staff');
      t.deepEqual(await snapshot(catalog, id), before);
      t.is((await catalog.requestAs('admin', write.method, path, write.body?.())).status, write.succeeds, 'admin');
    },
  );

  test.serial(
    `when a product ${write.name} carries a forged or broken token, then it answers 401 and nothing changes`,
    async (t) => {
      const { catalog } = t.context;
      const id = await createProduct(catalog);
      const before = await snapshot(catalog, id);
      const forged = forgedCredentials({
        accessToken: catalog.tokens.shopper,
        idToken: catalog.tokens.adminIdToken,
        pool: catalog.pool,
      });
      for (const [kind, authorization] of Object.entries(forged)) {
        const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
        assertRefused(t, await catalog.request(write.method, write.path(id), write.body?.(), headers), 401, kind);
      }
      // The same forgeries made from an admin's token: the claims say admin, but nothing verifies.
      const adminForged = forgedCredentials({
        accessToken: catalog.tokens.admin,
        idToken: catalog.tokens.adminIdToken,
        pool: catalog.pool,
      });
      for (const [kind, authorization] of Object.entries(adminForged)) {
        const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
        assertRefused(t, await catalog.request(write.method, write.path(id), write.body?.(), headers), 401, kind);
      }
      t.deepEqual(await snapshot(catalog, id), before);
    },
  );
}

test.serial(
  'when a token is signed by the pool with unchanged claims, then it is accepted (the forgeries above differ only in what they name)',
  async (t) => {
    const { catalog } = t.context;
    const resigned = poolSignedToken(catalog.tokens.admin, {});
    const response = await catalog.requestAs({ token: resigned }, 'POST', '/api/products', productBody());
    t.is(response.status, 201);
  },
);

test.serial(
  'when a refused write carries an Idempotency-Key, then the key stays free for the real request',
  async (t) => {
    const { catalog } = t.context;
    const key = `refused-${Date.now()}`;
    const refused = await catalog.requestAs('shopper', 'POST', '/api/products', productBody(), {
      'idempotency-key': key,
    });
    t.is(refused.status, 403);
    const real = await catalog.requestAs('admin', 'POST', '/api/products', productBody({ name: 'Other body' }), {
      'idempotency-key': key,
    });
    t.is(real.status, 201);
    t.is(real.headers.get('idempotent-replayed'), null);
  },
);

test.serial('when stored strings look like markup, then they come back verbatim as JSON data', async (t) => {
  const { catalog } = t.context;
  const name = '<script>alert("x")</script><img src=x onerror=alert(1)>';
  const description = `"'&<>\u2028 </script>`;
  const created = await catalog.requestAs('admin', 'POST', '/api/products', productBody({ name, description }));
  t.is(created.status, 201);
  t.is(created.headers.get('content-type'), 'application/json; charset=utf-8');
  const read = await catalog.request('GET', `/api/products/${created.body.id}`);
  t.is(read.body.name, name);
  t.is(read.body.description, description);
});
