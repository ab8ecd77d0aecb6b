import { CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { type StandIns, TcpGate } from '@shop/local-stack';
import { awsClientConfig, problemContentType } from '@shop/platform';
import { type JsonResponse, serveOnStandIns } from '@shop/testing';
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import { createApp } from '../src/app.js';

interface Context {
  served: Awaited<ReturnType<typeof serveOnStandIns>>;
  gate: TcpGate;
  writer: CloudWatchClient;
  dashboardClient: CloudWatchClient;
  /** Start of the minute the metrics below are placed from (ten minutes before the test began). */
  base: number;
}

// Serial: one case makes CloudWatch unreachable for a moment, and the cache is shared by all.
const test = anyTest.serial as TestFn<Context>;

const namespace = 'ShopDashboardTest';
const minute = 60_000;

const counter = (
  name: string,
  at: number,
  sum: number,
  dimensions: Record<string, string> = {},
  samples = 1,
): MetricDatum => ({
  MetricName: name,
  ...(Object.keys(dimensions).length > 0
    ? { Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })) }
    : {}),
  Timestamp: new Date(at),
  Unit: 'Count',
  StatisticValues: { SampleCount: samples, Sum: sum, Minimum: 1, Maximum: sum },
});

const lag = (at: number, values: number[], counts: number[]): MetricDatum => ({
  MetricName: 'EventLagMs',
  Timestamp: new Date(at),
  Unit: 'Milliseconds',
  Values: values,
  Counts: counts,
});

async function put(writer: CloudWatchClient, datums: MetricDatum[], inNamespace = namespace) {
  await writer.send(new PutMetricDataCommand({ Namespace: inNamespace, MetricData: datums }));
}

test.before(async (t) => {
  // serveOnStandIns starts moto and only then builds the app; the dashboard's client reaches moto
  // through a gate made afterwards, so it asks for its region and endpoint at each call.
  let standIns: StandIns | undefined;
  let gate: TcpGate | undefined;
  const dashboardClient = new CloudWatchClient({
    ...awsClientConfig({ region: 'unset', endpoint: 'http://127.0.0.1' }),
    region: async () => standIns?.region ?? 'unset',
    endpoint: async () => ({ url: new URL(gate?.url ?? 'http://127.0.0.1') }),
  });
  const served = await serveOnStandIns('inventory', (deps) =>
    createApp({ ...deps, dashboard: { cloudWatch: dashboardClient, namespace } }),
  );
  standIns = served.standIns;
  const motoEndpoint = served.standIns.motoEndpoint ?? '';
  gate = await TcpGate.start(Number(new URL(motoEndpoint).port));
  const writer = new CloudWatchClient(awsClientConfig({ region: served.standIns.region, endpoint: motoEndpoint }));
  t.context = { served, gate, writer, dashboardClient, base: Math.floor(Date.now() / minute) * minute - 10 * minute };

  const m = (offset: number) => t.context.base + offset * minute;
  // As the analytics fleet publishes: totals without dimensions beside the per-dimension datums,
  // several workers' datums for one minute, revenue always with its currency.
  await put(writer, [
    counter('UnitsSold', m(0), 5, {}, 3),
    counter('UnitsSold', m(0), 1, { Category: 'garden' }),
    counter('UnitsSold', m(0), 2, { Category: 'garden' }),
    counter('UnitsSold', m(0), 2, { Category: 'kitchen' }),
    counter('UnitsSold', m(2), 4, {}),
    counter('UnitsSold', m(2), 4, { Category: 'garden' }),
    counter('Revenue', m(0), 50.5, { Currency: 'USD' }),
    counter('Revenue', m(0), 30, { Category: 'garden', Currency: 'USD' }),
    counter('Revenue', m(0), 20.5, { Category: 'kitchen', Currency: 'USD' }),
    counter('Revenue', m(2), 12.25, { Currency: 'EUR' }),
    counter('Revenue', m(2), 12.25, { Category: 'garden', Currency: 'EUR' }),
    // Each total without dimensions and per EventType / Category, as the fleet puts them. moto's
    // GetMetricData without dimensions adds the per-dimension datums in (CloudWatch does not), so a
    // dashboard reading the dimensionless datums would show these totals double.
    counter('EventsProcessed', m(0), 7, {}, 7),
    counter('EventsProcessed', m(0), 5, { EventType: 'shop.inventory.stock.adjusted.v1' }, 5),
    counter('EventsProcessed', m(0), 2, { EventType: 'shop.web.product.viewed.v1' }, 2),
    counter('EventsProcessed', m(2), 4, {}, 4),
    counter('EventsProcessed', m(2), 4, { EventType: 'shop.inventory.stock.adjusted.v1' }, 4),
    counter('LowStockAlerts', m(2), 1),
    counter('LowStockAlerts', m(2), 1, { Category: 'garden' }),
    lag(m(0), [100, 300], [1, 1]),
    lag(m(2), [50], [2]),
    counter('ProductViews', m(0), 10, { Category: 'garden' }),
    counter('ProductViews', m(1), 5, { Category: 'garden' }),
    counter('ProductViews', m(1), 20, { Category: 'toys' }),
    // Older than an hour: only in longer windows.
    counter('ProductViews', m(-60), 8, { Category: 'garden' }),
  ]);
  // Another namespace's metric: not the analytics fleet's (METRICS_NAMESPACE), never shown.
  await put(writer, [counter('EventsProcessed', m(1), 1000)], 'SomeoneElse');
});

