import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionalCheckFailed } from '../aws/dynamodb-errors.js';
import { tableIndexes } from '../data/table-schema.js';
import { type OutboxOwner, outboxKey } from './outbox-keys.js';

/** The attribute holding an item's unpublished entries (JSON strings, oldest first). */
export const outboxAttribute = 'outbox';

const bytesAttribute = 'outboxBytes';

const outboxNames = {
  '#outbox': outboxAttribute,
  '#outboxKey': tableIndexes.outbox.partitionKey,
  '#outboxSince': tableIndexes.outbox.sortKey,
};

/** What an entry costs the item that holds it: its UTF-8 bytes plus DynamoDB's byte per list element. */
export function outboxEntryBytes(entry: string): number {
  return Buffer.byteLength(entry, 'utf8') + 1;
}

const bytesOf = (entries: readonly string[]) => entries.reduce((sum, entry) => sum + outboxEntryBytes(entry), 0);

/** How an owner bounds its items' outboxes; a write that would pass the bound fails its condition. */
export interface OutboxBounds {
  /** Most bytes of entries an item may hold (`outboxEntryBytes` each); kept in `outboxBytes`. */
  maxBytes?: number;
  /** Most entries an item may hold. */
  maxEntries?: number;
}

/** A change to one item, in DynamoDB expression parts; the outbox adds its own and sends it. */
export interface ItemChange {
  key: Record<string, string>;
  set?: string[];
  remove?: string[];
  conditions?: string[];
  names?: Record<string, string>;
  values?: Record<string, unknown>;
  /** Answer the item as the change left it (costs the item's size in read units). */
  returnItem?: boolean;
}

/** A batch of entries handled by a flusher, as read: it is removed only while the outbox still starts with it. */
export interface HandledEntries {
  /** The first entries of the outbox as read and stored. */
  entries: readonly string[];
  /** How long the outbox was when read: decides which removal is tried first. */
  lengthWhenRead: number;
  /**
   * When the oldest entry left behind was written (the time of the entry after the handled ones,
   * or the read's when it saw none): it becomes the `outboxSince` the relay judges the item by.
   */
  remainingSince: string;
}

export interface OutboxRepositoryOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  /** The service whose relay sweeps these items. */
  owner: OutboxOwner;
  bounds?: OutboxBounds;
  /**
   * Refuse a write whose first entry the outbox already holds: the SDK resending a write whose
   * answer was lost must not apply it twice. Needed by owners whose writes are not conditional on
   * the item's version; it costs the entry sent twice and a scan of the outbox per write.
   */
  refuseRepeats?: boolean;
}

/**
 * The transactional outbox on an owner's items: each change and its entries are one conditional
 * write, and the item is filed in the sparse outbox index (with the time its oldest pending entry
 * was written) until a flusher has published and removed them. Owns every expression that touches
 * `outbox`, `outboxBytes` and the index attributes.
 */
export class OutboxRepository {
  constructor(private readonly options: OutboxRepositoryOptions) {}

