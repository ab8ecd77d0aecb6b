import { Counter, Gauge, Histogram, type MetricObjectWithValues, type MetricValue, Registry } from 'prom-client';
import type { PoisonReason } from '../aggregation/record-reader.js';
import type { IndexerObserver } from './index-shard-processor.js';

/** The search indexer's Prometheus metrics, pushed to its worker like the analytics processors' are. */
export class IndexerMetrics implements IndexerObserver {
  readonly registry = new Registry();
  private readonly records: Counter<'shard'>;
  private readonly writes: Counter<'shard'>;
  private readonly rejections: Counter<'shard' | 'reason'>;
  private readonly bulkSeconds: Histogram<'shard'>;
  private readonly lag: Histogram;
  private readonly behindStream: Gauge<'shard'>;

  constructor() {
    const registers = [this.registry];
    this.records = new Counter({
      name: 'search_indexer_records_processed_total',
      help: 'Stream records read, by shard',
      labelNames: ['shard'],
      registers,
    });
    this.writes = new Counter({
      name: 'search_indexer_writes_total',
      help: 'Index writes the engine took (a guarded write older than the document counts too: it is a no-op), by shard',
      labelNames: ['shard'],
      registers,
    });
    this.rejections = new Counter({
      name: 'search_indexer_records_rejected_total',
      help: 'Records, events in them or index writes skipped (logged, checkpointed past), by shard and reason: not-json, empty-batch, too-large, envelope, unknown-type, schema, refused-by-index',
      labelNames: ['shard', 'reason'],
      registers,
    });
    this.bulkSeconds = new Histogram({
      name: 'search_indexer_bulk_seconds',
      help: "Time to write one batch's changes to the index, retries included",
      labelNames: ['shard'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.lag = new Histogram({
      name: 'search_indexer_index_lag_seconds',
      help: 'From an event (its time) to its write reaching the index',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    });
    this.behindStream = new Gauge({
      name: 'search_indexer_stream_behind_seconds',
      help: "How far the shard's indexing is behind the stream at the last poll",
      labelNames: ['shard'],
      registers,
    });
  }

  recordsRead(shard: string, records: number): void {
    this.records.inc({ shard }, records);
  }

  rejected(shard: string, reason: PoisonReason | 'refused-by-index'): void {
    this.rejections.inc({ shard, reason });
  }

  indexed(shard: string, writes: number, seconds: number, lagSeconds: number[]): void {
    this.writes.inc({ shard }, writes);
    this.bulkSeconds.observe({ shard }, seconds);
    for (const lag of lagSeconds) this.lag.observe(lag);
  }

  polled(shard: string, behindSeconds: number): void {
    this.behindStream.set({ shard }, behindSeconds);
  }

  async snapshot(): Promise<MetricObjectWithValues<MetricValue<string>>[]> {
    return this.registry.getMetricsAsJSON();
  }
}
