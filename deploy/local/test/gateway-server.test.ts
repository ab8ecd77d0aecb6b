import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createResponseChecker } from '@shop/contracts';
import { webContentSecurityPolicy } from '@shop/platform';
import anyTest, { type TestFn } from 'ava';
import { createGateway, findFreePort, type GatewayOptions } from '../src/index.js';

interface Context {
  /** Base URL of a plain HTTP server standing in for the catalog service; it echoes each request. */
  upstreamUrl: string;
  upstream: Server;
  webRoot: string;
  workDir: string;
}

const test = anyTest as TestFn<Context>;

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A gateway on a random port, closed when the test ends. */
async function startGateway(t: { teardown(fn: () => void): void }, options: GatewayOptions): Promise<string> {
  const gateway = createGateway(options);
  const url = await listen(gateway);
  t.teardown(() => {
    gateway.close();
    gateway.closeAllConnections();
  });
  return url;
}

/** A GET with the path sent exactly as given (fetch would normalise `..` away). */
function rawGet(baseUrl: string, path: string): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}/`, { path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => {
        body += chunk.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }));
    });
    req.on('error', reject);
    req.end();
  });
}

test.before(async (t) => {
  t.context.upstream = createServer((req, res) => {
    if (req.url === '/readyz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', async () => {
      if (req.url?.startsWith('/api/products/slow')) await sleep(500);
      res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'catalog' });
      res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
    });
  });
  t.context.upstreamUrl = await listen(t.context.upstream);

  t.context.workDir = await mkdtemp(join(tmpdir(), 'gateway-test-'));
  t.context.webRoot = join(t.context.workDir, 'dist');
  await mkdir(join(t.context.webRoot, 'assets'), { recursive: true });
  await writeFile(join(t.context.webRoot, 'index.html'), '<!doctype html><title>shop</title>');
  await writeFile(join(t.context.webRoot, 'assets', 'app.js'), 'console.log("shop");');
  await writeFile(join(t.context.webRoot, '.env'), 'SECRET=dotfile');
  await writeFile(join(t.context.workDir, 'secret.txt'), 'TOP-SECRET');
});

test.after.always(async (t) => {
  t.context.upstream?.close();
  t.context.upstream?.closeAllConnections();
  await rm(t.context.workDir, { recursive: true, force: true });
});

test('when a request matches /api/products, then it reaches catalog with path, query, method, headers and X-Forwarded-*', async (t) => {
  const gateway = await startGateway(t, { targets: { catalog: t.context.upstreamUrl } });
  const response = await fetch(`${gateway}/api/products/01ABC?limit=5&cursor=x%2Fy`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', 'if-match': '"3"', authorization: 'Bearer token' },
    body: '{"price":12}',
  });
  t.is(response.status, 201);
  t.is(response.headers.get('x-upstream'), 'catalog');
  const echoed = (await response.json()) as {
    method: string;
    url: string;
    headers: Record<string, string>;
    body: string;
  };
  t.is(echoed.method, 'PATCH');
  t.is(echoed.url, '/api/products/01ABC?limit=5&cursor=x%2Fy');
  t.is(echoed.body, '{"price":12}');
  t.is(echoed.headers['if-match'], '"3"');
  t.is(echoed.headers.authorization, 'Bearer token');
  t.is(echoed.headers.host, new URL(gateway).host);
  t.is(echoed.headers['x-forwarded-for'], '127.0.0.1');
  t.is(echoed.headers['x-forwarded-proto'], 'http');
  t.is(echoed.headers['x-forwarded-host'], new URL(gateway).host);
});

test('when the contract check is on, then an answer the contract does not allow is reported and still passed on', async (t) => {
  const reported: string[] = [];
  const gateway = await startGateway(t, {
    targets: { catalog: t.context.upstreamUrl },
    contractCheck: { check: createResponseChecker(), report: (violation) => reported.push(violation) },
  });
  // The echoing stand-in answers 201 with its echo, which no operation of the contract answers.
  const response = await fetch(`${gateway}/api/products/01JDZ7E5S3Q4V8X2M6N9P0R1T2`);
  t.is(response.status, 201);
  await response.text();
  await sleep(50);
  t.deepEqual(reported, [
    'GET /api/products/01JDZ7E5S3Q4V8X2M6N9P0R1T2 201: status not in the contract of get /api/products/{id}',
  ]);
});

test('when the contract check is on, then an upload form passed to the upload store is not judged by the API contract', async (t) => {
  const reported: string[] = [];
  const gateway = await startGateway(t, {
    targets: { catalog: t.context.upstreamUrl },
    contractCheck: { check: createResponseChecker(), report: (violation) => reported.push(violation) },
    // The echoing stand-in plays the S3 endpoint: it answers the form with its echo.
    media: {
      s3Endpoint: t.context.upstreamUrl,
      region: 'us-east-1',
      uploadBucket: 'shop-uploads',
      mediaBucket: 'shop-media',
    },
  });
  const form = new FormData();
  form.append('key', 'uploads/p/u');
  form.append('file', new Blob(['bytes'], { type: 'image/jpeg' }));
  const response = await fetch(`${gateway}/uploads`, { method: 'POST', body: form });
  t.is(response.status, 201);
  t.like(JSON.parse(await response.text()), { method: 'POST', url: '/shop-uploads' });
  await sleep(50);
  t.deepEqual(reported, []);
});

/** An S3 stand-in holding one file in `shop-media` that, like S3 and moto, refuses an unsigned read (403). */
async function privateMediaBucket(t: { teardown(fn: () => void): void }): Promise<string> {
  const s3 = createServer((req, res) => {
    if (!req.headers.authorization?.startsWith('AWS4-HMAC-SHA256 ')) {
      res.writeHead(403, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code></Error>');
      return;
    }
    if (req.url?.split('?')[0] === '/shop-media/media/p1/i1/200.webp') {
      res.writeHead(200, {
        'content-type': 'image/webp',
        'content-length': '8',
        'cache-control': 'public, max-age=31536000, immutable',
        etag: '"e1"',
      });
      res.end(req.method === 'HEAD' ? undefined : 'RIFFwebp');
      return;
    }
    res.writeHead(404, { 'content-type': 'application/xml' });
    res.end(req.method === 'HEAD' ? undefined : '<Error><Code>NoSuchKey</Code><Message>missing</Message></Error>');
  });
  const url = await listen(s3);
  t.teardown(() => {
    s3.close();
    s3.closeAllConnections();
  });
  return url;
}

test('when a /media/ file is asked for, then it is read from the private media bucket with a signed request', async (t) => {
  const s3Endpoint = await privateMediaBucket(t);
  const gateway = await startGateway(t, {
    targets: {},
    media: { s3Endpoint, region: 'us-east-1', uploadBucket: 'shop-uploads', mediaBucket: 'shop-media' },
  });
  const file = await fetch(`${gateway}/media/p1/i1/200.webp`);
  t.is(file.status, 200);
  t.is(file.headers.get('content-type'), 'image/webp');
  t.is(file.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  t.is(file.headers.get('x-content-type-options'), 'nosniff');
  t.is(await file.text(), 'RIFFwebp');
  const head = await fetch(`${gateway}/media/p1/i1/200.webp`, { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(head.headers.get('content-length'), '8');

  const missing = await fetch(`${gateway}/media/p1/i1/600.webp`);
  t.is(missing.status, 404);
  t.like(await missing.json(), { status: 404, detail: 'No such file: /media/p1/i1/600.webp' });
  t.is((await fetch(`${gateway}/media/p1/i1/600.webp`, { method: 'HEAD' })).status, 404);
  t.is((await fetch(`${gateway}/media/p1/i1/200.webp`, { method: 'DELETE' })).status, 405);
});

test('when an /api path matches no route, then the answer is a 404 problem', async (t) => {
  const gateway = await startGateway(t, { targets: { catalog: t.context.upstreamUrl } });
  const response = await fetch(`${gateway}/api/x`);
  t.is(response.status, 404);
  t.is(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  t.like(await response.json(), {
    type: 'about:blank',
    title: 'Not Found',
    status: 404,
    detail: 'No service serves /api/x',
  });
});

test('when the route has no configured service, then the answer is a 503 problem naming it', async (t) => {
  const gateway = await startGateway(t, { targets: {} });
  const response = await fetch(`${gateway}/api/products`);
  t.is(response.status, 503);
  t.is(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  t.like(await response.json(), { status: 503, detail: 'The catalog service is not running in this stack' });
});

test('when the service is down, then the answer is a 502 problem and the gateway keeps serving', async (t) => {
  const gateway = await startGateway(t, { targets: { catalog: `http://127.0.0.1:${await findFreePort()}` } });
  const response = await fetch(`${gateway}/api/products`, { method: 'POST', body: '{}' });
  t.is(response.status, 502);
  t.is(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  t.like(await response.json(), { type: 'about:blank', title: 'Bad Gateway', status: 502 });
  t.is((await fetch(`${gateway}/healthz`)).status, 200);
});

