import { createShopApiClient } from '@shop/api-client';
import test from 'ava';
import { ApiProblem, answerOf, uploadForm } from '../src/api-client.js';

const id = '01JNB31SE09XVVNZM7ZSVB5E43';
const answering = (response: () => Response) =>
  createShopApiClient({ baseUrl: 'http://shop.test', fetch: async () => response() });

test('when the API answers a success, then its data and ETag come back', async (t) => {
  const api = answering(() => Response.json({ productId: id, onHand: 3 }, { headers: { ETag: '"7"' } }));
  const { data, etag } = await answerOf(api.GET('/api/inventory/{productId}', { params: { path: { productId: id } } }));
  t.like(data, { productId: id, onHand: 3 });
  t.is(etag, '"7"');
});

test('when the API answers a 422, then the ApiProblem carries its detail and every field at fault', async (t) => {
  const errors = [
    { field: 'price', message: 'price must be a number' },
    { field: 'supplier.email', message: 'supplier.email must be a valid email' },
  ];
  const api = answering(() =>
    Response.json(
      { type: 'about:blank', title: 'Unprocessable Entity', status: 422, detail: 'The request is not valid', errors },
      { status: 422, statusText: 'Unprocessable Entity', headers: { 'Content-Type': 'application/problem+json' } },
    ),
  );
  const problem = await t.throwsAsync(
    answerOf(api.POST('/api/products', { body: { name: 'x', description: '', price: 1 } })),
    {
      instanceOf: ApiProblem,
    },
  );
  t.is(problem.status, 422);
  t.is(problem.title, 'Unprocessable Entity');
  t.is(problem.message, 'The request is not valid');
  t.deepEqual(problem.fieldErrors, errors);
});

test('when an answer that is not a success has no problem body, then the ApiProblem is named by its status', async (t) => {
  const api = answering(() => new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
  const problem = await t.throwsAsync(answerOf(api.GET('/api/products')), { instanceOf: ApiProblem });
  t.is(problem.status, 502);
  t.is(problem.message, 'Bad Gateway');
  t.deepEqual(problem.fieldErrors, []);
});

test('when the shop cannot be reached, then the ApiProblem says so', async (t) => {
  const api = createShopApiClient({
    baseUrl: 'http://shop.test',
    fetch: async () => {
      throw new TypeError('Failed to fetch');
    },
  });
  const problem = await t.throwsAsync(answerOf(api.GET('/api/products')), { instanceOf: ApiProblem });
  t.is(problem.status, 0);
  t.is(problem.title, 'Network error');
});

test('when a request is aborted, then the abort is not turned into a problem', async (t) => {
  const api = createShopApiClient({
    baseUrl: 'http://shop.test',
    fetch: async () => {
      throw new DOMException('The operation was aborted.', 'AbortError');
    },
  });
  const error = await t.throwsAsync(answerOf(api.GET('/api/products')));
  t.is(error.name, 'AbortError');
  t.false(error instanceof ApiProblem);
});

test('when an upload form is made, then every presigned field comes first, in order, and the file last as `file`', async (t) => {
  const fields = { key: 'uploads/p/u', 'Content-Type': 'image/jpeg', Policy: 'cG9saWN5', 'X-Amz-Signature': 'abc' };
  const file = new File([new Uint8Array([0xff, 0xd8, 0xff])], 'photo.jpg', { type: 'image/jpeg' });
  const form = uploadForm({ fields }, file);
  const entries = [...form.entries()];
  t.deepEqual(
    entries.map(([name]) => name),
    ['key', 'Content-Type', 'Policy', 'X-Amz-Signature', 'file'],
  );
  t.deepEqual(entries.slice(0, 4), Object.entries(fields));
  const sent = entries.at(-1)?.[1];
  t.true(sent instanceof File);
  t.is((sent as File).name, 'photo.jpg');
  t.deepEqual(new Uint8Array(await (sent as File).arrayBuffer()), new Uint8Array([0xff, 0xd8, 0xff]));
});
