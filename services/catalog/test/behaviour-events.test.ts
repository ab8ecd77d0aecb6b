import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { TcpGate } from '@shop/local-stack';
import {
  type CloudEvent,
  configureTracing,
  createCognitoVerifier,
  createKinesisClient,
  createLogger,
  KinesisEventPublisher,
} from '@shop/platform';
import { type JsonResponse, requestJson, serve, serveOnStandIns } from '@shop/testing';
import anyTest, { type TestFn } from 'ava';
import { ulid } from 'ulid';
import { createApp } from '../src/app.js';
import { productBody } from './catalog-harness.js';

// A refill this slow (a token per 50 s) cannot hand a busy client a token during a test, however loaded the machine.
const eventsRateLimit = { perSecond: 0.02, burst: 5 };
const startCatalog = () => serveOnStandIns('catalog', (deps) => createApp({ ...deps, eventsRateLimit }));
type Catalog = Awaited<ReturnType<typeof startCatalog>>;

const test = anyTest as TestFn<{ catalog: Catalog; xrayDaemon: Socket }>;

const viewedType = 'shop.web.product.viewed.v1';

test.before(async (t) => {
  // Traced as in AWS, so a view's event can be shown to carry its request's trace. The SDK sends
  // segments over UDP; this socket takes them.
  const xrayDaemon = createSocket('udp4').bind(0, '127.0.0.1');
  await once(xrayDaemon, 'listening');
  t.context.xrayDaemon = xrayDaemon;
  configureTracing({
    serviceName: 'catalog',
    samplingRate: 1,
    daemonAddress: `127.0.0.1:${xrayDaemon.address().port}`,
    logger: createLogger({ name: 'xray', level: 'silent' }),
  });
  t.context.catalog = await startCatalog();
});
test.after.always(async (t) => {
  await t.context.catalog?.stop();
  configureTracing({ serviceName: 'catalog', enabled: false });
  t.context.xrayDaemon?.close();
});

let clients = 0;
/** A client address of its own (through X-Forwarded-For), so each test has its own rate-limit bucket. */
const newClient = () => {
  clients += 1;
  return `10.0.${Math.floor(clients / 250)}.${(clients % 250) + 1}`;
};

/** A view as the storefront sends it: no credentials, JSON, from `client`. */
const sendView = (catalog: Catalog, body: unknown, client = newClient(), headers: Record<string, string> = {}) =>
  catalog.request('POST', '/api/events', body, { 'x-forwarded-for': client, ...headers });

const view = (productId: string) => ({ type: 'product-viewed', version: 1, productId });

async function createProduct(catalog: Catalog, category = 'trail-running'): Promise<string> {
  const created = await catalog.requestAs('admin', 'POST', '/api/products', productBody({ category }));
  if (created.status !== 201) throw new Error(`could not create a product: ${created.status}`);
  return created.body.id as string;
}

async function viewEvents(catalog: Catalog, productId: string): Promise<CloudEvent[]> {
  const events = await catalog.events();
  return events.filter((event) => event.type === viewedType && event.subject === productId);
}

/** The product's view events once `count` are on the stream (or 20 s have passed). */
async function awaitViewEvents(catalog: Catalog, productId: string, count: number): Promise<CloudEvent[]> {
  const isView = (event: CloudEvent) => event.type === viewedType;
  const events = await catalog.eventsOf(productId, (all) => all.filter(isView).length >= count);
  return events.filter(isView);
}

function assertProblem(
  t: { is: (a: unknown, b: unknown, m?: string) => void },
  response: JsonResponse,
  status: number,
) {
  t.is(response.status, status);
  t.is(response.headers.get('content-type'), 'application/problem+json');
  t.is(response.body.status, status);
}

test('when a product view is sent without credentials, then it answers 202 with no body and the event carries the stored category', async (t) => {
  const { catalog } = t.context;
  const productId = await createProduct(catalog, 'trail-running');
  const traceRoot = `1-${Math.floor(Date.now() / 1000).toString(16)}-${'0123456789abcdef01234567'}`;
  const response = await sendView(catalog, view(productId), newClient(), {
    'x-amzn-trace-id': `Root=${traceRoot};Sampled=1`,
  });
  t.is(response.status, 202);
  t.is(response.body, undefined);
  t.is(response.headers.get('content-length'), '0');

  const [event, ...more] = await awaitViewEvents(catalog, productId, 1);
  t.deepEqual(more, [], 'one view, one event');
  t.like(event, {
    specversion: '1.0',
    type: viewedType,
    source: '/shop/web',
    subject: productId,
    partitionkey: productId,
    datacontenttype: 'application/json',
  });
  t.deepEqual(event?.data, { productId, category: 'trail-running' });
  t.regex(event?.id ?? '', /^[0-9A-HJKMNP-TV-Z]{26}$/);
  t.is(/Root=([^;]+)/.exec(event?.traceid ?? '')?.[1], traceRoot, "the event is in the request's trace");
});

