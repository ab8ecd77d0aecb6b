import { ProcessMetrics } from '@shop/platform';
import { Counter, Gauge, Histogram, type MetricObjectWithValues, type MetricValue, Registry } from 'prom-client';
import type { PoisonReason } from '../aggregation/record-reader.js';
import type { ProcessorObserver } from './shard-processor.js';

/**
 * A record processor's Prometheus metrics. The processor runs in its own process (one per shard,
 * started by the KCL daemon), so it pushes them to its worker, which serves them with its own on
 * `/metrics`.
 */
export class ProcessorMetrics implements ProcessorObserver {
  readonly registry = new Registry();
  /** Latency and errors of the processor's AWS calls, for `measureAwsClient`. */
  readonly aws = new ProcessMetrics({ service: 'analytics-processor', processMetrics: false });
  private readonly records: Counter<'shard'>;
  private readonly events: Counter<'shard'>;
  private readonly rejections: Counter<'shard' | 'reason'>;
  private readonly flushes: Histogram<'shard'>;
  private readonly checkpointLag: Gauge<'shard'>;
  private readonly behindStream: Gauge<'shard'>;

  constructor() {
    const registers = [this.registry];
    this.records = new Counter({
      name: 'analytics_records_processed_total',
      help: 'Stream records read, by shard',
      labelNames: ['shard'],
      registers,
    });
    this.events = new Counter({
      name: 'analytics_events_counted_total',
      help: 'Events counted into metrics (duplicates and poison excluded), by shard',
      labelNames: ['shard'],
      registers,
    });
    this.rejections = new Counter({
      name: 'analytics_records_rejected_total',
      help: 'Records, or events in them, skipped as poison (logged, counted in PoisonEvents, checkpointed past), by shard and reason: not-json, empty-batch, too-large, envelope (no CloudEvent), unknown-type (no schema), schema (fails its schema)',
      labelNames: ['shard', 'reason'],
      registers,
    });
    this.flushes = new Histogram({
      name: 'analytics_window_flush_seconds',
      help: 'Time to publish a closed window to CloudWatch',
      labelNames: ['shard'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.checkpointLag = new Gauge({
      name: 'analytics_checkpoint_lag_seconds',
      help: 'At the last checkpoint, how long before it its newest record had been read',
      labelNames: ['shard'],
      registers,
    });
    this.behindStream = new Gauge({
      name: 'analytics_stream_behind_seconds',
      help: "How far the shard's processing is behind the stream: at the last poll, the age of its newest record (now minus ApproximateArrivalTimestamp), or MillisBehindLatest when the poll was empty",
      labelNames: ['shard'],
      registers,
    });
  }

  recordsRead(shard: string, records: number, events: number): void {
    this.records.inc({ shard }, records);
    this.events.inc({ shard }, events);
  }

  rejected(shard: string, reason: PoisonReason): void {
    this.rejections.inc({ shard, reason });
  }

  flushed(shard: string, seconds: number): void {
    this.flushes.observe({ shard }, seconds);
  }

  checkpointed(shard: string, lagSeconds: number): void {
    this.checkpointLag.set({ shard }, lagSeconds);
  }

  polled(shard: string, behindSeconds: number): void {
    this.behindStream.set({ shard }, behindSeconds);
  }

  /** The metrics as JSON, for the push to the worker. */
  async snapshot(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    const aws = (await this.aws.registry.getMetricsAsJSON()).filter((metric) => metric.name.startsWith('aws_'));
    return [...(await this.registry.getMetricsAsJSON()), ...aws];
  }
}
