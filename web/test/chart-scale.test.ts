import test from 'ava';
import { type ChartBox, layoutChart, niceStep } from '../src/chart-scale.js';

const box: ChartBox = { width: 200, height: 120, left: 20, right: 0, top: 0, bottom: 20 };
const from = Date.parse('2026-11-25T10:00:00Z');
const to = Date.parse('2026-11-25T10:10:00Z');
const at = (minute: number) => new Date(from + minute * 60_000).toISOString();

test('when steps are chosen, then they are 1, 2 or 5 times a power of ten', (t) => {
  t.is(niceStep(10, 4), 5);
  t.is(niceStep(7, 4), 2);
  t.is(niceStep(0.3, 4), 0.1);
  t.is(niceStep(1800, 4), 500);
  t.is(niceStep(0, 4), 1);
});

test('when a series is laid out, then time runs left to right and zero sits on the baseline', (t) => {
  const layout = layoutChart(
    [{ label: 'garden', points: [at(10), at(0), at(5)].map((time, index) => ({ t: time, v: [8, 0, 4][index] ?? 0 })) }],
    from,
    to,
    box,
  );
  t.is(layout.yMax, 8);
  t.deepEqual(layout.lines[0]?.points, [
    [20, 100],
    [110, 50],
    [200, 0],
  ]);
  t.is(layout.lines[0]?.last, 4, 'the legend shows the latest value as sent');
  t.deepEqual(
    layout.yTicks.map((tick) => tick.value),
    [0, 2, 4, 6, 8],
  );
});

test('when points fall outside the range, then they are left out', (t) => {
  const layout = layoutChart(
    [
      {
        label: 'x',
        points: [
          { t: at(-1), v: 100 },
          { t: at(1), v: 3 },
        ],
      },
    ],
    from,
    to,
    box,
  );
  t.is(layout.lines[0]?.points.length, 1);
});

test('when every value is zero, then the scale still has height', (t) => {
  const layout = layoutChart([{ label: 'x', points: [{ t: at(1), v: 0 }] }], from, to, box);
  t.is(layout.yMax, 1);
  t.is(layout.lines[0]?.points[0]?.[1], 100);
});
