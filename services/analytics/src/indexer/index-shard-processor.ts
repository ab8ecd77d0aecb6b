import type { ShopEvent } from '@shop/contracts';
import type { Logger } from '@shop/platform';
import type { RefusedWrite } from '@shop/product-index';
import { type PoisonReason, readRecord } from '../aggregation/record-reader.js';
import type { ShardWork } from '../processor/kcl-callbacks.js';
import { retryUntilDone } from '../processor/retry-until-done.js';
import type { Checkpoint, KclRecord } from '../processor/shard-processor.js';

/** What the indexer reports for its worker's `/metrics`. */
export interface IndexerObserver {
  recordsRead(shardId: string, records: number): void;
  rejected(shardId: string, reason: PoisonReason | 'refused-by-index'): void;
  /** A batch's writes reached the index; `lagSeconds` per event, from its time to now. */
  indexed(shardId: string, writes: number, seconds: number, lagSeconds: number[]): void;
  polled(shardId: string, behindSeconds: number): void;
}

export interface IndexShardProcessorDeps {
  /** Writes what events make to the index, in one request; throws when the engine cannot take them now. */
  projector: { projectAll(events: readonly ShopEvent[]): Promise<{ written: number; refused: RefusedWrite[] }> };
  observer?: IndexerObserver;
  logger: Logger;
  /** Makes sure the index exists before the first write (a write to a missing alias would make an unmapped index). */
  prepare: () => Promise<void>;
  /** The longest a shard goes between checkpoints while records arrive. */
  checkpointIntervalMs: number;
  now?: () => number;
  retryBaseMs?: number;
}

/**
 * The search indexer's work on one shard: every batch of records is read against the event
 * contract, written to the index in one bulk request (retried until the engine takes it) and only
 * then counted as done. Writes are guarded by versions, so a batch read again after a failover or
 * a restart changes nothing: checkpoints can be sparse, and no dedupe is needed. A record that fails
 * its contract, or a write the index refuses for good, is logged, counted and skipped.
 */
export class IndexShardProcessor implements ShardWork {
  private readonly now: () => number;
  private shardId = 'unknown';
  private pendingSequence: string | undefined;
  private lastCheckpointAt = 0;

  constructor(private readonly deps: IndexShardProcessorDeps) {
    this.now = deps.now ?? Date.now;
  }

  async initialize(shardId: string): Promise<void> {
    this.shardId = shardId;
    await this.retrying('index provisioning', this.deps.prepare);
    this.lastCheckpointAt = this.now();
    this.deps.logger.info({ shardId }, 'index shard processor started');
  }

  async processRecords(records: KclRecord[], checkpoint: Checkpoint, millisBehindLatest?: number | null) {
    const { observer, logger } = this.deps;
    const newestArrival = records.at(-1)?.approximateArrivalTimestamp;
    const behind =
      typeof newestArrival === 'number' ? Math.max(0, this.now() - newestArrival) : (millisBehindLatest ?? 0);
    observer?.polled(this.shardId, behind / 1000);
    const events: ShopEvent[] = [];
    for (const record of records) {
      for (const outcome of readRecord(Buffer.from(record.data, 'base64'))) {
        if ('event' in outcome) {
          events.push(outcome.event);
          continue;
        }
        observer?.rejected(this.shardId, outcome.reason);
        logger.warn(
          {
            shardId: this.shardId,
            sequenceNumber: record.sequenceNumber,
            rejection: outcome.reason,
            reason: outcome.poison,
          },
          'poison event skipped',
        );
      }
    }
    observer?.recordsRead(this.shardId, records.length);
    if (events.length > 0) await this.index(events);
    const last = records.at(-1);
    if (last) this.pendingSequence = last.sequenceNumber;
    if (this.now() - this.lastCheckpointAt >= this.deps.checkpointIntervalMs) await this.checkpointPending(checkpoint);
  }

  /** Nothing is pending in memory: whoever takes the shard reads again from the checkpoint, harmlessly. */
  leaseLost(): void {
    this.pendingSequence = undefined;
    this.deps.logger.info({ shardId: this.shardId }, 'lease lost');
  }

  /** The shard was split or merged: checkpoint its end so its children can start. */
  async shardEnded(checkpoint: Checkpoint): Promise<void> {
    await this.retrying('checkpoint', () => checkpoint());
  }

  async shutdownRequested(checkpoint: Checkpoint): Promise<void> {
    await this.checkpointPending(checkpoint);
  }

  private async index(events: ShopEvent[]): Promise<void> {
    const started = this.now();
    const { written, refused } = await this.retrying('index write', () => this.deps.projector.projectAll(events));
    for (const { write, reason } of refused) {
      this.deps.observer?.rejected(this.shardId, 'refused-by-index');
      this.deps.logger.error({ shardId: this.shardId, write: write.kind, reason }, 'index refused a write; skipped');
    }
    const done = this.now();
    const lags = events.map((event) => Math.max(0, done - Date.parse(event.time)) / 1000);
    this.deps.observer?.indexed(this.shardId, written, (done - started) / 1000, lags);
  }

  private async checkpointPending(checkpoint: Checkpoint): Promise<void> {
    const sequence = this.pendingSequence;
    if (sequence === undefined) return;
    await this.retrying('checkpoint', () => checkpoint(sequence));
    this.lastCheckpointAt = this.now();
    if (this.pendingSequence === sequence) this.pendingSequence = undefined;
  }

  private retrying<T>(what: string, call: () => Promise<T>): Promise<T> {
    return retryUntilDone(what, call, {
      logger: this.deps.logger,
      shardId: this.shardId,
      baseMs: this.deps.retryBaseMs,
    });
  }
}
