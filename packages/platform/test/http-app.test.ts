import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import anyTest, { type TestFn } from 'ava';
import {
  type AppState,
  ConflictError,
  createHttpApp,
  createLogger,
  NotFoundError,
  ValidationError,
} from '../src/index.js';

const test = anyTest as TestFn<{ server: Server; baseUrl: string }>;

test.before(async (t) => {
  const app = createHttpApp({
    logger: createLogger({ name: 'test', level: 'silent' }),
    health: { checks: { ok: async () => 'fine' } },
    bodyLimit: '1kb',
  });
  const router = new Router<AppState>();
  router.get('/missing', () => {
    throw new NotFoundError('Widget not found');
  });
  router.post('/conflict', () => {
    throw new ConflictError('Not enough stock', { extensions: { available: 3 } });
  });
  router.post('/invalid', () => {
    throw new ValidationError([{ field: 'quantity', message: 'quantity must be an integer' }]);
  });
  router.get('/boom', () => {
    throw new Error('database password is hunter2');
  });
  router.post('/echo', (ctx) => {
    ctx.body = { received: ctx.request.body, requestId: ctx.state.requestId };
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  t.context.server = createServer(app.callback()).listen(0, '127.0.0.1');
  await once(t.context.server, 'listening');
  t.context.baseUrl = `http://127.0.0.1:${(t.context.server.address() as AddressInfo).port}`;
});

test.after.always((t) => {
  t.context.server?.close();
});

async function get(t: { context: { baseUrl: string } }, path: string, init?: RequestInit) {
  const response = await fetch(`${t.context.baseUrl}${path}`, init);
  // biome-ignore lint/suspicious/noExplicitAny: bodies are asserted field by field
  const body: any = await response.json();
  return { response, body };
}

test('when a typed error is thrown, then it is answered as problem+json with its status', async (t) => {
  const { response, body } = await get(t, '/missing');
  t.is(response.status, 404);
  t.is(response.headers.get('content-type'), 'application/problem+json');
  t.like(body, {
    type: 'about:blank',
    title: 'Not Found',
    status: 404,
    detail: 'Widget not found',
    instance: '/missing',
  });
  t.is(body.requestId, response.headers.get('x-request-id'));
});

test('when an error carries extensions or field errors, then they are members of the problem', async (t) => {
  const conflict = await get(t, '/conflict', { method: 'POST' });
  t.like(conflict.body, { status: 409, available: 3 });
  const invalid = await get(t, '/invalid', { method: 'POST' });
  t.deepEqual(invalid.body.errors, [{ field: 'quantity', message: 'quantity must be an integer' }]);
});

test('when an unknown error is thrown, then a generic 500 leaks nothing', async (t) => {
  const { response, body } = await get(t, '/boom');
  t.is(response.status, 500);
  t.is(body.detail, 'An unexpected error occurred');
  t.false(JSON.stringify(body).includes('hunter2'));
});

test('when no route matches, then 404 problem; when the method is wrong, then 405 problem', async (t) => {
  t.is((await get(t, '/nowhere')).response.status, 404);
  const wrong = await get(t, '/missing', { method: 'DELETE' });
  t.is(wrong.response.status, 405);
  t.is(wrong.body.status, 405);
});

test('when the method is one no route has (TRACE), then 405 problem with Allow, not a 501', async (t) => {
  // fetch refuses to send TRACE, so this one goes through node:http.
  const { status, allow, body } = await new Promise<{ status?: number; allow?: string; body: string }>(
    (resolve, reject) => {
      const sent = request(`${t.context.baseUrl}/missing`, { method: 'TRACE' }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode, allow: response.headers.allow, body: text }));
      });
      sent.on('error', reject);
      sent.end();
    },
  );
  t.is(status, 405);
  t.is(allow, 'HEAD, GET');
  t.like(JSON.parse(body), { status: 405, title: 'Method Not Allowed', instance: '/missing' });
});

test('when bodies are malformed, too large or not JSON, then 400, 413 and 415', async (t) => {
  const post = (body: string, type = 'application/json') =>
    get(t, '/echo', { method: 'POST', headers: { 'content-type': type }, body });
  t.is((await post('{oops')).response.status, 400);
  t.is((await post(JSON.stringify({ text: 'x'.repeat(2048) }))).response.status, 413);
  t.is((await post('a=b', 'application/x-www-form-urlencoded')).response.status, 415);
  t.deepEqual((await post('{"a":1}', 'application/merge-patch+json')).body.received, { a: 1 });
});

test('when a sane X-Request-Id is sent, then it is kept; an unsafe one is replaced', async (t) => {
  const kept = await get(t, '/echo', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'abc-123' },
    body: '{}',
  });
  t.is(kept.body.requestId, 'abc-123');
  const replaced = await get(t, '/echo', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'a b<script>' },
    body: '{}',
  });
  t.regex(replaced.body.requestId, /^[0-9a-f-]{36}$/);
});

test('when health is asked, then healthz and readyz report', async (t) => {
  t.deepEqual((await get(t, '/healthz')).body, { status: 'ok' });
  t.deepEqual((await get(t, '/readyz')).body, { status: 'ready', checks: { ok: 'ok' } });
});
