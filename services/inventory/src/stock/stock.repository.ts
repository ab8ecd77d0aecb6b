import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  adjustmentVersionIndex,
  entityTypes,
  isConditionalCheckFailed,
  itemKeys,
  type ProductRecord,
  productFromItem,
  tableIndexes,
} from '@shop/platform';
import {
  type AdjustmentRecord,
  defaultLowStockThreshold,
  type LedgerEntry,
  type Reservation,
  type StockCounters,
  type StockItem,
} from './stock-level.js';

/** The write's condition did not hold; the caller reads the item to tell why. */
export class StockConditionError extends Error {
  constructor(readonly productId: string) {
    super(`stock condition failed for ${productId}`);
    this.name = 'StockConditionError';
  }
}

/** One change to a stock item, applied as one conditional UpdateItem that also appends its entry. */
export interface StockChange {
  entry: LedgerEntry;
  onHandDelta: number;
  reservedDelta: number;
  /** Fails unless at least this much is available (onHand minus counted reservations). */
  requireAvailable?: number;
  /** Fails unless the item is at this version (0: does not exist yet). */
  expectedVersion?: number;
  setThreshold?: number;
  /** Sets one reservation; with `requireReservationState`, only if it is in that state (and unexpired). */
  setReservation?: { id: string; value: Reservation };
  updateReservationState?: {
    id: string;
    state: Reservation['state'];
    from: Reservation['state'];
    unexpiredAt?: number;
  };
  expireReservations?: string[];
  maxOutbox: number;
}

const initialCounters: StockCounters = {
  version: 0,
  onHand: 0,
  reserved: 0,
  lowStockThreshold: defaultLowStockThreshold,
};

function fromItem(item: Record<string, unknown>): StockItem {
  return {
    productId: String(item.productId),
    onHand: Number(item.onHand),
    reserved: Number(item.reserved),
    available: Number(item.available),
    lowStockThreshold: Number(item.lowStockThreshold),
    version: Number(item.version),
    updatedAt: String(item.updatedAt),
    reservations: (item.reservations as Record<string, Reservation> | undefined) ?? {},
    outbox: (item.outbox as LedgerEntry[] | undefined) ?? [],
    flushed: (item.flushed as StockCounters | undefined) ?? initialCounters,
  };
}

function adjustmentFromItem(item: Record<string, unknown>): AdjustmentRecord {
  const { pk, sk, adjustmentVersion, ...record } = item;
  return record as unknown as AdjustmentRecord;
}

export interface StockRepositoryOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * Stock items (`PRODUCT#<id>` / `STOCK`) and adjustment history (`PRODUCT#<id>` / `ADJ#<id>`).
 * Every change is one conditional UpdateItem on the stock item that moves the counters and
 * appends the change to the item's outbox; history and events are derived from the outbox later,
 * so no second write can be lost or applied twice.
 */
export class StockRepository {
  constructor(private readonly options: StockRepositoryOptions) {}

  private get db() {
    return this.options.documentClient;
  }

  private get table() {
    return this.options.tableName;
  }

