import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { Counter, type Registry } from 'prom-client';
import { ServiceUnavailableError } from '../errors/app-error.js';
import type { Logger } from '../logging/logger.js';
import type { ProcessMetrics } from '../observability/metrics.js';
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

/** Raised at once when the queue of unpublished events is full (the stream has been unreachable for long). */
export class PublisherSaturatedError extends ServiceUnavailableError {
  constructor() {
    super('Too many changes are waiting for the event stream; retry shortly', 5);
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
  /**
   * Most events packed into one record as a CloudEvents batch; 1 sends every event as its own
   * record. Consumers read a record as one event (an object) or a batch (an array).
   */
  maxEventsPerRecord?: number;
  /**
   * Most events waiting in memory. Beyond it `publish` refuses at once and `saturated` is true, so
   * writes can answer 503 instead of queueing without bound while the stream is unreachable.
   */
  maxQueuedEvents?: number;
  /**
   * Where entries that PutRecords refused inside a call that succeeded are counted
   * (`kinesis_records_failed_total` by error code); the call itself counts as ok in `aws_calls_total`.
   */
  metrics?: ProcessMetrics;
}

const failedRecordsMetric = 'kinesis_records_failed_total';

// One counter per registry, however many publishers report to it.
function failedRecordsCounter(registry: Registry): Counter<'code'> {
  const existing = registry.getSingleMetric(failedRecordsMetric);
  if (existing instanceof Counter) return existing as Counter<'code'>;
  return new Counter({
    name: failedRecordsMetric,
    help: 'PutRecords entries the stream refused in calls that succeeded (retried by the publisher), by error code',
    labelNames: ['code'],
    registers: [registry],
  });
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
// Batched records stay well under the record limit.
const maxRecordsPerCall = 500;
const maxBatchedRecordBytes = 256 * 1024;
const maxBytesPerCall = 5 * 1024 * 1024;
const maxRecordBytes = 1024 * 1024;

interface PackedRecord {
  entry: PutRecordsRequestEntry;
  items: Pending[];
}

/**
 * Packs a call's events into records: one event is sent as itself (a CloudEvent JSON object);
 * consecutive events of one partition key go together as a CloudEvents JSON batch (an array, in
 * order), which costs the stream one record instead of many, as the KPL's aggregation does.
 */
function packRecords(batch: Pending[], maxEventsPerRecord: number): PackedRecord[] {
  const byKey = new Map<string, Pending[]>();
  for (const item of batch) {
    const group = byKey.get(item.event.partitionkey) ?? [];
    group.push(item);
    byKey.set(item.event.partitionkey, group);
  }
  const records: PackedRecord[] = [];
  for (const [key, items] of byKey) {
    let current: Pending[] = [];
    let bytes = 2;
    const close = () => {
      if (current.length === 0) return;
      const data =
        current.length === 1
          ? (current[0] as Pending).data
          : Buffer.concat([
              Buffer.from('['),
              ...current.flatMap((item, index) => (index === 0 ? [item.data] : [Buffer.from(','), item.data])),
              Buffer.from(']'),
            ]);
      records.push({ entry: { Data: data, PartitionKey: key }, items: current });
      current = [];
      bytes = 2;
    };
    for (const item of items) {
      if (current.length >= maxEventsPerRecord || bytes + item.data.byteLength + 1 > maxBatchedRecordBytes) close();
      current.push(item);
      bytes += item.data.byteLength + 1;
    }
    close();
  }
  return records;
}

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
  private readonly maxEventsPerRecord: number;
  private readonly maxQueuedEvents: number;
  private inFlightEvents = 0;
  private readonly failedRecords: Counter<'code'> | undefined;

  constructor(private readonly options: KinesisPublisherOptions) {
    this.failedRecords = options.metrics ? failedRecordsCounter(options.metrics.registry) : undefined;
    this.maxQueuedEvents = options.maxQueuedEvents ?? 10_000;
    this.maxEventsPerRecord = options.maxEventsPerRecord ?? 100;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.baseDelayMs = options.baseDelayMs ?? 50;
    this.maxDelayMs = options.maxDelayMs ?? 2000;
    this.maxConcurrentBatches = options.maxConcurrentBatches ?? 4;
  }

  /** Number of events accepted but not yet on the stream. */
  get pendingCount(): number {
    return this.queue.length + this.inFlightEvents;
  }

  /** True while the queue is full: new events are refused until the stream takes some. */
  get saturated(): boolean {
    return this.pendingCount >= this.maxQueuedEvents;
  }

  publish(events: CloudEvent[]): Promise<void> {
    if (this.pendingCount + events.length > this.maxQueuedEvents) return Promise.reject(new PublisherSaturatedError());
    // Settles once every event has: a caller that retries after a failure must not find some of
    // the same events still queued from its first attempt.
    return Promise.allSettled(events.map((event) => this.enqueue(event))).then((outcomes) => {
      const failed = outcomes.flatMap((outcome, index) => (outcome.status === 'rejected' ? [index] : []));
      if (failed.length === 0) return;
      const first = outcomes[failed[0] as number] as PromiseRejectedResult;
      const more = failed.length > 1 ? ` (${failed.length} of ${events.length} events not published)` : '';
      throw new PublishError(
        `${(first.reason as Error).message}${more}`,
        failed.map((index) => (events[index] as CloudEvent).id),
        { cause: first.reason },
      );
    });
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
      this.inFlightEvents += batch.length;
      void this.send(batch).finally(() => {
        this.batchesInFlight -= 1;
        this.inFlightEvents -= batch.length;
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

  // Takes ready events in queue order within the call limits. A key already in flight in another
  // call, or whose oldest event waits for a retry, is skipped entirely, and a key gets at most one
  // record per call: Kinesis may reject one record of a call and accept the next, and with one
  // record per key that can never put a key's later events on the stream before its earlier ones.
  private takeBatch(): Pending[] {
    const now = Date.now();
    const batch: Pending[] = [];
    const blockedKeys = new Set<string>();
    const taken = new Map<string, { events: number; bytes: number }>();
    let bytes = 0;
    let records = 0;
    for (let index = 0; index < this.queue.length; ) {
      const item = this.queue[index] as Pending;
      const key = item.event.partitionkey;
      const size = item.data.byteLength + Buffer.byteLength(key);
      const record = taken.get(key);
      const recordFull =
        record !== undefined &&
        (record.events >= this.maxEventsPerRecord || record.bytes + item.data.byteLength + 1 > maxBatchedRecordBytes);
      const blocked = blockedKeys.has(key) || recordFull || (this.keysInFlight.has(key) && record === undefined);
      const callFull = bytes + size > maxBytesPerCall || (record === undefined && records >= maxRecordsPerCall);
      if (blocked || item.notBefore > now || callFull) {
        blockedKeys.add(key);
        index += 1;
        continue;
      }
      this.queue.splice(index, 1);
      this.keysInFlight.add(key);
      if (record) {
        record.events += 1;
        record.bytes += item.data.byteLength + 1;
      } else {
        taken.set(key, { events: 1, bytes: 2 + item.data.byteLength });
        records += 1;
      }
      bytes += size;
      batch.push(item);
    }
    return batch;
  }

  private async send(batch: Pending[]): Promise<void> {
    const records = packRecords(batch, this.maxEventsPerRecord);
    const errors = new Map<Pending, unknown>();
    try {
      const result = await this.options.client.send(
        new PutRecordsCommand({
          StreamName: this.options.streamName,
          Records: records.map((record) => record.entry),
        }),
      );
      const results = result.Records ?? [];
      records.forEach((record, index) => {
        const outcome = results[index];
        const code = results.length !== records.length ? 'MissingResult' : outcome?.ErrorCode;
        if (code === undefined) return;
        this.failedRecords?.inc({ code });
        const error =
          code === 'MissingResult'
            ? new Error('PutRecords answered without a result per record')
            : new Error(`${code}: ${outcome?.ErrorMessage ?? ''}`);
        for (const item of record.items) errors.set(item, error);
      });
    } catch (error) {
      for (const item of batch) errors.set(item, error);
    }
    this.settleBatch(
      batch,
      batch.map((item) => errors.get(item)),
    );
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
      // Later events of the key give up with it: sent without it, they would overtake it.
      const key = item.event.partitionkey;
      for (let index = this.queue.length - 1; index >= 0; index -= 1) {
        const later = this.queue[index] as Pending;
        if (later.event.partitionkey !== key) continue;
        this.queue.splice(index, 1);
        later.settle(
          new PublishError(`event ${later.event.id} was not published: an earlier event of its key failed`, [
            later.event.id,
          ]),
        );
      }
      return;
    }
    item.notBefore = Date.now() + backoffDelay(item.attempt, this.baseDelayMs, this.maxDelayMs);
    this.queue.unshift(item);
  }
}