  /** Writes a new item holding `entries`, under the caller's condition (e.g. that it does not exist). */
  async put(
    productId: string,
    item: Record<string, unknown>,
    entries: string[],
    now: Date,
    condition: { expression: string; names?: Record<string, string> },
  ): Promise<void> {
    await this.options.documentClient.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: {
          ...item,
          [outboxAttribute]: entries,
          ...(this.options.bounds?.maxBytes === undefined ? {} : { [bytesAttribute]: bytesOf(entries) }),
          [tableIndexes.outbox.partitionKey]: outboxKey(this.options.owner, productId),
          [tableIndexes.outbox.sortKey]: now.toISOString(),
        },
        ConditionExpression: condition.expression,
        ExpressionAttributeNames: condition.names,
      }),
    );
  }

  /**
   * Applies `change` and appends `entries` in one conditional update, refused while the outbox has
   * no room for them or (with `refuseRepeats`) already holds the first of them.
   * Resolves with the item after it when `returnItem` asks; a failed condition rejects as
   * DynamoDB's ConditionalCheckFailed.
   */
  async update(productId: string, change: ItemChange, entries: string[], now: Date) {
    const { maxBytes, maxEntries } = this.options.bounds ?? {};
    const bytes = bytesOf(entries);
    const set = [
      ...(change.set ?? []),
      '#outbox = list_append(if_not_exists(#outbox, :noEntries), :outboxEntries)',
      '#outboxKey = :outboxKey',
      '#outboxSince = if_not_exists(#outboxSince, :outboxNow)',
    ];
    const names: Record<string, string> = { ...change.names, ...outboxNames };
    const values: Record<string, unknown> = {
      ...change.values,
      ':noEntries': [],
      ':outboxEntries': entries,
      ':outboxKey': outboxKey(this.options.owner, productId),
      ':outboxNow': now.toISOString(),
    };
    const conditions = [...(change.conditions ?? [])];
    if (this.options.refuseRepeats && entries[0] !== undefined) {
      values[':firstNewEntry'] = entries[0];
      conditions.push('NOT contains(#outbox, :firstNewEntry)');
    }
    if (maxEntries !== undefined) {
      values[':outboxRoom'] = maxEntries - entries.length;
      conditions.push('(attribute_not_exists(#outbox) OR size(#outbox) <= :outboxRoom)');
    }
    if (maxBytes !== undefined) {
      set.push('#outboxBytes = if_not_exists(#outboxBytes, :noBytes) + :outboxAddedBytes');
      names['#outboxBytes'] = bytesAttribute;
      Object.assign(values, { ':noBytes': 0, ':outboxAddedBytes': bytes, ':outboxBytesRoom': maxBytes - bytes });
      conditions.push('(attribute_not_exists(#outboxBytes) OR #outboxBytes <= :outboxBytesRoom)');
    }
    const remove = change.remove ?? [];
    const { Attributes } = await this.options.documentClient.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: change.key,
        UpdateExpression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
        ConditionExpression: conditions.length > 0 ? conditions.join(' AND ') : undefined,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ...(change.returnItem ? { ReturnValues: 'ALL_NEW' as const } : {}),
      }),
    );
    return Attributes;
  }

  /** Whether the item's outbox has room for `entries` more bytes (false only for an outbox bounded by bytes). */
  async hasRoom(key: Record<string, string>, entries: string[]): Promise<boolean> {
    const { maxBytes } = this.options.bounds ?? {};
    if (maxBytes === undefined) return true;
    const { Item } = await this.options.documentClient.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: key,
        ConsistentRead: true,
        ProjectionExpression: '#bytes',
        ExpressionAttributeNames: { '#bytes': bytesAttribute },
      }),
    );
    return Number(Item?.[bytesAttribute] ?? 0) + bytesOf(entries) <= maxBytes;
  }

  /**
   * Removes the handled entries once their events are out, with `also` in the same update (e.g.
   * the state after them). When that empties the outbox the item leaves the outbox index; when
   * newer entries remain it stays filed, with the time of the oldest of them, so the relay finds
   * them if their writer never flushes. False when the outbox no longer starts with the batch
   * (another flusher got there first).
   */
  async remove(
    key: Record<string, string>,
    handled: HandledEntries,
    also: Omit<ItemChange, 'key' | 'returnItem'> = {},
  ) {
    // Highest index first: DynamoDB removes the listed positions as a set, dynalite one after the
    // other (shifting the list as it goes); in descending order both remove the same entries.
    const count = handled.entries.length;
    const removals = Array.from({ length: count }, (_, index) => `#outbox[${count - 1 - index}]`);
    const bounded = this.options.bounds?.maxBytes !== undefined;
    const attempt = (emptying: boolean) => {
      const set = [
        ...(also.set ?? []),
        ...(emptying ? [] : ['#outboxSince = :remainingSince']),
        ...(bounded && !emptying ? ['#outboxBytes = if_not_exists(#outboxBytes, :removedBytes) - :removedBytes'] : []),
      ];
      const remove = [
        ...removals,
        ...(also.remove ?? []),
        ...(emptying ? ['#outboxKey', '#outboxSince'] : []),
        ...(bounded && emptying ? ['#outboxBytes'] : []),
      ];
      return this.whenHolding(
        handled.entries,
        `size(#outbox) ${emptying ? '=' : '>'} :count`,
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: key,
          UpdateExpression: `${set.length > 0 ? `SET ${set.join(', ')} ` : ''}REMOVE ${remove.join(', ')}`,
          ExpressionAttributeNames: {
            '#outbox': outboxNames['#outbox'],
            '#outboxSince': outboxNames['#outboxSince'],
            ...(emptying ? { '#outboxKey': outboxNames['#outboxKey'] } : {}),
            ...(bounded ? { '#outboxBytes': bytesAttribute } : {}),
            ...also.names,
          },
          ExpressionAttributeValues: {
            ...(emptying ? {} : { ':remainingSince': handled.remainingSince }),
            ...(bounded && !emptying ? { ':removedBytes': bytesOf(handled.entries) } : {}),
            ...also.values,
          },
        }),
      );
    };
    const emptyingFirst = handled.lengthWhenRead <= count;
    return (await attempt(emptyingFirst)) || attempt(!emptyingFirst);
  }

  /** Deletes an item whose outbox holds exactly `entries` (none: an empty outbox), under `condition` too. */
  deleteItem(key: Record<string, string>, entries: readonly string[], condition: string): Promise<boolean> {
    return this.whenHolding(
      entries,
      `${condition} AND size(#outbox) = :count`,
      new DeleteCommand({
        TableName: this.options.tableName,
        Key: key,
        ExpressionAttributeNames: { '#outbox': outboxAttribute },
      }),
    );
  }

  // Sends `command` on condition that the outbox starts with the handled entries; false when it does not.
  private async whenHolding(entries: readonly string[], condition: string, command: UpdateCommand | DeleteCommand) {
    const [firstEntry] = entries;
    command.input.ConditionExpression = `${firstEntry === undefined ? '' : '#outbox[0] = :firstEntry AND '}${condition}`;
    command.input.ExpressionAttributeValues = {
      ...command.input.ExpressionAttributeValues,
      ...(firstEntry === undefined ? {} : { ':firstEntry': firstEntry }),
      ':count': entries.length,
    };
    try {
      await this.options.documentClient.send(command as UpdateCommand);
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}
