import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tableIndexes } from '../data/table-schema.js';
import type { Logger } from '../logging/logger.js';
import type { ProcessMetrics } from '../observability/metrics.js';
import { type OutboxOwner, outboxPartition, outboxShardCount, productIdOfKey } from './outbox-keys.js';

export interface OutboxRelayOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  owner: OutboxOwner;
  /** Publishes a product's pending events and clears them (the service's own flusher). */
  flush: (productId: string) => Promise<void>;
  logger: Logger;
  /** Only outboxes pending at least this long are swept; younger ones are their writer's to flush. */
  minAgeMs?: number;
  intervalMs?: number;
  /** Products flushed at once by one sweep. */
  concurrency?: number;
  /** Where each sweep reports how many items are pending and the age of the oldest. */
  metrics?: ProcessMetrics;
}

/**
 * Sweeps the sparse outbox index for this owner's items whose events have been pending for a while
 * (their writer died, or the stream was down when it tried) and flushes them. Every instance runs
 * one; two relays flushing the same item publish the same event ids, which consumers dedupe, and
 * each publishes from the oldest pending event, so a product's events never overtake each other.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  private readonly minAgeMs: number;
  private readonly intervalMs: number;
  private readonly concurrency: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.minAgeMs = options.minAgeMs ?? 5_000;
    this.intervalMs = options.intervalMs ?? 2_000;
    this.concurrency = options.concurrency ?? 4;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.timer = setTimeout(async () => {
        await this.sweep().catch((error: unknown) =>
          this.options.logger.warn({ err: error, owner: this.options.owner }, 'outbox sweep failed'),
        );
        if (this.timer) tick();
      }, this.intervalMs);
      this.timer.unref();
    };
    tick();
  }

  /** Stops sweeping; resolves when a sweep under way has finished. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.sweeping?.catch(() => 0);
  }

  /** Flushes every product of this owner pending longer than the minimum age; resolves with how many. */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  /** Products of this owner with events pending for at least `minAgeMs`, oldest first per shard. */
  async pendingProducts(minAgeMs = this.minAgeMs): Promise<string[]> {
    const cutoff = new Date(Date.now() - minAgeMs).toISOString();
    return (await this.pending()).filter((item) => item.since <= cutoff).map((item) => item.productId);
  }

  // Every pending item of this owner with the time its oldest event was written.
  private async pending(): Promise<Array<{ productId: string; since: string }>> {
    const found: Array<{ productId: string; since: string }> = [];
    for (let shard = 0; shard < outboxShardCount; shard += 1) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await this.options.documentClient.send(
          new QueryCommand({
            TableName: this.options.tableName,
            IndexName: tableIndexes.outbox.name,
            KeyConditionExpression: '#key = :key',
            ExpressionAttributeNames: { '#key': tableIndexes.outbox.partitionKey },
            ExpressionAttributeValues: { ':key': outboxPartition(this.options.owner, shard) },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          const productId = productIdOfKey(String(item.pk));
          if (productId) found.push({ productId, since: String(item[tableIndexes.outbox.sortKey]) });
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
    return found;
  }

  private async sweepOnce(): Promise<number> {
    const all = await this.pending();
    const { metrics, owner } = this.options;
    const oldestMs = all.reduce((oldest, item) => Math.min(oldest, Date.parse(item.since)), Date.now());
    metrics?.outboxPending.set({ owner }, all.length);
    metrics?.outboxOldestAge.set({ owner }, (Date.now() - oldestMs) / 1000);
    const cutoff = new Date(Date.now() - this.minAgeMs).toISOString();
    const pending = all.filter((item) => item.since <= cutoff).map((item) => item.productId);
    let next = 0;
    let flushed = 0;
    const worker = async () => {
      while (next < pending.length) {
        const productId = pending[next] as string;
        next += 1;
        try {
          await this.options.flush(productId);
          flushed += 1;
        } catch (error) {
          this.options.logger.warn({ err: error, productId, owner: this.options.owner }, 'outbox relay: flush failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, pending.length) }, worker));
    if (pending.length > 0) {
      this.options.logger.info({ owner: this.options.owner, pending: pending.length, flushed }, 'outbox relay swept');
    }
    return flushed;
  }
}
