import { behaviourEventTypes, stockEventTypes } from '@shop/platform';
import test from 'ava';
import { countEvent, metricNames } from '../src/aggregation/event-metrics.js';
import { MetricWindows } from '../src/aggregation/metric-windows.js';
import { maxEventBytes, readRecord } from '../src/aggregation/record-reader.js';

const sale = (id: string, time: string, quantity: number, category = 'tea', unitPriceMinor = 1250) => ({
  specversion: '1.0' as const,
  id,
  source: '/shop/inventory',
  type: stockEventTypes.adjusted,
  subject: 'P1',
  time,
  datacontenttype: 'application/json' as const,
  partitionkey: 'P1',
  data: { productId: 'P1', quantity, reason: 'sale', unitPriceMinor, currency: 'USD', category },
});

const productView = (id: string, time: string, data: Record<string, unknown>) => ({
  specversion: '1.0' as const,
  id,
  source: '/shop/web',
  type: behaviourEventTypes.productViewed,
  subject: 'P1',
  time,
  datacontenttype: 'application/json' as const,
  partitionkey: 'P1',
  data: { productId: 'P1', ...data },
});

const statistic = (windows: MetricWindows, name: string, dimensions: Record<string, string> = {}) =>
  windows
    .datums()
    .filter(
      (datum) =>
        datum.MetricName === name &&
        JSON.stringify(datum.Dimensions ?? []) ===
          JSON.stringify(Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value }))),
    )
    .map((datum) => ({ at: datum.Timestamp?.toISOString(), sum: datum.StatisticValues?.Sum }));

test('when sales fall in one window, then units and revenue add up in total, by category and by currency', (t) => {
  const windows = new MetricWindows(60_000);
  countEvent(windows, sale('E1', '2026-11-25T10:00:05.000Z', -2), Date.parse('2026-11-25T10:00:06Z'));
  countEvent(windows, sale('E2', '2026-11-25T10:00:59.999Z', -11), Date.parse('2026-11-25T10:01:00Z'));
  countEvent(windows, sale('E3', '2026-11-25T10:00:30.000Z', -1, 'cups', 333), Date.parse('2026-11-25T10:00:31Z'));
  const at = '2026-11-25T10:00:00.000Z';
  t.deepEqual(statistic(windows, metricNames.unitsSold), [{ at, sum: 14 }]);
  t.deepEqual(statistic(windows, metricNames.unitsSold, { Category: 'tea' }), [{ at, sum: 13 }]);
  t.deepEqual(statistic(windows, metricNames.revenue, { Currency: 'USD' }), [{ at, sum: 165.83 }]);
  t.deepEqual(statistic(windows, metricNames.revenue, { Category: 'tea', Currency: 'USD' }), [{ at, sum: 162.5 }]);
  t.deepEqual(statistic(windows, metricNames.stockAdjustments, { Reason: 'sale' }), [{ at, sum: 3 }]);
  t.deepEqual(statistic(windows, metricNames.eventsProcessed), [{ at, sum: 3 }]);
});

test('when products are viewed, then ProductViews counts them in total and by category, uncategorized when the event names none', (t) => {
  const windows = new MetricWindows(60_000);
  const processedAt = Date.parse('2026-11-25T10:01:00Z');
  countEvent(windows, productView('V1', '2026-11-25T10:00:01.000Z', { category: 'tea' }), processedAt);
  countEvent(windows, productView('V2', '2026-11-25T10:00:02.000Z', { category: 'tea' }), processedAt);
  countEvent(windows, productView('V3', '2026-11-25T10:00:03.000Z', { category: 'cups' }), processedAt);
  countEvent(windows, productView('V4', '2026-11-25T10:00:04.000Z', {}), processedAt);
  countEvent(windows, productView('V5', '2026-11-25T10:00:05.000Z', { category: 42 }), processedAt);
  countEvent(windows, productView('V6', '2026-11-25T10:01:00.000Z', { category: 'tea' }), processedAt);
  const first = '2026-11-25T10:00:00.000Z';
  const second = '2026-11-25T10:01:00.000Z';
  t.deepEqual(statistic(windows, metricNames.productViews), [
    { at: first, sum: 5 },
    { at: second, sum: 1 },
  ]);
  t.deepEqual(statistic(windows, metricNames.productViews, { Category: 'tea' }), [
    { at: first, sum: 2 },
    { at: second, sum: 1 },
  ]);
  t.deepEqual(statistic(windows, metricNames.productViews, { Category: 'cups' }), [{ at: first, sum: 1 }]);
  t.deepEqual(statistic(windows, metricNames.productViews, { Category: 'uncategorized' }), [{ at: first, sum: 2 }]);
  const views = windows.datums().filter((datum) => datum.MetricName === metricNames.productViews);
  t.true(views.every((datum) => datum.Unit === 'Count'));
  t.deepEqual(statistic(windows, metricNames.eventsProcessed, { EventType: behaviourEventTypes.productViewed }), [
    { at: first, sum: 5 },
    { at: second, sum: 1 },
  ]);
  t.deepEqual(statistic(windows, metricNames.unitsSold), [], 'a view is no sale');
});

