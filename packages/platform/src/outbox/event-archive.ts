import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tableIndexes } from '../data/table-schema.js';
import type { CloudEvent } from '../events/cloud-event.js';
import { archivePartition, outboxShardCount } from './outbox-keys.js';

/** The attributes that make an item a page of the event archive. */
export function archiveAttributes(events: CloudEvent[], archiveKeyOf: (at: string) => string) {
  const first = events[0];
  if (!first) return {};
  return {
    [tableIndexes.archive.partitionKey]: archiveKeyOf(first.time),
    [tableIndexes.archive.sortKey]: first.time,
    events: events.map((event) => JSON.stringify(event)),
  };
}

export interface ArchiveQuery {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  from: Date;
  to: Date;
  /**
   * How long before `from` a page may start and still hold events of the range: a page is filed
   * under its first event, and events wait in an outbox at most as long as the stream was down.
   */
  slackMs?: number;
}

function* days(from: Date, to: Date): Generator<string> {
  const day = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()));
  while (day.getTime() <= to.getTime()) {
    yield day.toISOString().slice(0, 10);
    day.setUTCDate(day.getUTCDate() + 1);
  }
}

/**
 * Every archived event that happened in [from, to], each product's in the order they were
 * published (pages in time order, events in page order). A product's pages never overlap in
 * content except when two flushers raced, so repeats are dropped by id.
 */
export async function readArchivedEvents(query: ArchiveQuery): Promise<CloudEvent[]> {
  const { documentClient, tableName } = query;
  const pageFrom = new Date(query.from.getTime() - (query.slackMs ?? 24 * 3600_000));
  const keys: Array<{ pk: string; sk: string; at: string }> = [];
  for (const day of days(pageFrom, query.to)) {
    for (let shard = 0; shard < outboxShardCount; shard += 1) {
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documentClient.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: tableIndexes.archive.name,
            KeyConditionExpression: '#key = :key AND #at BETWEEN :from AND :to',
            ExpressionAttributeNames: {
              '#key': tableIndexes.archive.partitionKey,
              '#at': tableIndexes.archive.sortKey,
            },
            ExpressionAttributeValues: {
              ':key': archivePartition(day, shard),
              ':from': pageFrom.toISOString(),
              ':to': query.to.toISOString(),
            },
            ExclusiveStartKey: startKey,
          }),
        );
        for (const item of page.Items ?? []) {
          keys.push({ pk: String(item.pk), sk: String(item.sk), at: String(item[tableIndexes.archive.sortKey]) });
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey);
    }
  }
  keys.sort((a, b) => (a.at === b.at ? a.sk.localeCompare(b.sk) : a.at.localeCompare(b.at)));

  const pages = new Map<string, string[]>();
  for (let index = 0; index < keys.length; index += 100) {
    let request: Record<string, { Keys: Array<Record<string, unknown>>; ProjectionExpression: string }> = {
      [tableName]: {
        Keys: keys.slice(index, index + 100).map(({ pk, sk }) => ({ pk, sk })),
        ProjectionExpression: 'pk, sk, events',
      },
    };
    while (Object.keys(request).length > 0) {
      const result = await documentClient.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of result.Responses?.[tableName] ?? []) {
        pages.set(`${item.pk}|${item.sk}`, (item.events as string[] | undefined) ?? []);
      }
      request = (result.UnprocessedKeys ?? {}) as typeof request;
    }
  }

  const from = query.from.toISOString();
  const to = query.to.toISOString();
  const seen = new Set<string>();
  const events: CloudEvent[] = [];
  for (const { pk, sk } of keys) {
    for (const raw of pages.get(`${pk}|${sk}`) ?? []) {
      const event = JSON.parse(raw) as CloudEvent;
      if (event.time < from || event.time > to || seen.has(event.id)) continue;
      seen.add(event.id);
      events.push(event);
    }
  }
  return events;
}