test('when a client aborts while the service is answering, then the gateway keeps serving', async (t) => {
  const gateway = await startGateway(t, { targets: { catalog: t.context.upstreamUrl } });
  await t.throwsAsync(fetch(`${gateway}/api/products/slow`, { signal: AbortSignal.timeout(50) }), {
    any: true,
    name: 'TimeoutError',
  });
  await sleep(600);
  const response = await fetch(`${gateway}/api/products/after-abort`);
  t.is(response.status, 201);
});

test('when /healthz is asked, then it answers 200 ok without asking any service', async (t) => {
  const gateway = await startGateway(t, { targets: { catalog: `http://127.0.0.1:${await findFreePort()}` } });
  const response = await fetch(`${gateway}/healthz`);
  t.is(response.status, 200);
  t.deepEqual(await response.json(), { status: 'ok' });
});

test('when every service is ready, then /readyz answers 200', async (t) => {
  const gateway = await startGateway(t, { targets: { catalog: t.context.upstreamUrl } });
  const response = await fetch(`${gateway}/readyz`);
  t.is(response.status, 200);
  t.deepEqual(await response.json(), { status: 'ready', checks: { catalog: 'ok' } });
});

test('when a service is down, then /readyz answers 503 naming it', async (t) => {
  const gateway = await startGateway(t, {
    targets: { catalog: t.context.upstreamUrl, inventory: `http://127.0.0.1:${await findFreePort()}` },
  });
  const response = await fetch(`${gateway}/readyz`);
  t.is(response.status, 503);
  const body = (await response.json()) as { status: string; checks: Record<string, string> };
  t.is(body.status, 'not ready');
  t.is(body.checks.catalog, 'ok');
  t.regex(body.checks.inventory ?? '', /^failing: ECONNREFUSED/);
});

