import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from '@aws-sdk/client-kinesis';
import { type CloudEvent, decodeRecord } from '@shop/platform';

/** An event as read from the stream, with the time its record reached it. */
export interface Arrival {
  event: CloudEvent;
  /** The record's ApproximateArrivalTimestamp, in ms since the epoch. */
  arrivedAt: number;
}

/** Every event on the stream, oldest first per shard, with when its record arrived. */
export async function readStreamArrivals(kinesis: KinesisClient, streamName: string): Promise<Arrival[]> {
  const arrivals: Arrival[] = [];
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of Shards) {
    let { ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const record of page.Records ?? []) {
        const arrivedAt = record.ApproximateArrivalTimestamp?.getTime() ?? Number.NaN;
        for (const event of decodeRecord(record.Data ?? new Uint8Array())) arrivals.push({ event, arrivedAt });
      }
      iterator = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
    }
  }
  return arrivals;
}

/** The first copy of each event by id (consumers dedupe on it), in the order given. */
export function firstCopies(arrivals: Arrival[]): Arrival[] {
  const seen = new Set<string>();
  return arrivals.filter(({ event }) => !seen.has(event.id) && seen.add(event.id));
}

/** Events per second that arrived inside the given time windows (ms since the epoch). */
export function arrivalRate(arrivals: Arrival[], windows: Array<{ start: number; end: number }>): number {
  const inside = arrivals.filter(({ arrivedAt }) =>
    windows.some((window) => arrivedAt >= window.start && arrivedAt < window.end),
  ).length;
  const seconds = windows.reduce((sum, window) => sum + (window.end - window.start) / 1000, 0);
  return seconds > 0 ? inside / seconds : 0;
}