test('when sales and stock changes are counted, then no ProductViews appear', (t) => {
  const windows = new MetricWindows(60_000);
  countEvent(windows, sale('E1', '2026-11-25T10:00:05.000Z', -2), Date.parse('2026-11-25T10:00:06Z'));
  t.deepEqual(
    windows.datums().filter((datum) => datum.MetricName === metricNames.productViews),
    [],
  );
});

test('when events straddle a window boundary or arrive late, then each counts in the window of its event time', (t) => {
  const windows = new MetricWindows(60_000);
  const processedAt = Date.parse('2026-11-25T10:05:00Z');
  countEvent(windows, sale('E1', '2026-11-25T10:00:59.999Z', -1), processedAt);
  countEvent(windows, sale('E2', '2026-11-25T10:01:00.000Z', -2), processedAt);
  t.deepEqual(statistic(windows, metricNames.unitsSold), [
    { at: '2026-11-25T10:00:00.000Z', sum: 1 },
    { at: '2026-11-25T10:01:00.000Z', sum: 2 },
  ]);
  const lag = windows.datums().filter((datum) => datum.MetricName === metricNames.eventLagMs);
  t.deepEqual(
    lag.map((datum) => [datum.Values, datum.Counts]),
    [
      [[240_000], [1]],
      [[240_000], [1]],
    ],
  );
});

test('when many distinct lags are sampled, then values are bucketed and no datum holds more than 150 of them', (t) => {
  const windows = new MetricWindows(60_000);
  for (let lag = 0; lag < 100_000; lag += 7) windows.sample(metricNames.eventLagMs, 0, lag, 'Milliseconds');
  const datums = windows.datums();
  t.true(datums.every((datum) => (datum.Values?.length ?? 0) <= 150));
  t.is(
    datums.reduce((sum, datum) => sum + (datum.Counts ?? []).reduce((a, b) => a + b, 0), 0),
    Math.ceil(100_000 / 7),
  );
});

test('when a record is not JSON, not a CloudEvent, of an unknown type or oversized, then it is poison with a reason', (t) => {
  const poison = (data: string) =>
    readRecord(Buffer.from(data)).map((outcome) => ('poison' in outcome ? outcome.poison : 'ok'));
  t.deepEqual(poison('{nope'), ['record is not JSON']);
  t.deepEqual(poison('42'), ['not a CloudEvent: not a JSON object']);
  t.deepEqual(poison('[]'), ['record is an empty batch']);
  t.regex(
    poison(JSON.stringify({ ...sale('E1', '2026-11-25T10:00:00Z', -1), type: 'shop.unknown.v1' }))[0] ?? '',
    /unknown type/,
  );
  t.regex(poison(JSON.stringify({ ...sale('E1', 'yesterday', -1) }))[0] ?? '', /no valid time/);
  t.regex(
    poison(JSON.stringify({ ...sale('E1', '2026-11-25T10:00:00Z', -1), note: 'x'.repeat(maxEventBytes) }))[0] ?? '',
    /over/,
  );
  t.deepEqual(poison(JSON.stringify([sale('E1', '2026-11-25T10:00:00Z', -1), { specversion: '1.0' }])), [
    'ok',
    'not a CloudEvent: specversion, id or type missing',
  ]);
});
