import type { Metric, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import test from 'ava';
import {
  metricDataQueries,
  periodSeconds,
  planSeries,
  type SeriesQuery,
  shapeDashboard,
} from '../src/dashboard/dashboard-charts.js';

const metric = (name: string, dimensions: Record<string, string> = {}): Metric => ({
  Namespace: 'Shop',
  MetricName: name,
  Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
});

// What ListMetrics returns after the fleet has published: totals, per-dimension metrics, other
// dimension sets the dashboard does not chart, and (as moto does) repeats.
const discovered: Metric[] = [
  metric('UnitsSold'),
  metric('UnitsSold', { Category: 'kitchen' }),
  metric('UnitsSold', { Category: 'garden' }),
  metric('UnitsSold', { Category: 'garden' }),
  metric('UnitsSold', { Category: 'garden', Currency: 'USD' }),
  metric('Revenue', { Currency: 'USD' }),
  metric('Revenue', { Category: 'kitchen', Currency: 'USD' }),
  metric('Revenue', { Currency: 'EUR', Category: 'garden' }),
  metric('Revenue', { Category: 'garden', Currency: 'USD' }),
  metric('Revenue', { Category: 'garden' }),
  metric('EventsProcessed'),
  metric('EventsProcessed', { EventType: 'shop.inventory.stock.adjusted.v1' }),
  metric('EventsProcessed', { EventType: 'shop.web.product.viewed.v1' }),
  metric('EventsProcessed', { EventType: 'shop.inventory.stock.adjusted.v1' }),
  metric('EventsProcessed', { Category: 'garden' }),
  metric('LowStockAlerts'),
  metric('LowStockAlerts', { Category: 'kitchen' }),
  metric('LowStockAlerts', { Category: 'garden' }),
  metric('LowStockAlerts', { Category: 'garden', EventType: 'x' }),
  metric('ProductViews'),
  metric('ProductViews', { Category: 'toys' }),
  metric('ProductViews', { Category: 'books' }),
  metric('ProductViews', { EventType: 'x' }),
];

const plan = planSeries(discovered);
const window = { from: new Date('2026-03-01T10:00:00.000Z'), to: new Date('2026-03-01T11:00:00.000Z') };
const at = (minute: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + minute * 60_000);
const iso = (minute: number) => at(minute).toISOString();

function idOf(chart: SeriesQuery['chart'], label: string, dimension?: string): string {
  const series = plan.find(
    (candidate) =>
      candidate.chart === chart &&
      candidate.label === label &&
      (dimension === undefined || candidate.dimensions.some((each) => each.Value === dimension)),
  );
  if (!series) throw new Error(`no ${chart} series ${label} ${dimension ?? ''}`);
  return series.id;
}

function result(id: string, points: Array<[number, number]>): MetricDataResult {
  return { Id: id, Timestamps: points.map(([minute]) => at(minute)), Values: points.map(([, value]) => value) };
}

test('when ListMetrics found categories, currencies and event types, then one series per category (per currency for revenue) is planned, in label order, and the totals as one part per event type or category', (t) => {
  t.deepEqual(
    plan.map(({ chart, label, metricName, stat, dimensions }) => ({ chart, label, metricName, stat, dimensions })),
    [
      {
        chart: 'unitsSold',
        label: 'garden',
        metricName: 'UnitsSold',
        stat: 'Sum',
        dimensions: [{ Name: 'Category', Value: 'garden' }],
      },
      {
        chart: 'unitsSold',
        label: 'kitchen',
        metricName: 'UnitsSold',
        stat: 'Sum',
        dimensions: [{ Name: 'Category', Value: 'kitchen' }],
      },
      {
        chart: 'revenue',
        label: 'garden (EUR)',
        metricName: 'Revenue',
        stat: 'Sum',
        dimensions: [
          { Name: 'Category', Value: 'garden' },
          { Name: 'Currency', Value: 'EUR' },
        ],
      },
      {
        chart: 'revenue',
        label: 'garden (USD)',
        metricName: 'Revenue',
        stat: 'Sum',
        dimensions: [
          { Name: 'Category', Value: 'garden' },
          { Name: 'Currency', Value: 'USD' },
        ],
      },
      {
        chart: 'revenue',
        label: 'kitchen (USD)',
        metricName: 'Revenue',
        stat: 'Sum',
        dimensions: [
          { Name: 'Category', Value: 'kitchen' },
          { Name: 'Currency', Value: 'USD' },
        ],
      },
      {
        chart: 'eventsProcessed',
        label: 'all events',
        metricName: 'EventsProcessed',
        stat: 'Sum',
        dimensions: [{ Name: 'EventType', Value: 'shop.inventory.stock.adjusted.v1' }],
      },
      {
        chart: 'eventsProcessed',
        label: 'all events',
        metricName: 'EventsProcessed',
        stat: 'Sum',
        dimensions: [{ Name: 'EventType', Value: 'shop.web.product.viewed.v1' }],
      },
      {
        chart: 'lowStockAlerts',
        label: 'all categories',
        metricName: 'LowStockAlerts',
        stat: 'Sum',
        dimensions: [{ Name: 'Category', Value: 'garden' }],
      },
      {
        chart: 'lowStockAlerts',
        label: 'all categories',
        metricName: 'LowStockAlerts',
        stat: 'Sum',
        dimensions: [{ Name: 'Category', Value: 'kitchen' }],
      },
      { chart: 'eventLagMs', label: 'average', metricName: 'EventLagMs', stat: 'Average', dimensions: [] },
      { chart: 'eventLagMs', label: 'maximum', metricName: 'EventLagMs', stat: 'Maximum', dimensions: [] },
      {
        chart: 'productViews',
        label: 'books',
        metricName: 'ProductViews',
        stat: 'Sum',
        dimensions: [{ Name: 'Category', Value: 'books' }],
      },
      {
        chart: 'productViews',
        label: 'toys',
        metricName: 'ProductViews',
        stat: 'Sum',
        dimensions: [{ Name: 'Category', Value: 'toys' }],
      },
    ],
  );
});

test('when nothing has been published yet, then only the event lag, which needs no discovery, is planned', (t) => {
  t.deepEqual(
    planSeries([]).map(({ chart, label }) => `${chart}/${label}`),
    ['eventLagMs/average', 'eventLagMs/maximum'],
  );
});

test('when only the dimensionless totals were listed, then no total is planned from them', (t) => {
  t.deepEqual(
    planSeries([metric('EventsProcessed'), metric('LowStockAlerts')]).map(({ chart }) => chart),
    ['eventLagMs', 'eventLagMs'],
  );
});

test('when a plan is turned into queries, then each has a unique valid id, the namespace and a 60 s period, totals are read per dimension and the lag without dimensions', (t) => {
  const queries = metricDataQueries(plan, 'ShopTest');
  t.is(queries.length, plan.length);
  t.is(new Set(queries.map((query) => query.Id)).size, queries.length);
  for (const query of queries) {
    t.regex(query.Id ?? '', /^[a-z][a-zA-Z0-9_]*$/);
    t.is(query.MetricStat?.Metric?.Namespace, 'ShopTest');
    t.is(query.MetricStat?.Period, periodSeconds);
    t.true(query.ReturnData);
  }
  const total = queries.find(
    (query) => query.Id === idOf('eventsProcessed', 'all events', 'shop.inventory.stock.adjusted.v1'),
  );
  t.deepEqual(total?.MetricStat, {
    Metric: {
      Namespace: 'ShopTest',
      MetricName: 'EventsProcessed',
      Dimensions: [{ Name: 'EventType', Value: 'shop.inventory.stock.adjusted.v1' }],
    },
    Period: 60,
    Stat: 'Sum',
  });
  const alerts = queries.find((query) => query.Id === idOf('lowStockAlerts', 'all categories', 'kitchen'));
  t.deepEqual(alerts?.MetricStat?.Metric?.Dimensions, [{ Name: 'Category', Value: 'kitchen' }]);
  const maximum = queries.find((query) => query.Id === idOf('eventLagMs', 'maximum'));
  t.deepEqual(maximum?.MetricStat, {
    Metric: { Namespace: 'ShopTest', MetricName: 'EventLagMs' },
    Period: 60,
    Stat: 'Maximum',
  });
  const garden = queries.find((query) => query.Id === idOf('revenue', 'garden (EUR)'));
  t.deepEqual(garden?.MetricStat?.Metric?.Dimensions, [
    { Name: 'Category', Value: 'garden' },
    { Name: 'Currency', Value: 'EUR' },
  ]);
});

test('when results arrive out of order and over several pages, then each series has its points oldest first', (t) => {
  const garden = idOf('unitsSold', 'garden');
  const shaped = shapeDashboard(
    plan,
    [
      result(garden, [
        [7, 2],
        [3, 5],
      ]),
      result(idOf('unitsSold', 'kitchen'), [[1, 1]]),
      result(garden, [[5, 4]]),
    ],
    window,
  );
  t.deepEqual(shaped.charts.unitsSold, [
    {
      label: 'garden',
      points: [
        { t: iso(3), v: 5 },
        { t: iso(5), v: 4 },
        { t: iso(7), v: 2 },
      ],
    },
    { label: 'kitchen', points: [{ t: iso(1), v: 1 }] },
  ]);
});

test('when a total has parts per event type or category, then they are added up per period into one series under its label', (t) => {
  const adjusted = idOf('eventsProcessed', 'all events', 'shop.inventory.stock.adjusted.v1');
  const viewed = idOf('eventsProcessed', 'all events', 'shop.web.product.viewed.v1');
  const shaped = shapeDashboard(
    plan,
    [
      result(adjusted, [
        [4, 3],
        [1, 5],
      ]),
      result(viewed, [
        [1, 2],
        [2, 7],
      ]),
      result(adjusted, [[6, 1]]),
      result(idOf('lowStockAlerts', 'all categories', 'garden'), [[3, 1]]),
      result(idOf('lowStockAlerts', 'all categories', 'kitchen'), []),
    ],
    window,
  );
  t.deepEqual(shaped.charts.eventsProcessed, [
    {
      label: 'all events',
      points: [
        { t: iso(1), v: 7 },
        { t: iso(2), v: 7 },
        { t: iso(4), v: 3 },
        { t: iso(6), v: 1 },
      ],
    },
  ]);
  t.deepEqual(shaped.charts.lowStockAlerts, [{ label: 'all categories', points: [{ t: iso(3), v: 1 }] }]);
});

test('when a series has no data, then it is left out, and a chart without any is empty', (t) => {
  const shaped = shapeDashboard(
    plan,
    [
      result(idOf('revenue', 'garden (USD)'), []),
      { Id: idOf('revenue', 'kitchen (USD)') },
      result(idOf('eventLagMs', 'maximum'), [[2, 900]]),
      result(idOf('eventLagMs', 'average'), []),
    ],
    window,
  );
  t.deepEqual(shaped, {
    from: '2026-03-01T10:00:00.000Z',
    to: '2026-03-01T11:00:00.000Z',
    periodSeconds: 60,
    charts: {
      unitsSold: [],
      revenue: [],
      eventsProcessed: [],
      lowStockAlerts: [],
      eventLagMs: [{ label: 'maximum', points: [{ t: iso(2), v: 900 }] }],
      productViews: [],
    },
    topViewedCategories: [],
  });
});

test('when revenue sums carry binary noise, then they are rounded to the minor unit of their currency', (t) => {
  const jpy = planSeries([metric('Revenue', { Category: 'tea', Currency: 'JPY' })]).filter(
    (series) => series.chart === 'revenue',
  );
  const shaped = shapeDashboard(
    [...plan, ...jpy.map((series) => ({ ...series, id: 'yen' }))],
    [
      result(idOf('revenue', 'garden (USD)'), [[0, 0.1 + 0.2]]),
      result('yen', [[0, 1499.9999999]]),
      result(idOf('eventLagMs', 'average'), [[0, 1234.56789]]),
    ],
    window,
  );
  t.deepEqual(shaped.charts.revenue, [
    { label: 'garden (USD)', points: [{ t: iso(0), v: 0.3 }] },
    { label: 'tea (JPY)', points: [{ t: iso(0), v: 1500 }] },
  ]);
  t.deepEqual(shaped.charts.eventLagMs, [{ label: 'average', points: [{ t: iso(0), v: 1234.568 }] }]);
});

test('when values or timestamps are not numbers, then those points are dropped', (t) => {
  const shaped = shapeDashboard(
    plan,
    [
      {
        Id: idOf('eventsProcessed', 'all events', 'shop.inventory.stock.adjusted.v1'),
        Timestamps: [at(1), at(2), new Date(Number.NaN), at(4)],
        Values: [3, Number.NaN, 5, Number.POSITIVE_INFINITY],
      },
    ],
    window,
  );
  t.deepEqual(shaped.charts.eventsProcessed, [{ label: 'all events', points: [{ t: iso(1), v: 3 }] }]);
});

test('when categories were viewed, then the top list sums each over the window, most viewed first, ties by name, at most 10', (t) => {
  const categories = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l'];
  const viewsPlan = planSeries(categories.map((category) => metric('ProductViews', { Category: category })));
  const viewsOf = (category: string) => {
    const series = viewsPlan.find((candidate) => candidate.chart === 'productViews' && candidate.label === category);
    if (!series) throw new Error(`no series ${category}`);
    return series.id;
  };
  const shaped = shapeDashboard(
    viewsPlan,
    [
      result(viewsOf('a'), [
        [0, 1],
        [1, 1],
      ]),
      result(viewsOf('b'), [
        [0, 30],
        [9, 12],
      ]),
      result(viewsOf('c'), [[4, 42]]),
      result(viewsOf('d'), [[4, 7]]),
      result(viewsOf('e'), [[4, 6]]),
      result(viewsOf('f'), [[4, 5]]),
      result(viewsOf('g'), [[4, 4]]),
      result(viewsOf('h'), [[4, 3]]),
      result(viewsOf('i'), [[4, 3]]),
      result(viewsOf('j'), [[4, 2]]),
      result(viewsOf('k'), [[4, 1]]),
      result(viewsOf('l'), [[4, 0]]),
    ],
    window,
  );
  t.deepEqual(shaped.topViewedCategories, [
    { category: 'b', views: 42 },
    { category: 'c', views: 42 },
    { category: 'd', views: 7 },
    { category: 'e', views: 6 },
    { category: 'f', views: 5 },
    { category: 'g', views: 4 },
    { category: 'h', views: 3 },
    { category: 'i', views: 3 },
    { category: 'a', views: 2 },
    { category: 'j', views: 2 },
  ]);
  t.is(shaped.charts.productViews.length, 12);
});