test('when a product changes category, then later views carry the new category', async (t) => {
  const { catalog } = t.context;
  const productId = await createProduct(catalog, 'tents');
  t.is((await sendView(catalog, view(productId))).status, 202);
  const patched = await catalog.requestAs('admin', 'PATCH', `/api/products/${productId}`, { category: 'shelters' });
  t.is(patched.status, 200);
  t.is((await sendView(catalog, view(productId))).status, 202);
  const events = await awaitViewEvents(catalog, productId, 2);
  t.deepEqual(events.map((event) => (event.data as { category: string }).category).sort(), ['shelters', 'tents']);
});

test('when a view carries an Authorization header, then it is neither needed nor checked', async (t) => {
  const { catalog } = t.context;
  const productId = await createProduct(catalog);
  const response = await sendView(catalog, view(productId), newClient(), { authorization: 'Bearer not-a-token' });
  t.is(response.status, 202);
  t.is((await catalog.requestAs('shopper', 'POST', '/api/events', view(productId))).status, 202);
});

const invalidBodies: Array<[string, (productId: string) => unknown, string, RegExp?]> = [
  ['version 2', (id) => ({ ...view(id), version: 2 }), 'version', /supported version: 1/],
  ['version "1" as a string', (id) => ({ ...view(id), version: '1' }), 'version', /supported version: 1/],
  [
    'no version',
    (id) => ({ type: 'product-viewed', productId: id }),
    'version',
    /required and must be a supported version: 1/,
  ],
  ['another type', (id) => ({ ...view(id), type: 'product-clicked' }), 'type'],
  ['a client-chosen category', (id) => ({ ...view(id), category: 'bargains' }), 'category'],
  ['a batch of events', (id) => ({ ...view(id), events: [view(id)] }), 'events'],
  ['no productId', () => ({ type: 'product-viewed', version: 1 }), 'productId'],
  ['a productId that is not an id', () => view('shoe-42'), 'productId', /an id \(a ULID/],
  ['a numeric productId', () => view(42 as unknown as string), 'productId'],
  ['an array of views', (id) => [view(id)], 'body'],
];

for (const [label, body, field, message] of invalidBodies) {
  test(`when a view has ${label}, then it answers 422 naming ${field} and publishes nothing`, async (t) => {
    const { catalog } = t.context;
    const productId = await createProduct(catalog);
    const response = await sendView(catalog, body(productId));
    assertProblem(t, response, 422);
    const error = (response.body.errors as Array<{ field: string; message: string }>).find(
      (candidate) => candidate.field === field,
    );
    t.truthy(error, JSON.stringify(response.body.errors));
    if (message) t.regex(error?.message ?? '', message);
    // A valid view of another product goes out after it: by then this one would be on the stream too.
    const control = await createProduct(catalog);
    t.is((await sendView(catalog, view(control))).status, 202);
    await awaitViewEvents(catalog, control, 1);
    t.deepEqual(await viewEvents(catalog, productId), []);
  });
}

test('when a view names a product that does not exist, then it answers 422 on productId', async (t) => {
  const { catalog } = t.context;
  const productId = ulid();
  const response = await sendView(catalog, view(productId));
  assertProblem(t, response, 422);
  t.deepEqual(response.body.errors, [{ field: 'productId', message: 'productId names no product' }]);
});

test('when a view names a deleted product, then it answers 422 on productId and publishes nothing', async (t) => {
  const { catalog } = t.context;
  const productId = await createProduct(catalog);
  t.is((await catalog.requestAs('admin', 'DELETE', `/api/products/${productId}`)).status, 204);
  const response = await sendView(catalog, view(productId));
  assertProblem(t, response, 422);
  t.is(response.body.errors[0].field, 'productId');
  const isDeleted = (event: CloudEvent) => event.type === 'shop.catalog.product.deleted.v1';
  const deleted = (await catalog.eventsOf(productId, (events) => events.some(isDeleted))).filter(isDeleted);
  t.is(deleted.length, 1, 'the product events are out');
  t.deepEqual(await viewEvents(catalog, productId), []);
});

test('when one client sends more views than its burst, then it gets 429 with Retry-After while another client is served', async (t) => {
  const { catalog } = t.context;
  const productId = await createProduct(catalog);
  const busy = newClient();
  for (let index = 0; index < eventsRateLimit.burst; index += 1) {
    t.is((await sendView(catalog, view(productId), busy)).status, 202, `view ${index + 1} of the burst`);
  }
  const limited = await sendView(catalog, view(productId), busy);
  assertProblem(t, limited, 429);
  const retryAfter = Number(limited.headers.get('retry-after'));
  t.true(
    retryAfter > 1 && retryAfter <= 1 / eventsRateLimit.perSecond,
    `Retry-After ${retryAfter}: until one token is back`,
  );
  t.is((await sendView(catalog, view(productId), newClient())).status, 202, 'another client has its own bucket');
  // Products are not behind this limit.
  t.is(
    (await catalog.request('GET', `/api/products/${productId}`, undefined, { 'x-forwarded-for': busy })).status,
    200,
  );
  t.is((await awaitViewEvents(catalog, productId, eventsRateLimit.burst + 1)).length, eventsRateLimit.burst + 1);
});

test('when a view is sent as text (sendBeacon with a string), then it answers 415 problem+json', async (t) => {
  const { catalog } = t.context;
  const productId = await createProduct(catalog);
  const response = await fetch(`${catalog.baseUrl}/api/events`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8', 'x-forwarded-for': newClient() },
    body: JSON.stringify(view(productId)),
  });
  t.is(response.status, 415);
  t.is(response.headers.get('content-type'), 'application/problem+json');
});

