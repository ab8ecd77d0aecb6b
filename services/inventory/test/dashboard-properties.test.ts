import assert from 'node:assert/strict';
import { CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createRequestChecker } from '@shop/contracts';
import type { StandIns } from '@shop/local-stack';
import { awsClientConfig } from '@shop/platform';
import {
  assertStatus,
  checkProperty,
  forgedCredentials,
  limitValue,
  queryString,
  StatusTally,
  sendChecked,
  serveOnStandIns,
  serverQuery,
  unknownQueryPair,
} from '@shop/testing';
import anyTest, { type TestFn } from 'ava';
import fc from 'fast-check';
import { createApp } from '../src/app.js';
import { chartNames } from '../src/dashboard/dashboard-charts.js';

// Property-based test of GET /api/dashboard/metrics, the staff dashboard's read of the analytics
// metrics in CloudWatch (moto): generated queries and credentials. Whatever comes in, the answer
// is never a 5xx, an error is problem+json that leaks nothing internal, only inventory staff get
// the charts (401 without a valid access token, 403 for a shopper), a valid `minutes` gives a
// well-formed window of that length holding the metrics put in, anything else is a 422, and a
// read stores and publishes nothing.

type Served = Awaited<ReturnType<typeof serveOnStandIns>>;

interface Context {
  served: Served;
  dashboardClient: CloudWatchClient;
  /** The start of the minute the test's metrics are put at. */
  at: number;
}

const test = anyTest as TestFn<Context>;

const namespace = 'ShopDashboardProperties';
const minute = 60_000;

test.before(async (t) => {
  // serveOnStandIns starts moto and only then builds the app, so the dashboard's client asks for
  // moto's region and endpoint at each call.
  let standIns: StandIns | undefined;
  const dashboardClient = new CloudWatchClient({
    ...awsClientConfig({ region: 'unset', endpoint: 'http://127.0.0.1' }),
    region: async () => standIns?.region ?? 'unset',
    endpoint: async () => ({ url: new URL(standIns?.motoEndpoint ?? 'http://127.0.0.1') }),
  });
  const served = await serveOnStandIns('inventory', (deps) =>
    createApp({ ...deps, dashboard: { cloudWatch: dashboardClient, namespace } }),
  );
  standIns = served.standIns;
  // Two minutes ago: inside even the shortest window.
  const at = Math.floor(Date.now() / minute) * minute - 2 * minute;
  const writer = new CloudWatchClient(
    awsClientConfig({ region: served.standIns.region, endpoint: served.standIns.motoEndpoint ?? '' }),
  );
  const counter = (name: string, value: number, dimensions: Record<string, string>): MetricDatum => ({
    MetricName: name,
    Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
    Timestamp: new Date(at),
    Unit: 'Count',
    Value: value,
  });
  try {
    await writer.send(
      new PutMetricDataCommand({
        Namespace: namespace,
        MetricData: [
          counter('UnitsSold', 4, { Category: 'garden' }),
          counter('ProductViews', 9, { Category: 'garden' }),
          counter('ProductViews', 3, { Category: 'toys' }),
        ],
      }),
    );
  } finally {
    writer.destroy();
  }
  t.context = { served, dashboardClient, at };
});
test.after.always(async (t) => {
  t.context.dashboardClient?.destroy();
  await t.context.served?.stop();
});

const isIsoDate = (value: unknown) =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;

