import type { MetricDatum, StandardUnit } from '@aws-sdk/client-cloudwatch';

export interface Dimension {
  Name: string;
  Value: string;
}

interface Statistic {
  metricName: string;
  dimensions: Dimension[];
  windowStart: number;
  unit: StandardUnit;
  sampleCount: number;
  sum: number;
  min: number;
  max: number;
}

/** CloudWatch takes at most this many distinct values in one datum's Values/Counts. */
const maxValuesPerDatum = 150;

// Two significant digits: percentiles stay within a few percent, and a window's distinct values stay few.
function bucket(value: number): number {
  if (value <= 0) return 0;
  const magnitude = 10 ** Math.max(0, Math.floor(Math.log10(value)) - 1);
  return Math.round(value / magnitude) * magnitude;
}

/**
 * Metrics pending publication, per window of event time and per dimension set. Counts and sums are
 * kept as statistic sets and distributions (event lag) as values with counts, so CloudWatch can
 * still combine datums from many shards and workers into sums and percentiles.
 */
export class MetricWindows {
  private readonly statistics = new Map<string, Statistic>();
  private readonly distributions = new Map<
    string,
    { metricName: string; windowStart: number; unit: StandardUnit; counts: Map<number, number> }
  >();

  constructor(private readonly windowMs: number) {}

  windowOf(timeMs: number): number {
    return Math.floor(timeMs / this.windowMs) * this.windowMs;
  }

  /** Adds one observation of `value` to a metric in the window holding `timeMs`. */
  add(metricName: string, dimensions: Dimension[], timeMs: number, value: number, unit: StandardUnit = 'Count'): void {
    const windowStart = this.windowOf(timeMs);
    const key = `${metricName}|${windowStart}|${dimensions.map((d) => `${d.Name}=${d.Value}`).join(',')}`;
    const current = this.statistics.get(key);
    if (current) {
      current.sampleCount += 1;
      current.sum += value;
      current.min = Math.min(current.min, value);
      current.max = Math.max(current.max, value);
      return;
    }
    this.statistics.set(key, {
      metricName,
      dimensions,
      windowStart,
      unit,
      sampleCount: 1,
      sum: value,
      min: value,
      max: value,
    });
  }

  /** Adds one sample of a distribution (kept as values and counts, so percentiles survive). */
  sample(metricName: string, timeMs: number, value: number, unit: StandardUnit): void {
    const windowStart = this.windowOf(timeMs);
    const key = `${metricName}|${windowStart}`;
    let distribution = this.distributions.get(key);
    if (!distribution) {
      distribution = { metricName, windowStart, unit, counts: new Map() };
      this.distributions.set(key, distribution);
    }
    const bucketed = bucket(value);
    distribution.counts.set(bucketed, (distribution.counts.get(bucketed) ?? 0) + 1);
  }

  get isEmpty(): boolean {
    return this.statistics.size === 0 && this.distributions.size === 0;
  }

  /** Every pending metric as CloudWatch datums, timestamped with their window's start. */
  datums(): MetricDatum[] {
    const datums: MetricDatum[] = [];
    for (const statistic of this.statistics.values()) {
      datums.push({
        MetricName: statistic.metricName,
        ...(statistic.dimensions.length > 0 ? { Dimensions: statistic.dimensions } : {}),
        Timestamp: new Date(statistic.windowStart),
        Unit: statistic.unit,
        StatisticValues: {
          SampleCount: statistic.sampleCount,
          Sum: round(statistic.sum),
          Minimum: round(statistic.min),
          Maximum: round(statistic.max),
        },
      });
    }
    for (const distribution of this.distributions.values()) {
      const entries = [...distribution.counts];
      for (let start = 0; start < entries.length; start += maxValuesPerDatum) {
        const slice = entries.slice(start, start + maxValuesPerDatum);
        datums.push({
          MetricName: distribution.metricName,
          Timestamp: new Date(distribution.windowStart),
          Unit: distribution.unit,
          Values: slice.map(([value]) => value),
          Counts: slice.map(([, count]) => count),
        });
      }
    }
    return datums;
  }

  /** The `quantile` (0–1) of a distribution's pending samples across windows, or undefined. */
  percentile(metricName: string, quantile: number): number | undefined {
    const samples = [...this.distributions.values()]
      .filter((distribution) => distribution.metricName === metricName)
      .flatMap((distribution) => [...distribution.counts])
      .sort(([a], [b]) => a - b);
    const total = samples.reduce((sum, [, count]) => sum + count, 0);
    let seen = 0;
    for (const [value, count] of samples) {
      seen += count;
      if (seen >= quantile * total) return value;
    }
    return undefined;
  }

  clear(): void {
    this.statistics.clear();
    this.distributions.clear();
  }
}

// Sums of currency amounts stay exact to the cent despite binary floating point.
const round = (value: number) => Math.round(value * 1e6) / 1e6;
