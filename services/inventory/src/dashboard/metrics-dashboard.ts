import {
  type CloudWatchClient,
  type Metric,
  type MetricDataQuery,
  type MetricDataResult,
  paginateGetMetricData,
  paginateListMetrics,
} from '@aws-sdk/client-cloudwatch';
import { isDependencyUnavailable, ServiceUnavailableError } from '@shop/platform';
import {
  type DashboardMetrics,
  discoveredMetricNames,
  metricDataQueries,
  periodSeconds,
  planSeries,
  shapeDashboard,
} from './dashboard-charts.js';
import { ExpiringCache } from './expiring-cache.js';

/** GetMetricData takes at most 500 queries per call. */
const maxQueriesPerCall = 500;

/** What a client is told to wait before asking again while CloudWatch cannot be reached. */
const retryAfterSeconds = 5;

export interface MetricsDashboardOptions {
  cloudWatch: CloudWatchClient;
  /** The namespace the analytics fleet publishes in (METRICS_NAMESPACE). */
  namespace: string;
  /** How long an answer is reused for the same window length; 0 shares only requests in flight. */
  cacheSeconds: number;
  now?: () => number;
}

/** CloudWatch did not answer, or answered that it failed on its side. */
class MetricsUnavailable extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'MetricsUnavailable';
  }
}

/**
 * The staff dashboard's charts, read from the analytics metrics in CloudWatch: ListMetrics finds
 * the categories, currencies and event types, one GetMetricData call (more only past 500 series or
 * a page of data points) reads every series of the window. Answers are shared per window length for
 * `cacheSeconds`, so open dashboards polling together cost one round of calls.
 */
export class MetricsDashboard {
  readonly cacheSeconds: number;
  private readonly cloudWatch: CloudWatchClient;
  private readonly namespace: string;
  private readonly now: () => number;
  private readonly cache: ExpiringCache<number, DashboardMetrics>;

  constructor(options: MetricsDashboardOptions) {
    this.cloudWatch = options.cloudWatch;
    this.namespace = options.namespace;
    this.cacheSeconds = options.cacheSeconds;
    this.now = options.now ?? Date.now;
    this.cache = new ExpiringCache(options.cacheSeconds * 1000, this.now);
  }

  /** The charts of the last `minutes` minutes, up to the end of the current minute. */
  read(minutes: number): Promise<DashboardMetrics> {
    return this.cache.get(minutes, () => this.query(minutes));
  }

  private async query(minutes: number): Promise<DashboardMetrics> {
    const periodMs = periodSeconds * 1000;
    // Whole periods, so every point covers a full minute and CloudWatch need not realign them; the
    // current minute is included, so datums of a minute still in progress show at once.
    const to = new Date((Math.floor(this.now() / periodMs) + 1) * periodMs);
    const from = new Date(to.getTime() - minutes * periodMs);
    try {
      const discovered = (await Promise.all(discoveredMetricNames.map((name) => this.listMetrics(name)))).flat();
      const plan = planSeries(discovered);
      const queries = metricDataQueries(plan, this.namespace);
      const batches: MetricDataQuery[][] = [];
      for (let start = 0; start < queries.length; start += maxQueriesPerCall) {
        batches.push(queries.slice(start, start + maxQueriesPerCall));
      }
      const results = (await Promise.all(batches.map((batch) => this.metricData(batch, from, to)))).flat();
      return shapeDashboard(plan, results, { from, to });
    } catch (error) {
      if (error instanceof MetricsUnavailable || isDependencyUnavailable(error)) {
        throw new ServiceUnavailableError(
          'The dashboard metrics cannot be read from CloudWatch right now',
          retryAfterSeconds,
          { cause: error },
        );
      }
      throw error;
    }
  }

  private async listMetrics(metricName: string): Promise<Metric[]> {
    const metrics: Metric[] = [];
    for await (const page of paginateListMetrics(
      { client: this.cloudWatch },
      { Namespace: this.namespace, MetricName: metricName },
    )) {
      metrics.push(...(page.Metrics ?? []));
    }
    return metrics;
  }

  private async metricData(queries: MetricDataQuery[], from: Date, to: Date): Promise<MetricDataResult[]> {
    const results: MetricDataResult[] = [];
    for await (const page of paginateGetMetricData(
      { client: this.cloudWatch },
      { MetricDataQueries: queries, StartTime: from, EndTime: to, ScanBy: 'TimestampAscending' },
    )) {
      for (const result of page.MetricDataResults ?? []) {
        if (result.StatusCode === 'InternalError') {
          throw new MetricsUnavailable(`GetMetricData failed for ${result.Id ?? 'a query'}`);
        }
        results.push(result);
      }
    }
    return results;
  }
}
