import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import type { Logger } from '../logging/logger.js';
import type { CloudEvent, EventPublisher } from './cloud-event.js';

/** Raised when an event could not be put on the stream within the retry budget. */
export class PublishError extends Error {
  constructor(
    message: string,
    readonly eventIds: string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PublishError';
  }
}

export interface KinesisPublisherOptions {
  client: KinesisClient;
  streamName: string;
  logger?: Logger;
  /** Attempts per record, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** PutRecords calls in flight at once. */
  maxConcurrentBatches?: number;
}

interface Pending {
  event: CloudEvent;
  data: Uint8Array;
  attempt: number;
  notBefore: number;
  lastError?: unknown;
  settle: (error?: unknown) => void;
}

// Kinesis limits: 500 records and 5 MiB per PutRecords call, 1 MiB per record (data + key).
const maxRecordsPerCall = 500;
const maxBytesPerCall = 5 * 1024 * 1024;
const maxRecordBytes = 1024 * 1024;

/** Exponential backoff with full jitter. */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
}

/**
 * Publishes CloudEvents with PutRecords. Concurrent `publish` calls are batched together; records
 * that fail (the whole call, or one entry) are retried with backoff and jitter. Per partition key
 * at most one record is in flight, so one product's events reach the stream in publish order even
 * when some attempts fail.
 */
export class KinesisEventPublisher implements EventPublisher {
  private readonly queue: Pending[] = [];
  private readonly keysInFlight = new Set<string>();
  private batchesInFlight = 0;
  private timer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxConcurrentBatches: number;

  constructor(private readonly options: KinesisPublisherOptions) {
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 50;
    this.maxDelayMs = options.maxDelayMs ?? 2000;
    this.maxConcurrentBatches = options.maxConcurrentBatches ?? 4;
  }

  /** Number of events accepted but not yet on the stream. */
  get pendingCount(): number {
    return this.queue.length;
  }

  publish(events: CloudEvent[]): Promise<void> {
    return Promise.all(events.map((event) => this.enqueue(event))).then(() => undefined);
  }

  private enqueue(event: CloudEvent): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const data = Buffer.from(JSON.stringify(event), 'utf8');
      if (data.byteLength + Buffer.byteLength(event.partitionkey) > maxRecordBytes) {
        reject(new PublishError(`event ${event.id} is larger than a Kinesis record may be`, [event.id]));
        return;
      }
      this.queue.push({
        event,
        data,
        attempt: 0,
        notBefore: 0,
        settle: (error) => (error ? reject(error) : resolve()),
      });
      this.schedule(0);
    });
  }

  private schedule(delayMs: number): void {
    if (delayMs <= 0) {
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.drain();
      });
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain();
    }, delayMs);
  }

  private drain(): void {
    while (this.batchesInFlight < this.maxConcurrentBatches) {
      const batch = this.takeBatch();
      if (batch.length === 0) break;
      this.batchesInFlight += 1;
      void this.send(batch).finally(() => {
        this.batchesInFlight -= 1;
        this.drain();
      });
    }
    if (this.batchesInFlight >= this.maxConcurrentBatches) return;
    let next = Number.POSITIVE_INFINITY;
    for (const item of this.queue) {
      if (!this.keysInFlight.has(item.event.partitionkey)) next = Math.min(next, item.notBefore);
    }
    if (Number.isFinite(next)) this.schedule(Math.max(1, next - Date.now()));
  }

  // Takes the oldest ready record of each partition key not already in flight, within the limits.
  private takeBatch(): Pending[] {
    const now = Date.now();
    const batch: Pending[] = [];
    const keysSeen = new Set<string>();
    let bytes = 0;
    for (let index = 0; index < this.queue.length && batch.length < maxRecordsPerCall; ) {
      const item = this.queue[index] as Pending;
      const key = item.event.partitionkey;
      const blocked = this.keysInFlight.has(key) || keysSeen.has(key);
      keysSeen.add(key);
      const size = item.data.byteLength + Buffer.byteLength(key);
      if (blocked || item.notBefore > now || bytes + size > maxBytesPerCall) {
        index += 1;
        continue;
      }
      this.queue.splice(index, 1);
      this.keysInFlight.add(key);
      bytes += size;
      batch.push(item);
    }
    return batch;
  }

  private async send(batch: Pending[]): Promise<void> {
    const entries: PutRecordsRequestEntry[] = batch.map((item) => ({
      Data: item.data,
      PartitionKey: item.event.partitionkey,
    }));
    let failed: Array<{ item: Pending; error: unknown }> = [];
    try {
      const result = await this.options.client.send(
        new PutRecordsCommand({ StreamName: this.options.streamName, Records: entries }),
      );
      result.Records?.forEach((record, index) => {
        const item = batch[index] as Pending;
        if (record.ErrorCode)
          failed.push({ item, error: new Error(`${record.ErrorCode}: ${record.ErrorMessage ?? ''}`) });
        else this.finish(item);
      });
      if (!result.Records || result.Records.length !== batch.length) {
        failed = batch.map((item) => ({ item, error: new Error('PutRecords answered without a result per record') }));
      }
    } catch (error) {
      failed = batch.map((item) => ({ item, error }));
    }
    for (const { item, error } of failed) this.retryOrFail(item, error);
  }

  private finish(item: Pending, error?: unknown): void {
    this.keysInFlight.delete(item.event.partitionkey);
    item.settle(error);
  }

  private retryOrFail(item: Pending, error: unknown): void {
    item.attempt += 1;
    item.lastError = error;
    if (item.attempt >= this.maxAttempts) {
      this.options.logger?.error({ err: error, eventId: item.event.id }, 'event could not be published');
      this.finish(
        item,
        new PublishError(`event ${item.event.id} was not published`, [item.event.id], { cause: error }),
      );
      return;
    }
    item.notBefore = Date.now() + backoffDelay(item.attempt, this.baseDelayMs, this.maxDelayMs);
    // Back at the front of the queue, the waiting record blocks every later record of its key
    // (takeBatch takes only the first of each key), so none overtakes it.
    this.keysInFlight.delete(item.event.partitionkey);
    this.queue.unshift(item);
  }
}