test.after.always(async (t) => {
  await t.context.gate?.close();
  t.context.writer?.destroy();
  t.context.dashboardClient?.destroy();
  await t.context.served?.stop();
});

function iso(t: { context: Context }, offset: number): string {
  return new Date(t.context.base + offset * minute).toISOString();
}

function assertWindow(t: ExecutionContext<Context>, body: { from: string; to: string }, minutes: number) {
  const from = Date.parse(body.from);
  const to = Date.parse(body.to);
  t.is(to % minute, 0, 'the window ends on a whole minute');
  t.is(to - from, minutes * minute);
  t.true(to > Date.now() - minute && to <= Date.now() + minute, 'the window ends with the current minute');
}

test('when staff asks for the last hour, then every chart has exactly the series and points put into CloudWatch, each total counted once', async (t) => {
  const answer = await t.context.served.requestAs('staff', 'GET', '/api/dashboard/metrics?minutes=60');
  t.is(answer.status, 200);
  t.is(answer.headers.get('cache-control'), 'private, max-age=5');
  assertWindow(t, answer.body, 60);
  t.is(answer.body.periodSeconds, 60);
  t.deepEqual(answer.body.charts, {
    unitsSold: [
      {
        label: 'garden',
        points: [
          { t: iso(t, 0), v: 3 },
          { t: iso(t, 2), v: 4 },
        ],
      },
      { label: 'kitchen', points: [{ t: iso(t, 0), v: 2 }] },
    ],
    revenue: [
      { label: 'garden (EUR)', points: [{ t: iso(t, 2), v: 12.25 }] },
      { label: 'garden (USD)', points: [{ t: iso(t, 0), v: 30 }] },
      { label: 'kitchen (USD)', points: [{ t: iso(t, 0), v: 20.5 }] },
    ],
    eventsProcessed: [
      {
        label: 'all events',
        points: [
          { t: iso(t, 0), v: 7 },
          { t: iso(t, 2), v: 4 },
        ],
      },
    ],
    lowStockAlerts: [{ label: 'all categories', points: [{ t: iso(t, 2), v: 1 }] }],
    eventLagMs: [
      {
        label: 'average',
        points: [
          { t: iso(t, 0), v: 200 },
          { t: iso(t, 2), v: 50 },
        ],
      },
      {
        label: 'maximum',
        points: [
          { t: iso(t, 0), v: 300 },
          { t: iso(t, 2), v: 50 },
        ],
      },
    ],
    productViews: [
      {
        label: 'garden',
        points: [
          { t: iso(t, 0), v: 10 },
          { t: iso(t, 1), v: 5 },
        ],
      },
      { label: 'toys', points: [{ t: iso(t, 1), v: 20 }] },
    ],
  });
  t.deepEqual(answer.body.topViewedCategories, [
    { category: 'toys', views: 20 },
    { category: 'garden', views: 15 },
  ]);
});

test('when an admin asks for two hours, then older points count too, in the chart and the top categories', async (t) => {
  const answer = await t.context.served.requestAs('admin', 'GET', '/api/dashboard/metrics?minutes=120');
  t.is(answer.status, 200);
  assertWindow(t, answer.body, 120);
  t.deepEqual(answer.body.charts.productViews, [
    {
      label: 'garden',
      points: [
        { t: iso(t, -60), v: 8 },
        { t: iso(t, 0), v: 10 },
        { t: iso(t, 1), v: 5 },
      ],
    },
    { label: 'toys', points: [{ t: iso(t, 1), v: 20 }] },
  ]);
  t.deepEqual(answer.body.topViewedCategories, [
    { category: 'garden', views: 23 },
    { category: 'toys', views: 20 },
  ]);
});

test('when the window is shorter than the data, then points before it are left out and empty charts are []', async (t) => {
  // The last 5 minutes hold none of the points (they are 8 to 10 minutes old).
  const answer = await t.context.served.requestAs('staff', 'GET', '/api/dashboard/metrics?minutes=5');
  t.is(answer.status, 200);
  assertWindow(t, answer.body, 5);
  t.deepEqual(answer.body.charts, {
    unitsSold: [],
    revenue: [],
    eventsProcessed: [],
    lowStockAlerts: [],
    eventLagMs: [],
    productViews: [],
  });
  t.deepEqual(answer.body.topViewedCategories, []);
});

