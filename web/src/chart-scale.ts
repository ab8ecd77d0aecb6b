import type { ChartSeries } from '@shop/api-client';

export interface ChartBox {
  width: number;
  height: number;
  /** Room left of and below the plot for the axis labels. */
  left: number;
  bottom: number;
  top: number;
  right: number;
}

export interface ChartLayout {
  lines: Array<{ label: string; points: Array<[number, number]>; last: number }>;
  yMax: number;
  yTicks: Array<{ value: number; y: number }>;
  xLabels: Array<{ at: number; x: number }>;
}

/** 1, 2 or 5 times a power of ten: the smallest such step that gives at most `count` ticks. */
export function niceStep(max: number, count: number): number {
  if (max <= 0) return 1;
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough);
  return step ?? 10 * power;
}

/**
 * Where each point of each series goes in a box: time runs left to right over [from, to], values
 * bottom to top from zero to a rounded maximum, so charts of counts never start above zero.
 */
export function layoutChart(series: ChartSeries[], from: number, to: number, box: ChartBox): ChartLayout {
  const values = series.flatMap((line) => line.points.map((point) => point.v));
  const step = niceStep(Math.max(0, ...values), 4);
  const yMax = Math.max(step, Math.ceil(Math.max(0, ...values) / step) * step);
  const plotWidth = box.width - box.left - box.right;
  const plotHeight = box.height - box.top - box.bottom;
  const span = Math.max(1, to - from);
  const x = (time: number) => box.left + ((time - from) / span) * plotWidth;
  const y = (value: number) => box.top + plotHeight - (value / yMax) * plotHeight;
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    lines: series.map((line) => ({
      label: line.label,
      points: line.points
        .map((point) => [Date.parse(point.t), point.v] as const)
        .filter(([time]) => time >= from && time <= to)
        .sort((a, b) => a[0] - b[0])
        .map(([time, value]): [number, number] => [round(x(time)), round(y(value))]),
      last: line.points.at(-1)?.v ?? 0,
    })),
    yMax,
    yTicks: Array.from({ length: Math.round(yMax / step) + 1 }, (_, index) => ({
      value: index * step,
      y: round(y(index * step)),
    })),
    xLabels: [from, from + span / 2, to].map((at) => ({ at, x: round(x(at)) })),
  };
}
