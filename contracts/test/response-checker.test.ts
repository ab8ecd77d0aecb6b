import test from 'ava';
import { createRequestChecker, createResponseChecker } from '../src/index.js';

const check = createResponseChecker();
const id = '01JDZ7E5S3Q4V8X2M6N9P0R1T2';
const stock = {
  productId: id,
  onHand: 3,
  reserved: 1,
  available: 2,
  lowStockThreshold: 5,
  version: 4,
  updatedAt: '2026-12-03T10:00:00.000Z',
};
const json = 'application/json; charset=utf-8';

test('when an answer is as the contract says, then nothing is wrong', (t) => {
  t.deepEqual(
    check({ method: 'GET', path: `/api/inventory/${id}`, status: 200, contentType: json, body: JSON.stringify(stock) }),
    [],
  );
  t.deepEqual(
    check({
      method: 'GET',
      path: '/api/products/nope',
      status: 404,
      contentType: 'application/problem+json',
      body: JSON.stringify({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        detail: 'Product not found',
        instance: '/api/products/nope',
      }),
    }),
    [],
  );
  t.deepEqual(check({ method: 'DELETE', path: `/api/products/${id}`, status: 204, body: '' }), []);
});

test('when a field is missing or extra, a status or path is unknown, or the type is wrong, then each is named', (t) => {
  const { available: _, ...withoutAvailable } = stock;
  t.regex(
    check({
      method: 'GET',
      path: `/api/inventory/${id}`,
      status: 200,
      contentType: json,
      body: JSON.stringify(withoutAvailable),
    }).join(),
    /available/,
  );
  t.regex(
    check({
      method: 'GET',
      path: `/api/inventory/${id}`,
      status: 200,
      contentType: json,
      body: JSON.stringify({ ...stock, secret: 1 }),
    }).join(),
    /additional properties/,
  );
  t.regex(
    check({ method: 'GET', path: `/api/inventory/${id}`, status: 418, contentType: json, body: '{}' }).join(),
    /status not in the contract/,
  );
  t.regex(check({ method: 'GET', path: '/api/nothing', status: 404, body: '' }).join(), /no path of the contract/);
  t.regex(
    check({ method: 'GET', path: `/api/inventory/${id}`, status: 200, contentType: 'text/html', body: '<p>' }).join(),
    /content type/,
  );
  t.regex(
    check({
      method: 'GET',
      path: `/api/inventory/${id}`,
      status: 404,
      contentType: 'application/problem+json',
      body: '{"status":"404"}',
    }).join(),
    /body/,
  );
});

test("when a request body is judged by the contract, then only what the operation's schema allows is accepted", (t) => {
  const requests = createRequestChecker();
  t.true(requests.accepts('reserveStock', { quantity: 2 }));
  t.true(requests.accepts('reserveStock', { quantity: 2, ttlSeconds: 3600 }));
  t.false(requests.accepts('reserveStock', { quantity: 0 }));
  t.false(requests.accepts('reserveStock', { quantity: 2, ttlSeconds: 3601 }));
  t.false(requests.accepts('reserveStock', { quantity: 2, extra: true }));
  t.false(requests.accepts('reserveStock', undefined));
  t.true(requests.accepts('recordBehaviourEvent', { type: 'product-viewed', version: 1, productId: id }));
  t.false(requests.accepts('recordBehaviourEvent', { type: 'product-viewed', version: '1', productId: id }));
  t.throws(() => requests.accepts('noSuchOperation', {}), { message: /no operation noSuchOperation/ });
});