test('when no window is given, then it is the last 60 minutes', async (t) => {
  const answer = await t.context.served.requestAs('staff', 'GET', '/api/dashboard/metrics');
  t.is(answer.status, 200);
  assertWindow(t, answer.body, 60);
  t.is(answer.body.charts.unitsSold.length, 2);
});

test('when dashboards ask again within the cache time, then they get the same answer, and new metrics show after it', async (t) => {
  const path = '/api/dashboard/metrics?minutes=30';
  const first = await t.context.served.requestAs('staff', 'GET', path);
  t.is(first.status, 200);
  const answered = Date.now();
  t.deepEqual(first.body.charts.lowStockAlerts, [{ label: 'all categories', points: [{ t: iso(t, 2), v: 1 }] }]);

  const m3 = t.context.base + 3 * minute;
  await put(t.context.writer, [
    counter('LowStockAlerts', m3, 2, {}, 2),
    counter('LowStockAlerts', m3, 1, { Category: 'garden' }),
    counter('LowStockAlerts', m3, 1, { Category: 'kitchen' }),
  ]);
  const again = await Promise.all([
    t.context.served.requestAs('staff', 'GET', path),
    t.context.served.requestAs('admin', 'GET', path),
  ]);
  for (const answer of again) t.deepEqual(answer.body, first.body);

  await new Promise((resolve) => setTimeout(resolve, Math.max(0, answered + 5_200 - Date.now())));
  const later = await t.context.served.requestAs('staff', 'GET', path);
  t.deepEqual(later.body.charts.lowStockAlerts, [
    {
      label: 'all categories',
      points: [
        { t: iso(t, 2), v: 1 },
        { t: iso(t, 3), v: 2 },
      ],
    },
  ]);
});

test('when CloudWatch cannot be reached, then the answer is a 503 problem with Retry-After, and it serves again once it can', async (t) => {
  const path = '/api/dashboard/metrics?minutes=7';
  await t.context.gate.close();
  let unreachable: JsonResponse;
  try {
    unreachable = await t.context.served.requestAs('staff', 'GET', path);
  } finally {
    await t.context.gate.open();
  }
  t.is(unreachable.status, 503);
  t.is(unreachable.headers.get('content-type'), problemContentType);
  t.is(unreachable.headers.get('retry-after'), '5');
  t.is(unreachable.headers.get('cache-control'), null);
  t.like(unreachable.body, { status: 503, title: 'Service Unavailable', instance: '/api/dashboard/metrics' });

  const other = await t.context.served.requestAs('staff', 'GET', '/api/dashboard/metrics?minutes=8');
  t.is(other.status, 200);
});

test('when the caller has no token, a bad one or one outside inventory staff, then 401 or 403 as problems', async (t) => {
  const path = '/api/dashboard/metrics';
  const anonymous = await t.context.served.request('GET', path);
  t.is(anonymous.status, 401);
  t.is(anonymous.headers.get('www-authenticate'), 'Bearer');
  t.is(anonymous.headers.get('content-type'), problemContentType);

  const garbled = await t.context.served.requestAs({ token: 'not-a-token' }, 'GET', path);
  t.is(garbled.status, 401);

  const idToken = await t.context.served.requestAs('adminIdToken', 'GET', path);
  t.is(idToken.status, 401);

  const shopper = await t.context.served.requestAs('shopper', 'GET', path);
  t.is(shopper.status, 403);
  t.is(shopper.headers.get('content-type'), problemContentType);
  t.is(shopper.headers.get('cache-control'), null);
});

test('when the window is not a whole number of minutes from 5 to 1440, then 422 naming the field', async (t) => {
  for (const query of ['minutes=4', 'minutes=1441', 'minutes=0', 'minutes=-60', 'minutes=abc', 'minutes=7.5']) {
    const answer = await t.context.served.requestAs('staff', 'GET', `/api/dashboard/metrics?${query}`);
    t.is(answer.status, 422, query);
    t.is(answer.headers.get('content-type'), problemContentType, query);
    t.deepEqual(
      answer.body.errors.map((error: { field: string }) => error.field),
      ['minutes'],
      query,
    );
  }
  const repeated = await t.context.served.requestAs('staff', 'GET', '/api/dashboard/metrics?minutes=5&minutes=60');
  t.is(repeated.status, 422);
  const unknown = await t.context.served.requestAs('staff', 'GET', '/api/dashboard/metrics?hours=1');
  t.is(unknown.status, 422);
  t.deepEqual(
    unknown.body.errors.map((error: { field: string }) => error.field),
    ['hours'],
  );
  for (const edge of [5, 1440]) {
    const answer = await t.context.served.requestAs('staff', 'GET', `/api/dashboard/metrics?minutes=${edge}`);
    t.is(answer.status, 200, String(edge));
  }
});
