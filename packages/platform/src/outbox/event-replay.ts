import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventPublisher } from '../events/cloud-event.js';
import { readArchivedEvents } from './event-archive.js';

export interface ReplayOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  publisher: EventPublisher;
  from: Date;
  to: Date;
  /** Events handed to the publisher at once. */
  chunkSize?: number;
}

/**
 * Republishes every archived event that happened in [from, to], each product's in their original
 * order and with their original ids, so consumers that dedupe on id count nothing twice and a
 * consumer rebuilding its state sees the history again.
 */
export async function replayEvents(options: ReplayOptions): Promise<{ events: number; products: number }> {
  const events = await readArchivedEvents(options);
  const chunkSize = options.chunkSize ?? 1_000;
  for (let index = 0; index < events.length; index += chunkSize) {
    await options.publisher.publish(events.slice(index, index + chunkSize));
  }
  return { events: events.length, products: new Set(events.map((event) => event.subject)).size };
}
