import { randomBytes } from 'node:crypto';
import { openSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import Router from '@koa/router';
import {
  type AccessTokenVerifier,
  type AppState,
  createHttpApp,
  createLogger,
  type Principal,
  type RateLimitOptions,
  rateLimit,
  UnauthorizedError,
} from '@shop/platform';
import { serve } from '@shop/testing';
import test from 'ava';

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
    t.is(limited.headers.get('ratelimit-policy'), '"address";q=5;w=3');
    t.is(limited.headers.get('ratelimit'), '"address";r=0;t=3');
    t.is((await fetch(`${baseUrl}/healthz`)).status, 200);
    clock += 600;
    t.is((await fetch(`${baseUrl}/things`)).status, 200, 'a token comes back after 1/perSecond');
  } finally {
    server.close();
  }
});

/** A verifier that knows three tokens: a staff member's, a shopper's, and the same shopper's second one. */
const fakeVerifier: AccessTokenVerifier = {
  async verify(token) {
    const principals: Record<string, Principal> = {
      'staff.token.x': { subject: 'staff-1', username: 'staff', groups: ['inventory-staff', 'shoppers'] },
      'shopper.token.x': { subject: 'shopper-1', username: 'shopper', groups: [] },
      'shopper.token.y': { subject: 'shopper-1', username: 'shopper', groups: [] },
    };
    const principal = principals[token];
    if (!principal) throw new UnauthorizedError('The access token is not valid');
    return principal;
  },
  ready: async () => {},
};

test('when callers sign in, then each is limited by subject with its group quota, and anonymous callers by address', async (t) => {
  const clock = 0;
  const { server, baseUrl } = await start({
    rateLimit: {
      perSecond: 1,
      burst: 2,
      now: () => clock,
      callers: {
        verifier: fakeVerifier,
        signedIn: { perSecond: 1, burst: 3 },
        groups: { 'inventory-staff': { perSecond: 10, burst: 6 }, shoppers: { perSecond: 2, burst: 4 } },
      },
    },
  });
  const send = async (token?: string, address = '198.51.100.7') => {
    const headers: Record<string, string> = { 'x-forwarded-for': address };
    if (token) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${baseUrl}/things`, { headers });
    return { status: response.status, policy: response.headers.get('ratelimit-policy') };
  };
  const statuses = async (count: number, token?: string, address?: string) => {
    const answers: number[] = [];
    for (let index = 0; index < count; index += 1) answers.push((await send(token, address)).status);
    return answers;
  };
  try {
    t.deepEqual(await statuses(3), [200, 200, 429], 'anonymous: the address quota');
    // The same address, signed in: limited by subject, with the largest quota of the user's groups.
    t.is((await send('staff.token.x')).policy, '"inventory-staff";q=6;w=1');
    t.deepEqual(await statuses(6, 'staff.token.x'), [200, 200, 200, 200, 200, 429]);
    // One subject is one bucket, whichever token and address it comes with.
    t.deepEqual(await statuses(2, 'shopper.token.x', '203.0.113.1'), [200, 200]);
    t.deepEqual(await statuses(2, 'shopper.token.y', '203.0.113.2'), [200, 429]);
    t.is((await send('shopper.token.y')).policy, '"user";q=3;w=3');
    // A token that does not verify is an anonymous caller of its address.
    t.deepEqual(await statuses(3, 'forged.token.x', '192.0.2.9'), [200, 200, 429]);
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
    const ctx = { path: '/things', get: () => client, set: () => {} } as unknown as Parameters<typeof limiter>[0];
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

/** Sends raw bytes as a JSON body, with the headers given. */
async function post(baseUrl: string, body: Buffer | string, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/things`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: (await response.json()) as { detail?: string },
  };
}

test('when a body is nested deeper than the limit, then it answers 400 problem+json, however deep, before anything recurses', async (t) => {
  const { server, baseUrl } = await start();
  try {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    for (const body of [nested(20_000), `{"a":${'{"a":'.repeat(9_999)}1${'}'.repeat(10_000)}`, nested(33)]) {
      const answer = await post(baseUrl, body);
      t.is(answer.status, 400);
      t.is(answer.type, 'application/problem+json');
      t.is(answer.body.detail, 'The request body is nested deeper than 32 levels');
    }
    t.is((await post(baseUrl, nested(32))).status, 200, '32 levels are still taken');
  } finally {
    server.close();
  }
});

test('when a compressed body does not decode, then it answers 400 problem+json; one that decodes past the limit is a 413', async (t) => {
  const { server, baseUrl } = await start();
  try {
    const json = Buffer.from(JSON.stringify({ a: randomBytes(1000).toString('hex') }));
    const cases: Array<[string, Buffer, string, number]> = [
      ['gzip that is not gzip', Buffer.from('not compressed at all'), 'gzip', 400],
      ['brotli that is not brotli', Buffer.from('not compressed at all'), 'br', 400],
      ['deflate that is not deflate', Buffer.from('not compressed at all'), 'deflate', 400],
      ['a truncated gzip stream', gzipSync(json).subarray(0, 600), 'gzip', 400],
      ['gzip of 10 MB of spaces', gzipSync(Buffer.alloc(10 * 1024 * 1024, ' ')), 'gzip', 413],
      ['gzip that decodes', gzipSync(json), 'gzip', 200],
      ['brotli that decodes', brotliCompressSync(json), 'br', 200],
      ['deflate that decodes', deflateSync(json), 'deflate', 200],
    ];
    for (const [label, body, encoding, status] of cases) {
      const answer = await post(baseUrl, body, { 'content-encoding': encoding });
      t.is(answer.status, status, label);
      if (status !== 200) t.is(answer.type, 'application/problem+json', label);
    }
  } finally {
    server.close();
  }
});
