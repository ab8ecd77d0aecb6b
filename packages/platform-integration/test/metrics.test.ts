import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import Router from '@koa/router';
import { startStandIns } from '@shop/local-stack';
import {
  type AppState,
  createDynamoDbClient,
  createHttpApp,
  createLogger,
  itemKeys,
  measureAwsClient,
  NotFoundError,
  ProcessMetrics,
} from '@shop/platform';
import { serve } from '@shop/testing';
import test from 'ava';

/** The value of one sample line, e.g. `http_requests_total{method="GET",...}`, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const wanted = Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`));
    if (wanted) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

test('when a known set of requests is answered, then /metrics counts them exactly by route template and status class', async (t) => {
  const metrics = new ProcessMetrics({ service: 'test', processMetrics: false });
  const app = createHttpApp({
    logger: createLogger({ name: 'test', level: 'silent' }),
    health: { checks: {} },
    metrics,
  });
  const router = new Router<AppState>({ prefix: '/things' });
  router.get('/:id', (ctx) => {
    if (ctx.params.id === 'missing') throw new NotFoundError('No such thing');
    ctx.body = { id: ctx.params.id };
  });
  router.post('/', (ctx) => {
    ctx.status = 201;
    ctx.body = {};
  });
  app.use(router.routes());
  const { server, baseUrl } = await serve(app.callback());
  try {
    for (const path of ['/things/1', '/things/2', '/things/3', '/things/missing', '/things/missing', '/nowhere']) {
      await (await fetch(`${baseUrl}${path}`)).text();
    }
    await (await fetch(`${baseUrl}/things`, { method: 'POST' })).text();
    await (await fetch(`${baseUrl}/healthz`)).text();

    const text = await metrics.text();
    const count = (method: string, route: string, statusClass: string) =>
      sample(text, 'http_requests_total', { method, route, status_class: statusClass });
    t.is(count('GET', '/things/:id', '2xx'), 3);
    t.is(count('GET', '/things/:id', '4xx'), 2);
    t.is(count('POST', '/things', '2xx'), 1);
    t.is(count('GET', 'unmatched', '4xx'), 1, 'raw paths never become labels');
    t.is(count('GET', '/healthz', '2xx'), 1);
    t.false(text.includes('/things/1'), 'no raw path in any label');
    t.is(sample(text, 'http_request_duration_seconds_count', { route: '/things/:id', status_class: '2xx' }), 3);
    t.is(sample(text, 'http_requests_in_flight', {}), 0, 'nothing left in flight');
    t.regex(text, /service="test"/);
  } finally {
    server.close();
  }
});

test('when an AWS client is measured, then each call is counted and timed by operation and outcome', async (t) => {
  const standIns = await startStandIns();
  const metrics = new ProcessMetrics({ service: 'test', processMetrics: false });
  const client = measureAwsClient(
    createDynamoDbClient({ region: standIns.region, endpoint: standIns.dynamoDbEndpoint }),
    metrics,
    'DynamoDB',
  );
  try {
    const key = { pk: { S: itemKeys.product('x').pk }, sk: { S: 'PRODUCT' } };
    await client.send(new GetItemCommand({ TableName: standIns.tableName, Key: key }));
    await client.send(new GetItemCommand({ TableName: standIns.tableName, Key: key }));
    await t.throwsAsync(client.send(new GetItemCommand({ TableName: 'no-such-table', Key: key })));
    const text = await metrics.text();
    t.is(sample(text, 'aws_calls_total', { service: 'DynamoDB', operation: 'GetItem', outcome: 'ok' }), 2);
    t.is(
      sample(text, 'aws_calls_total', {
        service: 'DynamoDB',
        operation: 'GetItem',
        outcome: 'ResourceNotFoundException',
      }),
      1,
    );
    t.is(sample(text, 'aws_call_duration_seconds_count', { operation: 'GetItem', outcome: 'ok' }), 2);
  } finally {
    client.destroy();
    await standIns.stop();
  }
});

test('when process metrics are on, then the text carries them and a backlog reads live', async (t) => {
  const metrics = new ProcessMetrics({ service: 'test' });
  let queued = 7;
  metrics.watchBacklog('kinesis', () => queued);
  t.regex(await metrics.text(), /process_resident_memory_bytes/);
  t.is(sample(await metrics.text(), 'event_publisher_queue_events', { publisher: 'kinesis' }), 7);
  queued = 0;
  t.is(sample(await metrics.text(), 'event_publisher_queue_events', { publisher: 'kinesis' }), 0);
});