  async get(productId: string): Promise<StockItem | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: itemKeys.stock(productId), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async getProduct(productId: string): Promise<ProductRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: itemKeys.product(productId), ConsistentRead: true }),
    );
    return Item ? productFromItem(Item) : undefined;
  }

  /** Applies a change; returns the item after it, or throws StockConditionError. */
  async apply(productId: string, change: StockChange, now: Date): Promise<StockItem> {
    const names: Record<string, string> = {
      '#onHand': 'onHand',
      '#reserved': 'reserved',
      '#available': 'available',
      '#version': 'version',
      '#outbox': 'outbox',
    };
    const values: Record<string, unknown> = {
      ':zero': 0,
      ':one': 1,
      ':onHandDelta': change.onHandDelta,
      ':reservedDelta': change.reservedDelta,
      ':availableDelta': change.onHandDelta - change.reservedDelta,
      ':entries': [change.entry],
      ':emptyList': [],
      ':now': now.toISOString(),
      ':threshold': change.setThreshold ?? defaultLowStockThreshold,
      ':flushed': initialCounters,
      ':maxOutbox': change.maxOutbox,
      ':entityType': entityTypes.stock,
      ':productId': productId,
    };
    const set = [
      '#onHand = if_not_exists(#onHand, :zero) + :onHandDelta',
      '#reserved = if_not_exists(#reserved, :zero) + :reservedDelta',
      '#available = if_not_exists(#available, :zero) + :availableDelta',
      '#version = if_not_exists(#version, :zero) + :one',
      '#outbox = list_append(if_not_exists(#outbox, :emptyList), :entries)',
      'updatedAt = :now',
      'flushed = if_not_exists(flushed, :flushed)',
      'entityType = :entityType',
      'id = :productId',
      'productId = :productId',
      change.setThreshold === undefined
        ? 'lowStockThreshold = if_not_exists(lowStockThreshold, :threshold)'
        : 'lowStockThreshold = :threshold',
    ];
    const conditions = ['(attribute_not_exists(#outbox) OR size(#outbox) < :maxOutbox)'];
    if (change.requireAvailable !== undefined) {
      values[':required'] = change.requireAvailable;
      conditions.push('#available >= :required');
    }
    if (change.expectedVersion !== undefined) {
      values[':expectedVersion'] = change.expectedVersion;
      conditions.push(change.expectedVersion === 0 ? 'attribute_not_exists(#version)' : '#version = :expectedVersion');
    }
    const touchesReservations =
      change.setReservation || change.updateReservationState || (change.expireReservations?.length ?? 0) > 0;
    if (!touchesReservations) {
      values[':emptyMap'] = {};
      set.push('reservations = if_not_exists(reservations, :emptyMap)');
    }
    if (change.setReservation) {
      names['#newReservation'] = change.setReservation.id;
      values[':reservation'] = change.setReservation.value;
      set.push('reservations.#newReservation = :reservation');
      conditions.push('attribute_exists(reservations)');
    }
    if (change.updateReservationState) {
      const update = change.updateReservationState;
      names['#reservation'] = update.id;
      names['#state'] = 'state';
      values[':toState'] = update.state;
      values[':fromState'] = update.from;
      set.push('reservations.#reservation.#state = :toState');
      conditions.push('reservations.#reservation.#state = :fromState');
      if (update.unexpiredAt !== undefined) {
        values[':unexpiredAt'] = update.unexpiredAt;
        conditions.push('reservations.#reservation.expiresAt > :unexpiredAt');
      }
    }
    change.expireReservations?.forEach((id, index) => {
      names[`#expired${index}`] = id;
      names['#state'] = 'state';
      values[':expiredState'] = 'expired';
      values[':activeState'] = 'active';
      set.push(`reservations.#expired${index}.#state = :expiredState`);
      conditions.push(`reservations.#expired${index}.#state = :activeState`);
    });
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: itemKeys.stock(productId),
          UpdateExpression: `SET ${set.join(', ')}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return fromItem(Attributes ?? {});
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new StockConditionError(productId);
      throw error;
    }
  }

  /**
   * Removes the first `count` outbox entries once their history and events are out, and records
   * the state after them; only if the outbox still starts with `firstEntryId` (another flusher may
   * have done it). Keeps the sparse low-stock attribute in line with that state.
   */
  async completeEntries(
    productId: string,
    firstEntryId: string,
    count: number,
    flushed: StockCounters,
    low: boolean,
  ): Promise<boolean> {
    // Highest index first: DynamoDB removes the listed positions as a set, dynalite one after the
    // other (shifting the list as it goes); in descending order both remove the same entries.
    const removals = Array.from({ length: count }, (_, index) => `#outbox[${count - 1 - index}]`);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: itemKeys.stock(productId),
          UpdateExpression: `SET flushed = :flushed${low ? ', #lowStockKey = :low' : ''} REMOVE ${removals.join(', ')}${low ? '' : ', #lowStockKey'}`,
          ConditionExpression: '#outbox[0].id = :firstEntryId',
          ExpressionAttributeNames: { '#outbox': 'outbox', '#lowStockKey': tableIndexes.lowStock.partitionKey },
          ExpressionAttributeValues: {
            ':flushed': flushed,
            ':firstEntryId': firstEntryId,
            ...(low ? { ':low': 'LOW' } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Writes history entries; the same entry written twice is the same item. */
  async putAdjustments(records: AdjustmentRecord[]): Promise<void> {
    for (let start = 0; start < records.length; start += 25) {
      let requests: Array<Record<string, unknown>> = records.slice(start, start + 25).map((record) => ({
        PutRequest: {
          Item: {
            ...itemKeys.adjustment(record.productId, record.id),
            [adjustmentVersionIndex.sortKey]: record.version,
            ...record,
          },
        },
      }));
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
        const result = await this.db.send(new BatchWriteCommand({ RequestItems: { [this.table]: requests as never } }));
        requests = (result.UnprocessedItems?.[this.table] as Array<Record<string, unknown>> | undefined) ?? [];
        if (attempt > 8 && requests.length > 0) throw new Error('history entries could not be written');
      }
    }
  }

  async getAdjustment(productId: string, adjustmentId: string): Promise<AdjustmentRecord | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: itemKeys.adjustment(productId, adjustmentId),
        ConsistentRead: true,
      }),
    );
    return Item ? adjustmentFromItem(Item) : undefined;
  }

  /** Stored history, newest first, of versions below `beforeVersion`. */
  async listAdjustments(productId: string, limit: number, beforeVersion: number): Promise<AdjustmentRecord[]> {
    if (limit <= 0 || beforeVersion <= 1) return [];
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: adjustmentVersionIndex.name,
        KeyConditionExpression: 'pk = :pk AND #version < :before',
        ExpressionAttributeNames: { '#version': adjustmentVersionIndex.sortKey },
        ExpressionAttributeValues: { ':pk': itemKeys.product(productId).pk, ':before': beforeVersion },
        ScanIndexForward: false,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return Items.map(adjustmentFromItem);
  }

  /** Stock items through an index (every tracked item, or the sparse low-stock one), by product id. */
  async listStock(
    which: 'all' | 'low',
    limit: number,
    afterProductId?: string,
  ): Promise<{ items: StockItem[]; hasMore: boolean }> {
    const index = which === 'low' ? tableIndexes.lowStock : tableIndexes.entity;
    const partition = which === 'low' ? 'LOW' : entityTypes.stock;
    const items: StockItem[] = [];
    let startKey: Record<string, unknown> | undefined = afterProductId
      ? { ...itemKeys.stock(afterProductId), [index.partitionKey]: partition, [index.sortKey]: afterProductId }
      : undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: index.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': index.partitionKey },
          ExpressionAttributeValues: { ':pk': partition },
          Limit: limit + 1 - items.length,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      items.push(...(page.Items ?? []).map(fromItem));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length <= limit);
    return { items: items.slice(0, limit), hasMore: items.length > limit };
  }
}
