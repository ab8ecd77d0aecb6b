import { behaviourEventTypes } from '@shop/platform';
import test from 'ava';
import { countEvent, metricNames } from '../src/aggregation/event-metrics.js';
import { MetricWindows } from '../src/aggregation/metric-windows.js';
import { maxEventBytes, readRecord } from '../src/aggregation/record-reader.js';
import { restockEvent, saleEvent, viewEvent } from './event-fixtures.js';

const sale = (id: string, time: string, quantity: number, category = 'tea', unitPriceMinor = 1250) =>
  saleEvent({ id, time, quantity, category, unitPriceMinor });

const productView = (id: string, time: string, category: string) => viewEvent({ id, time, category });

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

test('when products are viewed, then ProductViews counts them in total and by category', (t) => {
  const windows = new MetricWindows(60_000);
  const processedAt = Date.parse('2026-11-25T10:01:00Z');
  countEvent(windows, productView('V1', '2026-11-25T10:00:01.000Z', 'tea'), processedAt);
  countEvent(windows, productView('V2', '2026-11-25T10:00:02.000Z', 'tea'), processedAt);
  countEvent(windows, productView('V3', '2026-11-25T10:00:03.000Z', 'cups'), processedAt);
  countEvent(windows, productView('V4', '2026-11-25T10:00:04.000Z', 'uncategorized'), processedAt);
  countEvent(windows, productView('V5', '2026-11-25T10:00:05.000Z', 'uncategorized'), processedAt);
  countEvent(windows, productView('V6', '2026-11-25T10:01:00.000Z', 'tea'), processedAt);
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
    readRecord(Buffer.from(data)).map((outcome) => ('poison' in outcome ? [outcome.reason, outcome.poison] : 'ok'));
  t.deepEqual(poison('{nope'), [['not-json', 'record is not JSON']]);
  t.deepEqual(poison('42'), [['envelope', 'not a CloudEvent: / must be a JSON object']]);
  t.deepEqual(poison('[]'), [['empty-batch', 'record is an empty batch']]);
  const [unknown] = poison(JSON.stringify({ ...sale('E1', '2026-11-25T10:00:00Z', -1), type: 'shop.unknown.v1' }));
  t.is(unknown?.[0], 'unknown-type');
  t.regex(unknown?.[1] ?? '', /shop\.unknown\.v1 has no schema/);
  const [late] = poison(JSON.stringify({ ...sale('E1', '2026-11-25T10:00:00Z', -1), time: 'yesterday' }));
  t.is(late?.[0], 'envelope');
  t.regex(late?.[1] ?? '', /\/time must match format "date-time"/);
  t.deepEqual(poison(JSON.stringify({ ...sale('E1', '2026-11-25T10:00:00Z', -1), note: 'x'.repeat(maxEventBytes) })), [
    ['too-large', `event over ${maxEventBytes} bytes`],
  ]);
  const [ok, broken] = poison(JSON.stringify([sale('E1', '2026-11-25T10:00:00Z', -1), { specversion: '1.0' }]));
  t.is(ok, 'ok');
  t.is(broken?.[0], 'envelope');
});

test('when an event fails the schema of its type, then it is poison naming the field, and its batch neighbours are read', (t) => {
  const reasons = (value: unknown) =>
    readRecord(Buffer.from(JSON.stringify(value))).map((outcome) =>
      'poison' in outcome ? `${outcome.reason}: ${outcome.poison}` : 'ok',
    );
  const view = productView('V1', '2026-11-25T10:00:00.000Z', 'tea');
  const { category: _category, ...uncategorized } = view.data;
  const [withoutCategory] = reasons({ ...view, data: uncategorized });
  t.regex(withoutCategory ?? '', /^schema: .*\/data must have required property 'category'/);
  const [numericCategory] = reasons({ ...view, data: { ...view.data, category: 42 } });
  t.regex(numericCategory ?? '', /^schema: .*\/data\/category must be string/);
  const restock = restockEvent({ quantity: 3 });
  t.deepEqual(reasons([restock, { ...restock, data: { ...restock.data, quantity: 'three' } }, view]), [
    'ok',
    `schema: event ${restock.id} (shop.inventory.stock.adjusted.v1): /data/quantity must be integer`,
    'ok',
  ]);
  t.regex(reasons({ ...view, source: '/shop/catalog' })[0] ?? '', /^schema: .*\/source must be equal to constant/);
});
