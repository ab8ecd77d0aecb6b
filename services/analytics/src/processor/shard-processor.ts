import { type Logger, stockEventTypes } from '@shop/platform';
import {
  countDuplicate,
  countEvent,
  countLowStockAlert,
  countPoison,
  metricNames,
} from '../aggregation/event-metrics.js';
import { MetricWindows } from '../aggregation/metric-windows.js';
import { type PoisonReason, readRecord } from '../aggregation/record-reader.js';
import type { StockLowEvent } from './low-stock-alerter.js';
import type { MetricSink } from './metric-publisher.js';
import { RecentIds } from './recent-ids.js';
import { retryUntilDone } from './retry-until-done.js';

/** A record as the KCL hands it over: data base64-encoded. */
export interface KclRecord {
  data: string;
  sequenceNumber: string;
  partitionKey?: string;
  /** When the record reached the stream, in epoch milliseconds. */
  approximateArrivalTimestamp?: number | null;
}

/** Checkpoints a sequence number, or the end of the shard when none is given. */
export type Checkpoint = (sequenceNumber?: string) => Promise<void>;

export interface LowStockAlerts {
  alert(event: StockLowEvent): Promise<{ category: string }>;
}

/** What a shard processor reports for its worker's `/metrics`. */
export interface ProcessorObserver {
  recordsRead(shardId: string, records: number, events: number): void;
  /** A record, or an event in one, was rejected (skipped and counted as poison) for this reason. */
  rejected(shardId: string, reason: PoisonReason): void;
  /** A window flush (PutMetricData) took this long. */
  flushed(shardId: string, seconds: number): void;
  /** A checkpoint was written for records read `lagSeconds` before. */
  checkpointed(shardId: string, lagSeconds: number): void;
  /** A poll found the shard's processing this far behind the stream. */
  polled(shardId: string, behindSeconds: number): void;
}

export interface ShardProcessorDeps {
  observer?: ProcessorObserver;
  /** Runs the handling of an event that carries a trace header as part of that trace. */
  trace?: <T>(name: string, traceHeader: string, work: () => Promise<T>) => Promise<T>;
  metrics: MetricSink;
  alerts: LowStockAlerts;
  logger: Logger;
  windowMs: number;
  dedupeCapacity: number;
  /**
   * Whether this worker still holds the shard's lease. Another worker can take a lease (to
   * balance, or after a missed renewal) before this one hears of it; publishing then would count
   * records that the new owner reads again from the checkpoint.
   */
  holdsLease?: (shardId: string) => Promise<boolean>;
  now?: () => number;
  /** First wait between retries of a failed call; doubles up to 30 s (with jitter). */
  retryBaseMs?: number;
}

/**
 * The record processor of one shard. Events are counted into windows of event time; when a window
 * closes (by the clock of the poll that follows, so quiet shards publish too) every pending metric
 * is published and only then is the shard checkpointed, so a record is never checkpointed before
 * its metrics are out. Duplicate deliveries of an event id are dropped; a lost lease drops what is
 * pending, because whoever takes the shard over reads it again from the checkpoint.
 */
export class ShardProcessor {
  private readonly windows: MetricWindows;
  private readonly seen: RecentIds;
  private readonly now: () => number;
  private shardId = 'unknown';
  private lastSequence: string | undefined;
  private lastSequenceReadAt = 0;
  private eventsPending = 0;
  private firstProcessedAt: number | undefined;
  private lastProcessedAt: number | undefined;
  private publishAfter = Number.POSITIVE_INFINITY;

  constructor(private readonly deps: ShardProcessorDeps) {
    this.windows = new MetricWindows(deps.windowMs);
    this.seen = new RecentIds(deps.dedupeCapacity);
    this.now = deps.now ?? Date.now;
  }

  initialize(shardId: string): void {
    this.shardId = shardId;
    this.deps.logger.info({ shardId }, 'shard processor started');
  }

