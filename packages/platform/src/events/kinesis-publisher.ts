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
 * that fail (the whole call, or one entry) are retried with backoff and jitter. A partition key is
 * in at most one call at a time and its records go in publish order, so one product's events reach
 * the stream in order even when some attempts fail.
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

  // Takes ready records in queue order within the call limits. A key already in flight in another
  // call, or whose oldest record waits for a retry, is skipped entirely, so the records of one key
  // are always sent in queue order, several per call when they are ready together.
  private takeBatch(): Pending[] {
    const now = Date.now();
    const batch: Pending[] = [];
    const blockedKeys = new Set<string>();
    const keysTaken = new Set<string>();
    let bytes = 0;
    for (let index = 0; index < this.queue.length && batch.length < maxRecordsPerCall; ) {
      const item = this.queue[index] as Pending;
      const key = item.event.partitionkey;
      const size = item.data.byteLength + Buffer.byteLength(key);
      const blocked = blockedKeys.has(key) || (this.keysInFlight.has(key) && !keysTaken.has(key));
      if (blocked || item.notBefore > now || bytes + size > maxBytesPerCall) {
        blockedKeys.add(key);
        index += 1;
        continue;
      }
      this.queue.splice(index, 1);
      this.keysInFlight.add(key);
      keysTaken.add(key);
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
    let errors: Array<unknown | undefined>;
    try {
      const result = await this.options.client.send(
        new PutRecordsCommand({ StreamName: this.options.streamName, Records: entries }),
      );
      const records = result.Records ?? [];
      errors =
        records.length === batch.length
          ? records.map((record) =>
              record.ErrorCode ? new Error(`${record.ErrorCode}: ${record.ErrorMessage ?? ''}`) : undefined,
            )
          : batch.map(() => new Error('PutRecords answered without a result per record'));
    } catch (error) {
      errors = batch.map(() => error);
    }
    this.settleBatch(batch, errors);
  }

  // Kinesis applies a call's records in order but may reject single entries. When one record of a
  // key fails, the records of that key after it are sent again behind it even if they were
  // accepted, so the stream's last copy of each event is in order (consumers dedupe on id).
  private settleBatch(batch: Pending[], errors: Array<unknown | undefined>): void {
    const failedKeys = new Set<string>();
    const retries: Array<{ item: Pending; error: unknown }> = [];
    batch.forEach((item, index) => {
      const key = item.event.partitionkey;
      const error = errors[index];
      if (error !== undefined) {
        failedKeys.add(key);
        retries.push({ item, error });
      } else if (failedKeys.has(key)) {
        item.settle();
        retries.push({ item: { ...item, attempt: 0, settle: () => {} }, error: new Error('resent to keep order') });
      } else {
        item.settle();
      }
    });
    for (const key of new Set(batch.map((item) => item.event.partitionkey))) this.keysInFlight.delete(key);
    for (let index = retries.length - 1; index >= 0; index -= 1) {
      const { item, error } = retries[index] as { item: Pending; error: unknown };
      this.retryOrFail(item, error);
    }
  }

  // Puts a failed record back at the front of the queue (callers go from the last to the first,
  // so a key's records keep their order) until its attempts are used up.
  private retryOrFail(item: Pending, error: unknown): void {
    item.attempt += 1;
    item.lastError = error;
    if (item.attempt >= this.maxAttempts) {
      this.options.logger?.error({ err: error, eventId: item.event.id }, 'event could not be published');
      item.settle(new PublishError(`event ${item.event.id} was not published`, [item.event.id], { cause: error }));
      return;
    }
    item.notBefore = Date.now() + backoffDelay(item.attempt, this.baseDelayMs, this.maxDelayMs);
    this.queue.unshift(item);
  }
}
