import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  appendToOutbox,
  archiveAttributes,
  archiveKey,
  type CloudEvent,
  entityTypes,
  historyPageSortKeyPrefix,
  isConditionalCheckFailed,
  itemKeys,
  type ProductRecord,
  productFromItem,
  queryIndexPage,
  removeOutboxEntries,
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

/**
 * Changes to a stock item applied as one conditional UpdateItem that also appends their entries,
 * one version each. Several entries are several concurrent changes committed together.
 */
export interface StockChange {
  entries: LedgerEntry[];
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

// The outbox is parsed on first use: a committed write's answer carries it, but only the flusher
// reads it, and parsing it on every write of a busy item would cost each sale.
function fromItem(item: Record<string, unknown>): StockItem {
  const rawOutbox = (item.outbox as string[] | undefined) ?? [];
  let outbox: LedgerEntry[] | undefined;
  return {
    productId: String(item.productId),
    onHand: Number(item.onHand),
    reserved: Number(item.reserved),
    available: Number(item.available),
    lowStockThreshold: Number(item.lowStockThreshold),
    version: Number(item.version),
    updatedAt: String(item.updatedAt),
    reservations: (item.reservations as Record<string, Reservation> | undefined) ?? {},
    get outbox() {
      outbox ??= rawOutbox.map((entry) => JSON.parse(entry) as LedgerEntry);
      return outbox;
    },
    flushed: (item.flushed as StockCounters | undefined) ?? initialCounters,
    ...(item.productDeleted ? { productDeleted: true } : {}),
  };
}

const pageOf = (item: Record<string, unknown>): AdjustmentRecord[] =>
  (item.records as string[]).map((record) => JSON.parse(record) as AdjustmentRecord);

export interface StockRepositoryOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
}

