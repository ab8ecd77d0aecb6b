import test from 'ava';
import { createShopApiClient, type Problem, type Product } from '../src/index.js';

const baseUrl = 'http://shop.test';
const product: Product = {
  id: '01JNB31SE09XVVNZM7ZSVB5E43',
  name: 'Trail shoe',
  description: 'A light shoe for rough paths',
  price: 89.99,
  currency: 'USD',
  sku: 'TRAIL-42',
  category: 'running-shoes',
  images: [],
  version: 3,
  createdAt: '2025-03-02T09:30:00.000Z',
  updatedAt: '2025-03-04T16:05:12.345Z',
};

/** A fetch that records each request and answers with `answer`. */
function recordingFetch(answer: () => Response) {
  const requests: Request[] = [];
  const fetch = async (request: Request) => {
    requests.push(request);
    return answer();
  };
  return { requests, fetch };
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

test('when a product is read, then the path parameter is filled in and the answer and its ETag come back', async (t) => {
  const { requests, fetch } = recordingFetch(() => json(product, 200, { ETag: '"3"' }));
  const api = createShopApiClient({ baseUrl, fetch });
  const { data, response } = await api.GET('/api/products/{id}', { params: { path: { id: product.id } } });
  t.is(requests[0]?.url, `${baseUrl}/api/products/${product.id}`);
  t.is(requests[0]?.method, 'GET');
  t.is(requests[0]?.headers.get('Accept'), 'application/json');
  t.deepEqual(data, product);
  t.is(response.headers.get('ETag'), '"3"');
});

test('when a page is asked for, then limit, cursor and flags go in the query and unset ones are left out', async (t) => {
  const { requests, fetch } = recordingFetch(() => json({ items: [], nextCursor: null }));
  const api = createShopApiClient({ baseUrl, fetch, token: 'staff-token' });
  await api.GET('/api/inventory', { params: { query: { limit: 50, lowStock: true, cursor: undefined } } });
  await api.GET('/api/products', { params: { query: { limit: 20, cursor: 'eyJpZCI6IjAxIn0=' } } });
  t.is(requests[0]?.url, `${baseUrl}/api/inventory?limit=50&lowStock=true`);
  t.is(requests[1]?.url, `${baseUrl}/api/products?limit=20&cursor=eyJpZCI6IjAxIn0%3D`);
});

test('when the client has a token, then every request carries it as a bearer token', async (t) => {
  const { requests, fetch } = recordingFetch(() => json({ items: [], nextCursor: null }));
  await createShopApiClient({ baseUrl, fetch, token: 'staff-token' }).GET('/api/inventory');
  await createShopApiClient({ baseUrl, fetch }).GET('/api/products');
  t.is(requests[0]?.headers.get('Authorization'), 'Bearer staff-token');
  t.false(requests[1]?.headers.has('Authorization'));
});

test('when a write is sent, then it is JSON with a fresh Idempotency-Key, and reads carry none', async (t) => {
  const { requests, fetch } = recordingFetch(() => json(product, 201));
  const api = createShopApiClient({ baseUrl, fetch, token: 'admin-token' });
  const body = { name: 'Trail shoe', description: '', price: 89.99 };
  await api.POST('/api/products', { body });
  await api.POST('/api/products', { body });
  await api.GET('/api/products/{id}', { params: { path: { id: product.id } } });
  const [first, second, read] = requests;
  t.is(first?.headers.get('Content-Type'), 'application/json');
  t.deepEqual(await first?.json(), body);
  t.regex(first?.headers.get('Idempotency-Key') ?? '', /^[0-9a-f-]{36}$/);
  t.not(first?.headers.get('Idempotency-Key'), second?.headers.get('Idempotency-Key'));
  t.false(read?.headers.has('Idempotency-Key'));
});

test('when a write names its own Idempotency-Key, then that key is sent', async (t) => {
  const { requests, fetch } = recordingFetch(() => json(product));
  await createShopApiClient({ baseUrl, fetch }).PUT('/api/products/{id}', {
    params: { path: { id: product.id }, header: { 'Idempotency-Key': 'retry-7', 'If-Match': '"3"' } },
    body: { name: 'Road shoe', description: 'For tarmac', price: 120 },
  });
  t.is(requests[0]?.headers.get('Idempotency-Key'), 'retry-7');
  t.is(requests[0]?.headers.get('If-Match'), '"3"');
});

test('when an If-Match is not known, then no If-Match header is sent', async (t) => {
  const { requests, fetch } = recordingFetch(() => new Response(null, { status: 204 }));
  const { data, error } = await createShopApiClient({ baseUrl, fetch }).DELETE('/api/products/{id}', {
    params: { path: { id: product.id }, header: { 'If-Match': undefined } },
  });
  t.false(requests[0]?.headers.has('If-Match'));
  t.is(data, undefined);
  t.is(error, undefined);
});

test('when the API answers with a problem, then the problem+json body is the error and there is no data', async (t) => {
  const problem: Problem = {
    type: 'about:blank',
    title: 'Unprocessable Entity',
    status: 422,
    detail: 'The request is not valid',
    instance: '/api/products',
    errors: [{ field: 'price', message: 'price must have at most 2 decimal places' }],
  };
  const { fetch } = recordingFetch(() => json(problem, 422, { 'Content-Type': 'application/problem+json' }));
  const { data, error, response } = await createShopApiClient({ baseUrl, fetch }).POST('/api/products', {
    body: { name: 'Trail shoe', description: '', price: 1.005 },
  });
  t.is(data, undefined);
  t.is(response.status, 422);
  t.deepEqual(error, problem);
});

test('when the API cannot be reached, then the call rejects with the fetch error', async (t) => {
  const failing = async () => {
    throw new TypeError('fetch failed');
  };
  await t.throwsAsync(createShopApiClient({ baseUrl, fetch: failing }).GET('/api/products'), {
    instanceOf: TypeError,
    message: 'fetch failed',
  });
});
