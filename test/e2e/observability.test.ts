import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServiceProcess } from '@shop/local-stack';
import { createKinesisClient } from '@shop/platform';
import { readStreamEvents, requestJson, startStandInsWithUsers } from '@shop/testing';
import test from 'ava';

interface Segment {
  id: string;
  trace_id: string;
  name: string;
  type?: string;
  parent_id?: string;
  http?: { request?: { method?: string }; response?: { status?: number } };
  annotations?: Record<string, string>;
  subsegments?: Segment[];
  namespace?: string;
  aws?: { operation?: string };
}

test('when the catalog serves traced requests, then X-Ray gets a segment per request with AWS subsegments, the event carries its trace, /metrics counts them and the logs name the trace but no token', async (t) => {
  // A fake X-Ray daemon: UDP on loopback, as the CloudWatch agent listens in AWS.
  const daemon = createSocket('udp4');
  const documents: Segment[] = [];
  daemon.on('message', (message) => {
    const [, body] = message.toString('utf8').split('\n');
    if (body) documents.push(JSON.parse(body) as Segment);
  });
  daemon.bind(0, '127.0.0.1');
  await once(daemon, 'listening');
  const { standIns, pool, signIn } = await startStandInsWithUsers();
  const kinesis = createKinesisClient({ region: standIns.region, endpoint: standIns.kinesisEndpoint });
  t.teardown(async () => {
    daemon.close();
    kinesis.destroy();
    await standIns.stop();
  });
  const { accessToken } = await signIn('admin');
  const logFile = join(standIns.dataDir, 'logs', 'catalog-observed.log');
  const catalog = await startServiceProcess({
    name: 'catalog',
    standIns,
    pool,
    logFile,
    env: {
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
      TRACING_ENABLED: 'true',
      XRAY_SAMPLING_RATE: '1',
      LOG_LEVEL: 'info',
    },
  });
  t.teardown(() => catalog.stop());

  const authorization = `Bearer ${accessToken}`;
  const created = await requestJson(
    catalog.url,
    'POST',
    '/api/products',
    { name: 'Traced lamp', description: 'Warm light', price: 30 },
    { authorization },
  );
  t.is(created.status, 201);
  const productId = created.body.id as string;
  for (let index = 0; index < 3; index += 1) {
    t.is((await requestJson(catalog.url, 'GET', `/api/products/${productId}`)).status, 200);
  }
  t.is((await requestJson(catalog.url, 'GET', '/api/products/01JZZZZZZZZZZZZZZZZZZZZZZZ')).status, 404);

  // Segments: one per request (health probes of the launcher aside), each with its route. A segment
  // is sent again when work it started (publishing the change's event) ends after the answer; the
  // last copy of an id is the complete one, as X-Ray keeps it.
  const requestSegments = () => [
    ...new Map(
      documents
        .filter((document) => document.name === 'catalog' && !document.type)
        .map((segment) => [segment.id, segment] as const),
    ).values(),
  ];
  for (
    let attempt = 0;
    attempt < 50 && requestSegments().filter((s) => s.annotations?.route !== '/readyz').length < 5;
    attempt += 1
  ) {
    await sleep(100);
  }
  const segments = requestSegments().filter((segment) => segment.annotations?.route !== '/readyz');
  t.is(segments.length, 5, 'a segment per request');
  const post = segments.find((segment) => segment.http?.request?.method === 'POST');
  t.is(post?.http?.response?.status, 201);
  t.is(post?.annotations?.route, '/api/products');
  const awsCalls = [
    ...(post?.subsegments ?? []),
    ...documents.filter((document) => document.type === 'subsegment' && document.trace_id === post?.trace_id),
  ].filter((subsegment) => subsegment.namespace === 'aws');
  t.true(
    awsCalls.some((call) => call.name === 'DynamoDB' && call.aws?.operation === 'PutItem'),
    `DynamoDB PutItem subsegment (${awsCalls.map((call) => `${call.name}.${call.aws?.operation}`).join(', ')})`,
  );
  t.is(
    segments.filter((segment) => segment.annotations?.route === '/api/products/:id').length,
    4,
    'route templates, not raw paths',
  );

  // The event of the change carries the trace of the request that made it.
  let event: { traceid?: string } | undefined;
  for (let attempt = 0; attempt < 50 && !event; attempt += 1) {
    event = (await readStreamEvents(kinesis, standIns.streamName)).find((candidate) => candidate.subject === productId);
    if (!event) await sleep(100);
  }
  t.truthy(event?.traceid, 'the event names a trace');
  t.is(/Root=([^;]+)/.exec(event?.traceid ?? '')?.[1], post?.trace_id, 'the same trace id as the request');

  // /metrics on its own port counts the same requests by route template.
  // The relay's gauges carry a sample once it has swept (every 2 s).
  const pendingSample = /^outbox_pending_items\{[^}]*owner="catalog"[^}]*\} \d+$/m;
  let metrics = await (await fetch(catalog.metricsUrl)).text();
  for (let attempt = 0; attempt < 50 && !pendingSample.test(metrics); attempt += 1) {
    await sleep(100);
    metrics = await (await fetch(catalog.metricsUrl)).text();
  }
  t.regex(
    metrics,
    /http_requests_total\{[^}]*method="GET"[^}]*route="\/api\/products\/:id"[^}]*status_class="2xx"[^}]*\} 3/,
  );
  t.regex(
    metrics,
    /http_requests_total\{[^}]*method="POST"[^}]*route="\/api\/products"[^}]*status_class="2xx"[^}]*\} 1/,
  );
  t.regex(metrics, /aws_calls_total\{[^}]*service="DynamoDB"[^}]*operation="Put/);
  t.regex(metrics, pendingSample);
  t.regex(metrics, /^# TYPE kinesis_records_failed_total counter$/m);

  // One log line per request with its ids; the token appears nowhere.
  await sleep(200);
  const lines = (await readFile(logFile, 'utf8'))
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const postLine = lines.find((line) => line.msg === 'request' && line.method === 'POST');
  t.like(postLine, { route: '/api/products', status: 201, traceId: post?.trace_id });
  t.truthy(postLine?.requestId);
  t.is(typeof postLine?.durationMs, 'number');
  const raw = await readFile(logFile, 'utf8');
  t.false(raw.includes(accessToken), 'no token in the logs');
  t.false(raw.includes('Bearer '), 'no Authorization header value');
});