/**
 * Stock items (`PRODUCT#<id>` / `STOCK`) and adjustment history pages (`PRODUCT#<id>` /
 * `HIST#<first version>`). Every change is one conditional UpdateItem on the existing stock item
 * that moves the counters and appends the change to the item's outbox; history and events are
 * derived from the outbox later, so no second write can be lost or applied twice. A stock item
 * whose product catalog deleted carries `productDeleted` and takes no more changes.
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

  /** Creates the stock item of a product at zero, unless it exists. */
  async create(productId: string, now: Date): Promise<void> {
    await this.db
      .send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...itemKeys.stock(productId),
            [tableIndexes.stock.partitionKey]: entityTypes.stock,
            id: productId,
            productId,
            ...initialCounters,
            available: 0,
            reservations: {},
            outbox: [],
            flushed: initialCounters,
            updatedAt: now.toISOString(),
            // Zero is at or below any threshold: a new stock level starts on the low-stock list.
            [tableIndexes.lowStock.partitionKey]: 'LOW',
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      });
  }

  /** Applies a change to an existing, live stock item; returns the item after it, or throws StockConditionError. */
  async apply(productId: string, change: StockChange, now: Date): Promise<StockItem> {
    // Entries are stored as JSON strings: one string per change keeps every write of a busy stock
    // item cheap, where nested maps cost the store per attribute on each rewrite.
    const outbox = appendToOutbox(
      'inventory',
      productId,
      change.entries.map((entry) => JSON.stringify(entry)),
      now,
    );
    const names: Record<string, string> = { '#version': 'version', ...outbox.names };
    const values: Record<string, unknown> = {
      ...outbox.values,
      ':versions': change.entries.length,
      ':now': now.toISOString(),
      ':outboxRoom': change.maxOutbox - change.entries.length,
    };
    const set = ['#version = #version + :versions', ...outbox.set, 'updatedAt = :now'];
    // Only counters that move are in the expression: the shorter it is, the cheaper each write.
    const move = (attribute: 'onHand' | 'reserved' | 'available', delta: number) => {
      if (delta === 0) return;
      names[`#${attribute}`] = attribute;
      values[`:${attribute}Delta`] = delta;
      set.push(`#${attribute} = #${attribute} + :${attribute}Delta`);
    };
    move('onHand', change.onHandDelta);
    move('reserved', change.reservedDelta);
    move('available', change.onHandDelta - change.reservedDelta);
    if (change.setThreshold !== undefined) {
      values[':threshold'] = change.setThreshold;
      set.push('lowStockThreshold = :threshold');
    }
    const conditions = ['attribute_exists(pk)', 'attribute_not_exists(productDeleted)', 'size(#outbox) <= :outboxRoom'];
    // A request whose answer was lost (a timeout) is sent again by the SDK; the change must not
    // apply twice, so a write whose first entry is already in the outbox fails its condition.
    const firstEntry = outbox.values[':outboxEntries'][0];
    if (firstEntry !== undefined) {
      values[':firstNewEntry'] = firstEntry;
      conditions.push('NOT contains(#outbox, :firstNewEntry)');
    }
    if (change.requireAvailable !== undefined) {
      names['#available'] = 'available';
      values[':required'] = change.requireAvailable;
      conditions.push('#available >= :required');
    }
    if (change.expectedVersion !== undefined) {
      values[':expectedVersion'] = change.expectedVersion;
      conditions.push('#version = :expectedVersion');
    }
    if (change.setReservation) {
      names['#newReservation'] = change.setReservation.id;
      values[':reservation'] = change.setReservation.value;
      set.push('reservations.#newReservation = :reservation');
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
   * the state after them; only if the outbox still starts with `firstEntry` (another flusher may
   * have done it). Keeps the sparse low-stock attribute in line with that state. `remainingSince`
   * is when the oldest entry left behind was written.
   */
  async completeEntries(
    productId: string,
    firstEntry: LedgerEntry,
    handled: { count: number; lengthWhenRead: number; remainingSince: string },
    flushed: StockCounters,
    low: boolean,
  ): Promise<boolean> {
    return removeOutboxEntries({
      documentClient: this.db,
      tableName: this.table,
      key: itemKeys.stock(productId),
      firstEntry: JSON.stringify(firstEntry),
      ...handled,
      set: ['flushed = :flushed', ...(low ? ['#lowStockKey = :low'] : [])],
      remove: low ? [] : ['#lowStockKey'],
      names: { '#lowStockKey': tableIndexes.lowStock.partitionKey },
      values: { ':flushed': flushed, ...(low ? { ':low': 'LOW' } : {}) },
    });
  }

  /**
   * Stores one flush round's history as one page keyed by its first version. Rounds that start at
   * the same version hold the same first records (the outbox only grows at its end), so a page is
   * only replaced by a longer one: two flushers racing cannot shorten it.
   */
  async putHistoryPage(
    productId: string,
    firstVersion: number,
    records: AdjustmentRecord[],
    events: CloudEvent[],
  ): Promise<void> {
    if (records.length === 0 && events.length === 0) return;
    await this.db
      .send(
        new PutCommand({
          TableName: this.table,
          // JSON strings, like outbox entries: one string per record is cheap for the store to copy.
          // The page also files the round's events in the event archive, for replays.
          Item: {
            ...itemKeys.historyPage(productId, firstVersion),
            records: records.map((record) => JSON.stringify(record)),
            ...archiveAttributes(events, (at) => archiveKey(at, productId)),
            roundSize: records.length + events.length,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR roundSize < :roundSize',
          ExpressionAttributeValues: { ':roundSize': records.length + events.length },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      });
  }

  /** Stored history, newest first, of versions below `beforeVersion`, up to `limit` records. */
  async listHistory(productId: string, limit: number, beforeVersion: number): Promise<AdjustmentRecord[]> {
    const records: AdjustmentRecord[] = [];
    const seen = new Set<number>();
    if (limit <= 0 || beforeVersion <= 1) return records;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :first AND :last',
          ExpressionAttributeValues: {
            ':pk': itemKeys.product(productId).pk,
            ':first': historyPageSortKeyPrefix,
            ':last': itemKeys.historyPage(productId, beforeVersion - 1).sk,
          },
          ScanIndexForward: false,
          ConsistentRead: true,
          // Pages also hold the round's events (the archive); a listing needs only the records.
          ProjectionExpression: 'pk, sk, #records',
          ExpressionAttributeNames: { '#records': 'records' },
          Limit: 10,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      // Pages written from different reads may overlap; a version is listed once.
      for (const item of page.Items ?? []) {
        const pageRecords = pageOf(item).filter(
          (record) => record.version < beforeVersion && !seen.has(record.version),
        );
        for (const record of pageRecords) seen.add(record.version);
        records.push(...pageRecords.reverse());
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey && records.length < limit);
    return records.slice(0, limit);
  }

  /** Finds a stored adjustment by id among the newest history pages (for retried requests). */
  async findRecentAdjustment(productId: string, adjustmentId: string): Promise<AdjustmentRecord | undefined> {
    const { Items = [] } = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': itemKeys.product(productId).pk, ':prefix': historyPageSortKeyPrefix },
        ScanIndexForward: false,
        ConsistentRead: true,
        ProjectionExpression: 'pk, sk, #records',
        ExpressionAttributeNames: { '#records': 'records' },
        Limit: 100,
      }),
    );
    for (const item of Items) {
      const found = pageOf(item).find((record) => record.id === adjustmentId);
      if (found) return found;
    }
    return undefined;
  }

  /** Stock items through an index (every tracked item, or the sparse low-stock one), by product id. */
  async listStock(
    which: 'all' | 'low',
    limit: number,
    afterProductId?: string,
  ): Promise<{ items: StockItem[]; hasMore: boolean }> {
    const index = which === 'low' ? tableIndexes.lowStock : tableIndexes.stock;
    const partitionValue = which === 'low' ? 'LOW' : entityTypes.stock;
    const { items: keys, hasMore } = await queryIndexPage(this.db, {
      tableName: this.table,
      index,
      partitionValue,
      limit,
      ...(afterProductId
        ? {
            after: {
              ...itemKeys.stock(afterProductId),
              [index.partitionKey]: partitionValue,
              [index.sortKey]: afterProductId,
            },
          }
        : {}),
    });
    // The indexes hold keys only (a sale must not rewrite an index copy); the page reads the items.
    const items = await Promise.all(keys.map((key) => this.get(String(key[index.sortKey]))));
    return { items: items.filter((item): item is StockItem => item !== undefined), hasMore };
  }
}