test('when a view is malformed JSON, then it answers 400 problem+json', async (t) => {
  const response = await sendView(t.context.catalog, '{"type": "product-viewed",');
  assertProblem(t, response, 400);
  t.is(response.body.detail, 'The request body is not valid JSON');
});

test('when a view has no body, then it answers 422 naming every missing field', async (t) => {
  const response = await sendView(t.context.catalog, undefined);
  assertProblem(t, response, 422);
  t.deepEqual((response.body.errors as Array<{ field: string }>).map((error) => error.field).sort(), [
    'productId',
    'type',
    'version',
  ]);
});

test('when /api/events is read, then it answers 405 with Allow: POST', async (t) => {
  const response = await t.context.catalog.request('GET', '/api/events', undefined, { 'x-forwarded-for': newClient() });
  assertProblem(t, response, 405);
  t.regex(response.headers.get('allow') ?? '', /POST/);
});

test('when the stream is unreachable and the publisher is full, then views answer 503 with Retry-After; accepted views go out once it is back, before shutdown completes', async (t) => {
  const { catalog } = t.context;
  const productId = await createProduct(catalog);
  // A second catalog over the same table whose stream goes through a gate and whose publisher holds one event.
  const gate = await TcpGate.start(Number(new URL(catalog.standIns.kinesisEndpoint).port));
  const kinesis = createKinesisClient({ region: catalog.standIns.region, endpoint: gate.url });
  const logger = createLogger({ name: 'catalog-gated', level: 'silent' });
  const app = createApp({
    documentClient: catalog.documentClient,
    tableName: catalog.standIns.tableName,
    publisher: new KinesisEventPublisher({
      client: kinesis,
      streamName: catalog.standIns.streamName,
      logger,
      maxQueuedEvents: 1,
      maxAttempts: 50,
      maxDelayMs: 200,
    }),
    logger,
    auth: createCognitoVerifier({
      userPoolId: catalog.pool.userPoolId,
      clientId: catalog.pool.clientId,
      jwksUri: catalog.pool.jwksUri,
    }),
    eventsRateLimit,
  });
  const { server, baseUrl } = await serve(app.callback());
  t.teardown(async () => {
    server.close();
    kinesis.destroy();
    await gate.close();
  });
  const post = () => requestJson(baseUrl, 'POST', '/api/events', view(productId), { 'x-forwarded-for': newClient() });

  await gate.close();
  t.is((await post()).status, 202, 'the first view is queued');
  const refused = await post();
  assertProblem(t, refused, 503);
  t.is(refused.headers.get('retry-after'), '5');

  let stopped = false;
  const stopping = Promise.all(app.background.map((task) => task.stop())).then(() => {
    stopped = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  t.false(stopped, 'shutdown waits for the accepted view while the stream is down');
  await gate.open();
  await stopping;
  const events = await viewEvents(catalog, productId);
  t.is(events.length, 1, 'the accepted view is on the stream once shutdown is done; the refused one is not');
  t.is((await post()).status, 202, 'views are taken again');
});
