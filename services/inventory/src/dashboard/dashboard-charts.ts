import type { Dimension, Metric, MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { analyticsMetricNames, isCurrencyCode, minorUnitDigits } from '@shop/platform';

/** The resolution of every chart: the analytics fleet's default window. */
export const periodSeconds = 60;

/** Most categories listed in `topViewedCategories`. */
export const topCategoriesLimit = 10;

export interface ChartPoint {
  /** Start of the period, ISO 8601. */
  t: string;
  v: number;
}

export interface ChartSeries {
  label: string;
  points: ChartPoint[];
}

export const chartNames = [
  'unitsSold',
  'revenue',
  'eventsProcessed',
  'lowStockAlerts',
  'eventLagMs',
  'productViews',
] as const;

export type ChartName = (typeof chartNames)[number];

/** The body of `GET /api/dashboard/metrics`, the contract the staff dashboard page is written against. */
export interface DashboardMetrics {
  from: string;
  to: string;
  periodSeconds: number;
  charts: Record<ChartName, ChartSeries[]>;
  topViewedCategories: Array<{ category: string; views: number }>;
}

export type Statistic = 'Sum' | 'Average' | 'Maximum';

/**
 * One series of one chart and the CloudWatch metric statistic it is read from. Queries of one chart
 * with the same label are parts of one series: their values are added up per period.
 */
export interface SeriesQuery {
  /** The GetMetricData query id (`^[a-z][a-zA-Z0-9_]*$`, unique per call). */
  id: string;
  chart: ChartName;
  label: string;
  metricName: string;
  dimensions: Dimension[];
  stat: Statistic;
  category?: string;
  /** Revenue only: its values are rounded to this currency's minor unit. */
  currency?: string;
}

/** The metrics whose dimension values (categories, currencies, event types) ListMetrics has to discover. */
export const discoveredMetricNames = [
  analyticsMetricNames.unitsSold,
  analyticsMetricNames.revenue,
  analyticsMetricNames.eventsProcessed,
  analyticsMetricNames.lowStockAlerts,
  analyticsMetricNames.productViews,
] as const;

/** The dimension values of `metric` when its dimensions are exactly `names`, else undefined. */
function dimensionValues(metric: Metric, names: readonly string[]): Record<string, string> | undefined {
  const dimensions = metric.Dimensions ?? [];
  if (dimensions.length !== names.length) return undefined;
  const values: Record<string, string> = {};
  for (const dimension of dimensions) {
    if (!dimension.Name || dimension.Value === undefined || !names.includes(dimension.Name)) return undefined;
    values[dimension.Name] = dimension.Value;
  }
  return Object.keys(values).length === names.length ? values : undefined;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every series the dashboard shows, given the metrics ListMetrics returned: one per category for
 * units sold and product views, one per category and currency for revenue (the fleet's totals and
 * other dimension sets are left out), events processed and low-stock alerts each as one total
 * made of a part per event type or category, and the event lag, which needs no discovery. Series
 * come in display order: categories alphabetically, lag average before maximum.
 */
export function planSeries(discovered: readonly Metric[]): SeriesQuery[] {
  const valuesOf = (metricName: string, dimensionName: string) =>
    [
      ...new Set(
        discovered
          .filter((metric) => metric.MetricName === metricName)
          .map((metric) => dimensionValues(metric, [dimensionName])?.[dimensionName])
          .filter((value): value is string => value !== undefined),
      ),
    ].sort(byText);
  const categoriesOf = (metricName: string) => valuesOf(metricName, 'Category');
  // The fleet also puts each total as a datum without dimensions, but moto's GetMetricData adds the
  // per-dimension datums into a query without dimensions (CloudWatch does not), so that datum would
  // read double locally. The sum of the parts is the same total in both.
  const totalOf = (
    chart: 'eventsProcessed' | 'lowStockAlerts',
    label: string,
    metricName: string,
    dimensionName: string,
  ) =>
    valuesOf(metricName, dimensionName).map((value) => ({
      chart,
      label,
      metricName,
      dimensions: [{ Name: dimensionName, Value: value }],
      stat: 'Sum' as const,
    }));
  const revenueKeys = new Map<string, { category: string; currency: string }>();
  for (const metric of discovered) {
    if (metric.MetricName !== analyticsMetricNames.revenue) continue;
    const values = dimensionValues(metric, ['Category', 'Currency']);
    if (values?.Category === undefined || values.Currency === undefined) continue;
    revenueKeys.set(JSON.stringify([values.Category, values.Currency]), {
      category: values.Category,
      currency: values.Currency,
    });
  }
  const revenue = [...revenueKeys.values()].sort(
    (a, b) => byText(a.category, b.category) || byText(a.currency, b.currency),
  );

  const plan: Array<Omit<SeriesQuery, 'id'>> = [
    ...categoriesOf(analyticsMetricNames.unitsSold).map((category) => ({
      chart: 'unitsSold' as const,
      label: category,
      metricName: analyticsMetricNames.unitsSold,
      dimensions: [{ Name: 'Category', Value: category }],
      stat: 'Sum' as const,
      category,
    })),
    ...revenue.map(({ category, currency }) => ({
      chart: 'revenue' as const,
      label: `${category} (${currency})`,
      metricName: analyticsMetricNames.revenue,
      dimensions: [
        { Name: 'Category', Value: category },
        { Name: 'Currency', Value: currency },
      ],
      stat: 'Sum' as const,
      category,
      currency,
    })),
    ...totalOf('eventsProcessed', 'all events', analyticsMetricNames.eventsProcessed, 'EventType'),
    ...totalOf('lowStockAlerts', 'all categories', analyticsMetricNames.lowStockAlerts, 'Category'),
    {
      chart: 'eventLagMs',
      label: 'average',
      metricName: analyticsMetricNames.eventLagMs,
      dimensions: [],
      stat: 'Average',
    },
    {
      chart: 'eventLagMs',
      label: 'maximum',
      metricName: analyticsMetricNames.eventLagMs,
      dimensions: [],
      stat: 'Maximum',
    },
    ...categoriesOf(analyticsMetricNames.productViews).map((category) => ({
      chart: 'productViews' as const,
      label: category,
      metricName: analyticsMetricNames.productViews,
      dimensions: [{ Name: 'Category', Value: category }],
      stat: 'Sum' as const,
      category,
    })),
  ];
  return plan.map((series, index) => ({ ...series, id: `s${index}` }));
}

/** The GetMetricData queries of a plan, one per series, in `namespace` at `periodSeconds`. */
export function metricDataQueries(plan: readonly SeriesQuery[], namespace: string): MetricDataQuery[] {
  return plan.map((series) => ({
    Id: series.id,
    MetricStat: {
      Metric: {
        Namespace: namespace,
        MetricName: series.metricName,
        // The lag is the metric with no dimensions at all, which is not the same as any dimension set.
        ...(series.dimensions.length > 0 ? { Dimensions: series.dimensions } : {}),
      },
      Period: periodSeconds,
      Stat: series.stat,
    },
    ReturnData: true,
  }));
}

function rounder(series: SeriesQuery): (value: number) => number {
  // Revenue is money: sums of decimal amounts come back with binary noise (0.30000000000000004).
  const digits = series.currency && isCurrencyCode(series.currency) ? minorUnitDigits(series.currency) : 3;
  const scale = 10 ** digits;
  return (value) => Math.round(value * scale) / scale;
}

/** The points of a result (possibly spread over several pages), oldest first, periods without data left out. */
function pointsOf(results: readonly MetricDataResult[]): Array<{ at: number; value: number }> {
  const points: Array<{ at: number; value: number }> = [];
  for (const result of results) {
    const timestamps = result.Timestamps ?? [];
    const values = result.Values ?? [];
    for (let index = 0; index < Math.min(timestamps.length, values.length); index += 1) {
      const at = new Date(timestamps[index] ?? Number.NaN).getTime();
      const value = values[index];
      if (Number.isFinite(at) && typeof value === 'number' && Number.isFinite(value)) points.push({ at, value });
    }
  }
  return points.sort((a, b) => a.at - b.at);
}

/** Points of the same period (from the parts of one series) added up into one, order kept. */
function addedUp(points: ReadonlyArray<{ at: number; value: number }>): Array<{ at: number; value: number }> {
  const sums = new Map<number, number>();
  for (const { at, value } of points) sums.set(at, (sums.get(at) ?? 0) + value);
  return [...sums].map(([at, value]) => ({ at, value }));
}

/**
 * Turns GetMetricData results into the dashboard's contract: each series its points in time order
 * (only periods with data), series without points left out, and the categories viewed most over
 * the window. Results are matched to the plan by query id; a series may span several result pages,
 * and the parts of a series (queries of one chart with one label) are added up per period.
 */
export function shapeDashboard(
  plan: readonly SeriesQuery[],
  results: readonly MetricDataResult[],
  window: { from: Date; to: Date },
): DashboardMetrics {
  const resultsById = new Map<string, MetricDataResult[]>();
  for (const result of results) {
    if (!result.Id) continue;
    resultsById.set(result.Id, [...(resultsById.get(result.Id) ?? []), result]);
  }
  const charts = Object.fromEntries(chartNames.map((name) => [name, [] as ChartSeries[]])) as Record<
    ChartName,
    ChartSeries[]
  >;
  const partsBySeries = new Map<string, SeriesQuery[]>();
  for (const part of plan) {
    const key = JSON.stringify([part.chart, part.label]);
    partsBySeries.set(key, [...(partsBySeries.get(key) ?? []), part]);
  }
  const views: Array<{ category: string; views: number }> = [];
  for (const parts of partsBySeries.values()) {
    const [series] = parts;
    if (!series) continue;
    const points = addedUp(pointsOf(parts.flatMap((part) => resultsById.get(part.id) ?? [])));
    if (points.length === 0) continue;
    const round = rounder(series);
    charts[series.chart].push({
      label: series.label,
      points: points.map(({ at, value }) => ({ t: new Date(at).toISOString(), v: round(value) })),
    });
    if (series.chart === 'productViews' && series.category !== undefined) {
      const total = round(points.reduce((sum, point) => sum + point.value, 0));
      if (total > 0) views.push({ category: series.category, views: total });
    }
  }
  return {
    from: window.from.toISOString(),
    to: window.to.toISOString(),
    periodSeconds,
    charts,
    topViewedCategories: views
      .sort((a, b) => b.views - a.views || byText(a.category, b.category))
      .slice(0, topCategoriesLimit),
  };
}
