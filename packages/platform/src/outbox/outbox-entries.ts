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

/** The attribute that keeps what an item's outbox entries cost it, for owners that bound it by bytes. */
export const outboxBytesAttribute = 'outboxBytes';

/** What an entry costs the item that holds it: its UTF-8 bytes plus DynamoDB's byte per list element. */
export function outboxEntryBytes(entry: string): number {
  return Buffer.byteLength(entry, 'utf8') + 1;
}

export interface AppendOptions {
  /**
   * Keeps the item's `outboxBytes` (what its entries cost it) and adds a condition that refuses
   * the write when the new entries would take it past this many bytes.
   */
  maxBytes?: number;
}

/** The parts of an update that append entries to an item's outbox. */
export interface OutboxAppend {
  set: string[];
  names: Record<string, string>;
  values: { ':outboxEntries': string[]; ':outboxKey': string; ':outboxNow': string; [name: string]: unknown };
  /** Joined to the write's condition with AND (empty unless the outbox is bounded by bytes). */
  conditions: string[];
  /** What the entries add to the item's `outboxBytes`. */
  bytes: number;
}

/**
 * The update clauses that append `entries` to an item's outbox and file the item in the sparse
 * outbox index (keeping the time its oldest pending entry was written). Part of the same
 * conditional write as the change itself.
 */
export function appendToOutbox(
  owner: OutboxOwner,
  productId: string,
  entries: string[],
  now: Date,
  options: AppendOptions = {},
): OutboxAppend {
  const bytes = entries.reduce((sum, entry) => sum + outboxEntryBytes(entry), 0);
  const append: OutboxAppend = {
    set: [
      '#outbox = list_append(if_not_exists(#outbox, :noEntries), :outboxEntries)',
      '#outboxKey = :outboxKey',
      '#outboxSince = if_not_exists(#outboxSince, :outboxNow)',
    ],
    names: { ...outboxNames },
    values: {
      ':noEntries': [],
      ':outboxEntries': entries,
      ':outboxKey': outboxKey(owner, productId),
      ':outboxNow': now.toISOString(),
    },
    conditions: [],
    bytes,
  };
  if (options.maxBytes !== undefined) {
    append.set.push('#outboxBytes = if_not_exists(#outboxBytes, :noBytes) + :outboxAddedBytes');
    append.names['#outboxBytes'] = outboxBytesAttribute;
    Object.assign(append.values, {
      ':noBytes': 0,
      ':outboxAddedBytes': bytes,
      ':outboxBytesRoom': options.maxBytes - bytes,
    });
    append.conditions.push('(attribute_not_exists(#outboxBytes) OR #outboxBytes <= :outboxBytesRoom)');
  }
  return append;
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
  /**
   * When the oldest entry left behind was written: the time of the entry after the removed ones,
   * or, when the read saw none, the time of the read (entries appended since are younger). It
   * becomes the item's `outboxSince`, the age the relay judges it by; the removal's own time when
   * left out.
   */
  remainingSince?: string;
  /** What the removed entries cost (`outboxEntryBytes`), for an outbox bounded by bytes. */
  removedBytes?: number;
  /** More clauses for the same update (e.g. the state after the handled entries). */
  set?: string[];
  remove?: string[];
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

/**
 * Removes the first `count` outbox entries once their events are out. When that empties the
 * outbox the item also leaves the outbox index; when newer entries remain it stays filed, with
 * the time of the oldest of them, so the relay finds them if their writer never flushes. Resolves
 * false when the outbox no longer starts with `firstEntry` (another flusher got there first).
 */
export async function removeOutboxEntries(options: RemoveEntriesOptions): Promise<boolean> {
  // Highest index first: DynamoDB removes the listed positions as a set, dynalite one after the
  // other (shifting the list as it goes); in descending order both remove the same entries.
  const removals = Array.from({ length: options.count }, (_, index) => `#outbox[${options.count - 1 - index}]`);
  const bounded = options.removedBytes !== undefined;
  const attempt = async (emptying: boolean) => {
    const set = [
      ...(options.set ?? []),
      ...(emptying ? [] : ['#outboxSince = :remainingSince']),
      ...(bounded && !emptying ? ['#outboxBytes = if_not_exists(#outboxBytes, :removedBytes) - :removedBytes'] : []),
    ];
    const remove = [
      ...removals,
      ...(options.remove ?? []),
      ...(emptying ? ['#outboxKey', '#outboxSince'] : []),
      ...(bounded && emptying ? ['#outboxBytes'] : []),
    ];
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
            ...(bounded ? { '#outboxBytes': outboxBytesAttribute } : {}),
            ...options.names,
          },
          ExpressionAttributeValues: {
            ':firstEntry': options.firstEntry,
            ':count': options.count,
            ...(emptying ? {} : { ':remainingSince': options.remainingSince ?? new Date().toISOString() }),
            ...(bounded && !emptying ? { ':removedBytes': options.removedBytes } : {}),
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