test('when a web build exists, then other GETs serve its files with their content types', async (t) => {
  const gateway = await startGateway(t, { targets: {}, webRoot: t.context.webRoot });
  const page = await fetch(`${gateway}/`);
  t.is(page.status, 200);
  t.is(page.headers.get('content-type'), 'text/html; charset=utf-8');
  t.is(await page.text(), '<!doctype html><title>shop</title>');
  const script = await fetch(`${gateway}/assets/app.js`);
  t.is(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
  t.is(await script.text(), 'console.log("shop");');
  const clientRoute = await fetch(`${gateway}/products/01ABC`);
  t.is(clientRoute.status, 200, 'a client-side route falls back to index.html');
  t.is(await clientRoute.text(), '<!doctype html><title>shop</title>');
  const missing = await fetch(`${gateway}/assets/missing.png`);
  t.is(missing.status, 404);
  t.is(missing.headers.get('content-type'), 'application/problem+json; charset=utf-8');
});

test('when a path tries to leave the web root, then nothing outside it is served', async (t) => {
  const gateway = await startGateway(t, { targets: {}, webRoot: t.context.webRoot });
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
    const response = await rawGet(gateway, path);
    t.true([403, 404].includes(response.status), `${path} answered ${response.status}`);
    t.false(response.body.includes('TOP-SECRET'), `${path} served the file outside the web root`);
  }
  const traversal = await rawGet(gateway, '/../secret.txt');
  t.is(traversal.status, 403);
  t.is(traversal.type, 'application/problem+json; charset=utf-8');
  const dotfile = await rawGet(gateway, '/.env');
  t.is(dotfile.status, 404);
  t.false(dotfile.body.includes('SECRET'));
});

test('when the web build does not exist yet, then other GETs answer 404', async (t) => {
  const gateway = await startGateway(t, { targets: {}, webRoot: join(t.context.workDir, 'no-build') });
  const response = await fetch(`${gateway}/`);
  t.is(response.status, 404);
  t.is(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
});

test('when the site has run-time settings, then /config.json answers them and every page carries the CSP', async (t) => {
  const gateway = await startGateway(t, {
    targets: {},
    webRoot: t.context.webRoot,
    web: {
      config: { clientId: 'client-1', cognitoEndpoint: 'http://127.0.0.1:5000/' },
      connectSources: ['http://127.0.0.1:5000'],
    },
  });
  const config = await fetch(`${gateway}/config.json`);
  t.is(config.status, 200);
  t.deepEqual(await config.json(), { clientId: 'client-1', cognitoEndpoint: 'http://127.0.0.1:5000/' });
  t.is(config.headers.get('cache-control'), 'no-store');

  const page = await fetch(`${gateway}/staff`);
  t.is(page.status, 200);
  t.is(
    page.headers.get('content-security-policy'),
    webContentSecurityPolicy({ connectSources: ['http://127.0.0.1:5000'] }),
  );
  t.regex(page.headers.get('content-security-policy') ?? '', /connect-src 'self' http:\/\/127\.0\.0\.1:5000;/);
  t.is(page.headers.get('x-frame-options'), 'DENY');
});