/** A dashboard answer for `minutes`: the window, every chart, and the metrics the test put in. */
function assertValidDashboard(body: Record<string, unknown>, minutes: number, at: number, request: string): void {
  const label = `${request}: ${JSON.stringify(body).slice(0, 2000)}`;
  assert.deepEqual(Object.keys(body).sort(), ['charts', 'from', 'periodSeconds', 'to', 'topViewedCategories'], label);
  assert.ok(isIsoDate(body.from) && isIsoDate(body.to), label);
  const from = Date.parse(body.from as string);
  const to = Date.parse(body.to as string);
  assert.equal(to % minute, 0, label);
  assert.equal(to - from, minutes * minute, label);
  assert.ok(to > Date.now() - 2 * minute && to <= Date.now() + 2 * minute, `the window ends now: ${label}`);
  assert.equal(body.periodSeconds, 60, label);
  const charts = body.charts as Record<string, Array<{ label: unknown; points: Array<{ t: unknown; v: unknown }> }>>;
  assert.deepEqual(Object.keys(charts).sort(), [...chartNames].sort(), label);
  for (const series of Object.values(charts).flat()) {
    assert.equal(typeof series.label, 'string', label);
    assert.ok(series.points.length > 0, label);
    for (const point of series.points) {
      assert.ok(isIsoDate(point.t), label);
      const t = Date.parse(point.t as string);
      assert.ok(t >= from && t < to && t % minute === 0, `a point outside the window: ${label}`);
      assert.ok(typeof point.v === 'number' && Number.isFinite(point.v), label);
    }
  }
  // The shortest windows leave the test's minute behind once the run has taken a few minutes.
  const covered = at >= from;
  const point = { t: new Date(at).toISOString(), v: 4 };
  assert.deepEqual(charts.unitsSold, covered ? [{ label: 'garden', points: [point] }] : [], label);
  assert.deepEqual(
    body.topViewedCategories,
    covered
      ? [
          { category: 'garden', views: 9 },
          { category: 'toys', views: 3 },
        ]
      : [],
    label,
  );
}

/** Values for `minutes`: any in range (5-1440), the edges and just past them, and spellings a coercion may or may not take. */
/** Whether a query is valid is the contract's word. */
const contract = createRequestChecker();

const minutesValue = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 5, max: 1440 }).map(String) },
  { weight: 2, arbitrary: fc.constantFrom('5', '60', '1440', '4', '1441', '0', '-60', '60.0', '60.5', '1e2', '+60') },
  { weight: 2, arbitrary: limitValue },
  { weight: 1, arbitrary: fc.integer({ min: -100_000, max: 100_000 }).map(String) },
);

const dashboardQuery = queryString(
  fc.oneof(
    { weight: 6, arbitrary: fc.tuple(fc.constant('minutes'), minutesValue) },
    { weight: 1, arbitrary: unknownQueryPair(['minute', 'Minutes', 'limit', 'from', 'period']) },
  ),
);

test('when GET /api/dashboard/metrics gets any query and credentials, then only staff get a valid window, else 401, 403 or 422', async (t) => {
  const { served, at } = t.context;
  const forged = forgedCredentials({
    accessToken: served.tokens.staff,
    idToken: served.tokens.adminIdToken,
    pool: served.pool,
  });
  type Caller = { user: 'staff' | 'admin' | 'shopper' | 'anonymous' } | { forged: string };
  const caller: fc.Arbitrary<Caller> = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('staff', 'admin').map((user) => ({ user })) },
    { weight: 1, arbitrary: fc.constantFrom('shopper', 'anonymous').map((user) => ({ user })) },
    { weight: 1, arbitrary: fc.constantFrom(...Object.keys(forged)).map((kind) => ({ forged: kind })) },
  );
  const tally = new StatusTally();
  await checkProperty(
    t,
    tally,
    fc.asyncProperty(dashboardQuery, caller, async (search, who) => {
      const path = `/api/dashboard/metrics?${search}`;
      const authorization = 'forged' in who ? forged[who.forged] : undefined;
      const answer = await sendChecked(
        served,
        'user' in who ? who.user : 'anonymous',
        'GET',
        path,
        undefined,
        authorization === undefined ? {} : { authorization },
      );
      tally.add(answer);
      const request = `GET ${path} as ${JSON.stringify(who)}`;
      if ('forged' in who || who.user === 'anonymous') return assertStatus(answer, [401], request);
      if (who.user === 'shopper') return assertStatus(answer, [403], request);
      const query = serverQuery(search);
      const checked = contract.query('getDashboardMetrics', query);
      if (!checked.valid) return assertStatus(answer, [422], request);
      const { minutes } = checked.value as { minutes: number };
      assertStatus(answer, [200], request);
      assert.equal(answer.headers.get('cache-control'), 'private, max-age=5', request);
      assertValidDashboard(answer.body, minutes, at, request);
    }),
  );
});

// A hook, not a test: it must see what the property left.
test.after('when the property has run, then nothing was stored or published', async (t) => {
  const { served } = t.context;
  const { Items = [] } = await served.documentClient.send(
    new ScanCommand({ TableName: served.standIns.tableName, ConsistentRead: true }),
  );
  t.deepEqual(Items, []);
  t.deepEqual(await served.events(), []);
});
