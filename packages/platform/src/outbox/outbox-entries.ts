import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '../aws/dynamodb-errors.js';
import { tableIndexes } from '../data/table-schema.js';
import { type OutboxOwner, outboxKey } from './outbox-keys.js';

const outboxNames = {
  '#outbox': 'outbox',
  '#outboxKey': tableIndexes.outbox.partitionKey,
  '#outboxSince': tableIndexes.outbox.sortKey,
};

/**
 * The update clauses that append `entries` to an item's outbox and file the item in the sparse
 * outbox index (keeping the time its oldest pending entry was written). Part of the same
 * conditional write as the change itself.
 */
export function appendToOutbox(owner: OutboxOwner, productId: string, entries: string[], now: Date) {
  return {
    set: [
      '#outbox = list_append(if_not_exists(#outbox, :noEntries), :outboxEntries)',
      '#outboxKey = :outboxKey',
      '#outboxSince = if_not_exists(#outboxSince, :outboxNow)',
    ],
    names: outboxNames,
    values: {
      ':noEntries': [],
      ':outboxEntries': entries,
      ':outboxKey': outboxKey(owner, productId),
      ':outboxNow': now.toISOString(),
    },
  };
}

export interface RemoveEntriesOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  key: Record<string, string>;
  /** The first handled entry as stored; the removal only happens while the outbox still starts with it. */
  firstEntry: string;
  count: number;
  /** How long the outbox was when read: decides which removal is tried first. */
  lengthWhenRead: number;
  /** More clauses for the same update (e.g. the state after the handled entries). */
  set?: string[];
  remove?: string[];
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/**
 * Removes the first `count` outbox entries once their events are out. When that empties the
 * outbox the item also leaves the outbox index; when newer entries remain it stays filed, with
 * their time, so the relay finds them if their writer never flushes. Resolves false when the
 * outbox no longer starts with `firstEntry` (another flusher got there first).
 */
export async function removeOutboxEntries(options: RemoveEntriesOptions): Promise<boolean> {
  // Highest index first: DynamoDB removes the listed positions as a set, dynalite one after the
  // other (shifting the list as it goes); in descending order both remove the same entries.
  const removals = Array.from({ length: options.count }, (_, index) => `#outbox[${options.count - 1 - index}]`);
  const attempt = async (emptying: boolean) => {
    const set = [...(options.set ?? []), ...(emptying ? [] : ['#outboxSince = :outboxNow'])];
    const remove = [...removals, ...(options.remove ?? []), ...(emptying ? ['#outboxKey', '#outboxSince'] : [])];
    try {
      await options.documentClient.send(
        new UpdateCommand({
          TableName: options.tableName,
          Key: options.key,
          UpdateExpression: `${set.length > 0 ? `SET ${set.join(', ')} ` : ''}REMOVE ${remove.join(', ')}`,
          ConditionExpression: `#outbox[0] = :firstEntry AND size(#outbox) ${emptying ? '=' : '>'} :count`,
          ExpressionAttributeNames: {
            '#outbox': outboxNames['#outbox'],
            '#outboxSince': outboxNames['#outboxSince'],
            ...(emptying ? { '#outboxKey': outboxNames['#outboxKey'] } : {}),
            ...options.names,
          },
          ExpressionAttributeValues: {
            ':firstEntry': options.firstEntry,
            ':count': options.count,
            ...(emptying ? {} : { ':outboxNow': new Date().toISOString() }),
            ...options.values,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  };
  const emptyingFirst = options.lengthWhenRead <= options.count;
  return (await attempt(emptyingFirst)) || attempt(!emptyingFirst);
}
