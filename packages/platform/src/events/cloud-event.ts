import { newId } from '../domain/ids.js';

/**
 * A CloudEvents 1.0 JSON event as it travels on the stream. `Type` narrows `type` to the event
 * types an event may have, so a union of events can be told apart by it.
 */
export interface CloudEvent<T = unknown, Type extends string = string> {
  specversion: '1.0';
  /** ULID; consumers deduplicate on it. */
  id: string;
  source: string;
  /** `shop.<service>.<resource>.<past-tense verb>.v<version>` */
  type: Type;
  /** The resource the event is about (the product id). */
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  /** CloudEvents partitioning extension: the Kinesis partition key. */
  partitionkey: string;
  /** X-Ray trace header of the request that caused the change, when traced. */
  traceid?: string;
  data: T;
}

export interface NewEvent<T, Type extends string = string> {
  source: string;
  type: Type;
  subject: string;
  data: T;
  partitionKey?: string;
  traceId?: string;
  time?: Date;
}

/** Wraps a change in the CloudEvents envelope; the partition key defaults to the subject. */
export function createEvent<T, Type extends string = string>(event: NewEvent<T, Type>): CloudEvent<T, Type> {
  return {
    specversion: '1.0',
    id: newId(),
    source: event.source,
    type: event.type,
    subject: event.subject,
    time: (event.time ?? new Date()).toISOString(),
    datacontenttype: 'application/json',
    partitionkey: event.partitionKey ?? event.subject,
    ...(event.traceId ? { traceid: event.traceId } : {}),
    data: event.data,
  };
}

/** Anything that can put events on the stream. */
export interface EventPublisher {
  publish(events: CloudEvent[]): Promise<void>;
  /** True while the publisher refuses new events (its queue is full); writes should answer 503 then. */
  readonly saturated?: boolean;
}

/**
 * Reads the events in one stream record: a CloudEvent (JSON object) or a CloudEvents JSON batch
 * (an array, in order), as the publisher packs them.
 */
export function decodeRecord(data: Uint8Array): CloudEvent[] {
  const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as CloudEvent | CloudEvent[];
  return Array.isArray(parsed) ? parsed : [parsed];
}
