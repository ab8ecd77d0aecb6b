import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  archiveAttributes,
  archiveKey,
  type CloudEvent,
  entityTypes,
  type HandledEntries,
  historyPageSortKeyPrefix,
  type ItemChange,
  isConditionalCheckFailed,
  itemKeys,
  OutboxRepository,
  outboxAttribute,
  type ProductRecord,
  productFromItem,
  queryIndexPage,
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
  const rawOutbox = (item[outboxAttribute] as string[] | undefined) ?? [];
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
    storedOutbox: rawOutbox,
    flushed: (item.flushed as StockCounters | undefined) ?? initialCounters,
    ...(item.productDeleted ? { productDeleted: true } : {}),
  };
}

const pageOf = (item: Record<string, unknown>): AdjustmentRecord[] =>
  (item.records as string[]).map((record) => JSON.parse(record) as AdjustmentRecord);

export interface StockRepositoryOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  /** The service whose relay sweeps the stock items' outboxes. */
  outboxOwner: string;
  /** Most changes a stock item may hold unpublished; a change past it is refused. */
  maxOutbox: number;
}

/**
 * Stock items (`PRODUCT#<id>` / `STOCK`) and adjustment history pages (`PRODUCT#<id>` /
 * `HIST#<first version>`). Every change is one conditional UpdateItem on the existing stock item
 * that moves the counters and appends the change to the item's outbox; history and events are
 * derived from the outbox later, so no second write can be lost or applied twice. A stock item
 * whose product catalog deleted carries `productDeleted` and takes no more changes.
 */
export class StockRepository {
  private readonly outbox: OutboxRepository;

  constructor(private readonly options: StockRepositoryOptions) {
    this.outbox = new OutboxRepository({
      documentClient: options.documentClient,
      tableName: options.tableName,
      owner: options.outboxOwner,
      bounds: { maxEntries: options.maxOutbox },
      // A stock change is not conditional on the version (hot items take many at once).
      refuseRepeats: true,
    });
  }

  /** Whether the item's outbox is full, so that changes wait for a flush. */
  outboxFull(item: StockItem): boolean {
    return item.outbox.length >= this.options.maxOutbox;
  }

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
            [outboxAttribute]: [],
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

  /**
   * Applies a change to an existing, live stock item and appends its entries to the outbox, in one
   * conditional write; resolves with the item after it, or undefined when a condition failed.
   */
  async apply(productId: string, change: StockChange, now: Date): Promise<StockItem | undefined> {
    // Entries are stored as JSON strings: one string per change keeps every write of a busy stock
    // item cheap, where nested maps cost the store per attribute on each rewrite.
    const entries = change.entries.map((entry) => JSON.stringify(entry));
    try {
      return fromItem(
        (await this.outbox.update(productId, changeExpression(productId, change, now), entries, now)) ?? {},
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  /**
   * Removes the handled entries once their history and events are out, and records the state after
   * them; false when another flusher did first. Keeps the sparse low-stock attribute in line with
   * that state.
   */
  completeEntries(productId: string, handled: HandledEntries, flushed: StockCounters, low: boolean): Promise<boolean> {
    return this.outbox.remove(itemKeys.stock(productId), handled, {
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

// The change's own clauses: only counters that move are in the expression, since the shorter it
// is, the cheaper each write of a busy item.
function changeExpression(productId: string, change: StockChange, now: Date): ItemChange {
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = { ':versions': change.entries.length, ':now': now.toISOString() };
  const set = ['#version = #version + :versions', 'updatedAt = :now'];
  const conditions = ['attribute_exists(pk)', 'attribute_not_exists(productDeleted)'];
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
  if (change.requireAvailable !== undefined) {
    names['#available'] = 'available';
    values[':required'] = change.requireAvailable;
    conditions.push('#available >= :required');
  }
  if (change.expectedVersion !== undefined) {
    values[':expectedVersion'] = change.expectedVersion;
    conditions.push('#version = :expectedVersion');
  }
  reservationClauses(change, { names, values, set, conditions });
  return { key: itemKeys.stock(productId), set, conditions, names, values, returnItem: true };
}

function reservationClauses(
  change: StockChange,
  { names, values, set, conditions }: Required<Pick<ItemChange, 'names' | 'values' | 'set' | 'conditions'>>,
): void {
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
}
