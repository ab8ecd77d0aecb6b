import { openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Router from '@koa/router';
import { serve } from '@shop/local-stack';
import test from 'ava';
import { type AppState, createHttpApp, createLogger, type RateLimitOptions, rateLimit } from '../src/index.js';

async function start(options: { rateLimit?: RateLimitOptions; logFd?: number } = {}) {
  const logger = createLogger({
    name: 'test',
    level: options.logFd === undefined ? 'silent' : 'trace',
    ...(options.logFd === undefined ? {} : { fd: options.logFd }),
  });
  const app = createHttpApp({
    logger,
    health: { checks: {} },
    corsOrigins: ['https://shop.example'],
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
  });
  const router = new Router<AppState>();
  router.get('/things', (ctx) => {
    ctx.body = { ok: true };
  });
  router.post('/things', (ctx) => {
    ctx.state.log.info({ headers: ctx.headers, authorization: ctx.get('authorization') }, 'a careless log line');
    ctx.body = ctx.request.body;
  });
  app.use(router.routes());
  return { ...(await serve(app.callback())), logger };
}

test('when anything answers, then it carries the security headers of a JSON API', async (t) => {
  const { server, baseUrl } = await start();
  try {
    for (const path of ['/things', '/nothing-here', '/healthz']) {
      const response = await fetch(`${baseUrl}${path}`);
      t.is(response.headers.get('x-content-type-options'), 'nosniff', path);
      t.is(response.headers.get('content-security-policy'), "default-src 'none';frame-ancestors 'none'", path);
      t.is(response.headers.get('x-frame-options'), 'SAMEORIGIN', path);
      t.regex(response.headers.get('strict-transport-security') ?? '', /max-age=\d+/, path);
      t.is(response.headers.get('referrer-policy'), 'no-referrer', path);
      t.is(response.headers.get('x-powered-by'), null, path);
    }
  } finally {
    server.close();
  }
});

test('when a browser calls from another origin, then only the allowed origin gets CORS headers', async (t) => {
  const { server, baseUrl } = await start();
  try {
    const allowed = await fetch(`${baseUrl}/things`, { headers: { origin: 'https://shop.example' } });
    t.is(allowed.headers.get('access-control-allow-origin'), 'https://shop.example');
    t.regex(allowed.headers.get('access-control-expose-headers') ?? '', /ETag/);
    const other = await fetch(`${baseUrl}/things`, { headers: { origin: 'https://evil.example' } });
    t.is(other.headers.get('access-control-allow-origin'), null);

    const preflight = await fetch(`${baseUrl}/things`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    t.is(preflight.status, 204);
    t.regex(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    t.regex(preflight.headers.get('access-control-allow-methods') ?? '', /PATCH/);
    const refused = await fetch(`${baseUrl}/things`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    t.is(refused.headers.get('access-control-allow-origin'), null);
  } finally {
    server.close();
  }
});

test('when a client sends more than its burst, then it gets 429 problem+json with Retry-After, and health stays open', async (t) => {
  // The limiter's clock stands still unless the test moves it, so a slow machine refills nothing.
  let clock = 0;
  const { server, baseUrl } = await start({ rateLimit: { perSecond: 2, burst: 5, now: () => clock } });
  try {
    const statuses: number[] = [];
    for (let index = 0; index < 8; index += 1) statuses.push((await fetch(`${baseUrl}/things`)).status);
    t.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429, 429]);
    const limited = await fetch(`${baseUrl}/things`);
    t.is(limited.status, 429);
    t.is(limited.headers.get('content-type'), 'application/problem+json');
    t.is(limited.headers.get('retry-after'), '1');
    t.like(await limited.json(), { status: 429, title: 'Too Many Requests' });
    t.is((await fetch(`${baseUrl}/healthz`)).status, 200);
    clock += 600;
    t.is((await fetch(`${baseUrl}/things`)).status, 200, 'a token comes back after 1/perSecond');
  } finally {
    server.close();
  }
});

test('when clients are told apart, then one client at its limit does not limit another', async (t) => {
  let clock = 0;
  const limiter = rateLimit({
    perSecond: 1,
    burst: 2,
    maxClients: 3,
    clientKey: (ctx) => ctx.get('x-client'),
    now: () => clock,
  });
  const call = async (client: string) => {
    const ctx = { path: '/things', get: () => client } as unknown as Parameters<typeof limiter>[0];
    try {
      await limiter(ctx, async () => {});
      return 'ok';
    } catch (error) {
      return (error as { status: number }).status;
    }
  };
  t.deepEqual([await call('a'), await call('a'), await call('a')], ['ok', 'ok', 429]);
  t.is(await call('b'), 'ok');
  // More clients than tracked: memory stays bounded by forgetting the least recently seen client.
  t.is(await call('c'), 'ok');
  t.is(await call('d'), 'ok');
  t.is(await call('a'), 'ok', 'a was the least recently seen and was forgotten');
  clock += 1000;
  t.is(await call('d'), 'ok');
});

test('when a request carries credentials, then no log line contains them', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'shop-log-'));
  const logFile = join(dir, 'service.log');
  const { server, baseUrl, logger } = await start({ logFd: openSync(logFile, 'a') });
  const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzZWNyZXQtc3ViamVjdCJ9.c2lnbmF0dXJlLXNlY3JldA';
  try {
    const response = await fetch(`${baseUrl}/things`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        cookie: 'session=cookie-secret',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ password: 'hunter2-secret', accessToken: token }),
    });
    t.is(response.status, 200);
    logger.flush();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = await readFile(logFile, 'utf8');
    t.true(lines.includes('a careless log line'), 'the line was written');
    for (const secret of [token, 'cookie-secret', 'eyJzdWIiOiJzZWNyZXQtc3ViamVjdCJ9'])
      t.false(lines.includes(secret), secret);
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
