import type { ChartSeries } from '@shop/api-client';
import { type ChartBox, layoutChart } from './chart-scale.js';
import { h, svg } from './dom.js';

const box: ChartBox = { width: 480, height: 200, left: 44, right: 12, top: 12, bottom: 24 };

function timeLabel(at: number): string {
  return new Date(at).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

function valueLabel(value: number): string {
  return Number.isInteger(value)
    ? value.toLocaleString()
    : value.toLocaleString(undefined, { maximumFractionDigits: 2 });
}

/**
 * A line chart of series over a time range as SVG, with a legend naming each line and its latest
 * value, or an empty state when there is nothing to draw yet. Colours come from the stylesheet.
 */
export function lineChart(title: string, series: ChartSeries[], from: number, to: number): HTMLElement {
  const drawn = series.filter((line) => line.points.length > 0);
  const figure = h('figure', { class: 'chart' }, h('figcaption', {}, title));
  if (drawn.length === 0) {
    figure.append(h('p', { class: 'empty-state' }, 'No data yet'));
    return figure;
  }
  const layout = layoutChart(drawn, from, to, box);
  const plot = svg(
    'svg',
    {
      viewBox: `0 0 ${box.width} ${box.height}`,
      role: 'img',
      'aria-label': `${title}: ${layout.lines.map((line) => `${line.label} ${valueLabel(line.last)}`).join(', ')}`,
    },
    ...layout.yTicks.flatMap((tick) => [
      svg('line', { class: 'grid', x1: box.left, x2: box.width - box.right, y1: tick.y, y2: tick.y }),
      svg('text', { class: 'axis', x: box.left - 6, y: tick.y + 4, 'text-anchor': 'end' }, valueLabel(tick.value)),
    ]),
    ...layout.xLabels.map((label, index) =>
      svg(
        'text',
        {
          class: 'axis',
          x: label.x,
          y: box.height - 6,
          'text-anchor': index === 0 ? 'start' : index === layout.xLabels.length - 1 ? 'end' : 'middle',
        },
        timeLabel(label.at),
      ),
    ),
    ...layout.lines.map((line, index) =>
      line.points.length === 1
        ? svg('circle', {
            class: `series series-${index % 6}`,
            cx: line.points[0]?.[0] ?? 0,
            cy: line.points[0]?.[1] ?? 0,
            r: 3,
          })
        : svg('polyline', {
            class: `series series-${index % 6}`,
            points: line.points.map(([x, y]) => `${x},${y}`).join(' '),
          }),
    ),
  );
  const legend = h(
    'ul',
    { class: 'legend' },
    ...layout.lines.map((line, index) =>
      h(
        'li',
        {},
        h('span', { class: `swatch series-${index % 6}`, 'aria-hidden': 'true' }),
        line.label,
        ' ',
        h('strong', {}, valueLabel(line.last)),
      ),
    ),
  );
  figure.append(plot, legend);
  return figure;
}