  /** `millisBehindLatest` is the daemon's measure of how far the poll was from the tip of the shard. */
  async processRecords(
    records: KclRecord[],
    checkpoint: Checkpoint,
    millisBehindLatest?: number | null,
  ): Promise<void> {
    const processedAt = this.now();
    const pendingBefore = this.eventsPending;
    const newestArrival = records.at(-1)?.approximateArrivalTimestamp;
    if (typeof newestArrival === 'number') {
      this.deps.observer?.polled(this.shardId, Math.max(0, processedAt - newestArrival) / 1000);
    } else if (records.length === 0) {
      this.deps.observer?.polled(this.shardId, (millisBehindLatest ?? 0) / 1000);
    }
    for (const record of records) {
      for (const outcome of readRecord(Buffer.from(record.data, 'base64'))) {
        if ('poison' in outcome) {
          countPoison(this.windows, processedAt);
          this.deps.observer?.rejected(this.shardId, outcome.reason);
          this.deps.logger.warn(
            {
              shardId: this.shardId,
              sequenceNumber: record.sequenceNumber,
              rejection: outcome.reason,
              reason: outcome.poison,
            },
            'poison event skipped',
          );
          continue;
        }
        const { event } = outcome;
        if (!this.seen.add(event.id)) {
          countDuplicate(this.windows, processedAt);
          continue;
        }
        countEvent(this.windows, event, processedAt);
        this.eventsPending += 1;
        this.firstProcessedAt ??= processedAt;
        this.lastProcessedAt = processedAt;
        if (event.type === stockEventTypes.low) {
          const alert = () => this.retrying('low-stock alert', () => this.deps.alerts.alert(event));
          // The supplier alert continues the trace of the sale that crossed the threshold.
          const { category } =
            event.traceid && this.deps.trace ? await this.deps.trace('analytics', event.traceid, alert) : await alert();
          countLowStockAlert(this.windows, event, category);
        }
      }
      this.lastSequence = record.sequenceNumber;
      this.lastSequenceReadAt = processedAt;
    }
    this.deps.observer?.recordsRead(this.shardId, records.length, this.eventsPending - pendingBefore);
    if (this.publishAfter === Number.POSITIVE_INFINITY && !this.windows.isEmpty) {
      // Publish once the window of the first pending metric has closed.
      this.publishAfter = this.windows.windowOf(processedAt) + this.deps.windowMs;
    }
    if (this.now() >= this.publishAfter) await this.publishAndCheckpoint(checkpoint);
  }

  /** The lease moved on: whoever holds it now reads from the last checkpoint, so nothing pending is ours to publish. */
  leaseLost(): void {
    this.deps.logger.info({ shardId: this.shardId }, 'lease lost; pending metrics dropped');
    this.windows.clear();
    this.seen.clear();
    this.eventsPending = 0;
    this.lastSequence = undefined;
    this.publishAfter = Number.POSITIVE_INFINITY;
  }

  /** The shard was split or merged: publish, then checkpoint its end so its children can start. */
  async shardEnded(checkpoint: Checkpoint): Promise<void> {
    await this.publishPending();
    await this.retrying('checkpoint', () => checkpoint());
  }

  /** The worker is shutting down: publish and checkpoint what was processed. */
  async shutdownRequested(checkpoint: Checkpoint): Promise<void> {
    await this.publishAndCheckpoint(checkpoint);
  }

  private async publishAndCheckpoint(checkpoint: Checkpoint): Promise<void> {
    const { holdsLease } = this.deps;
    if (!this.windows.isEmpty && holdsLease) {
      const shardId = this.shardId;
      if (!(await this.retrying('lease check', () => holdsLease(shardId)))) {
        this.leaseLost();
        return;
      }
    }
    await this.publishPending();
    const sequence = this.lastSequence;
    if (sequence === undefined) return;
    const readAt = this.lastSequenceReadAt;
    await this.retrying('checkpoint', () => checkpoint(sequence));
    this.deps.observer?.checkpointed(this.shardId, (this.now() - readAt) / 1000);
    if (this.lastSequence === sequence) this.lastSequence = undefined;
  }

  private async publishPending(): Promise<void> {
    if (!this.windows.isEmpty) {
      const started = this.now();
      const datums = this.windows.datums();
      const calls = await this.retrying('PutMetricData', () => this.deps.metrics.publish(datums));
      this.deps.logger.info(
        {
          shardId: this.shardId,
          events: this.eventsPending,
          datums: datums.length,
          calls,
          lagP95Ms: this.windows.percentile(metricNames.eventLagMs, 0.95),
          firstProcessedAt: this.firstProcessedAt,
          lastProcessedAt: this.lastProcessedAt,
          publishMs: this.now() - started,
        },
        'metrics published',
      );
      this.deps.observer?.flushed(this.shardId, (this.now() - started) / 1000);
      this.windows.clear();
      this.eventsPending = 0;
      this.firstProcessedAt = undefined;
      this.lastProcessedAt = undefined;
    }
    this.publishAfter = Number.POSITIVE_INFINITY;
  }

  private retrying<T>(what: string, call: () => Promise<T>): Promise<T> {
    return retryUntilDone(what, call, {
      logger: this.deps.logger,
      shardId: this.shardId,
      baseMs: this.deps.retryBaseMs,
    });
  }
}
