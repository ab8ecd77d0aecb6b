import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  archiveAttributes,
  archiveKey,
  type CloudEvent,
  ConflictError,
  entityTypes,
  type HandledEntries,
  isConditionalCheckFailed,
  itemKeys,
  OutboxRepository,
  outboxAttribute,
  productCategoryKey,
  productFromItem,
  productToItem,
  queryIndexPage,
  tableIndexes,
  tableKeys,
} from '@shop/platform';
import type { Product } from './product.js';

/** The product changed since it was read; the caller decides between 412 and a retry. */
export class StaleProductError extends Error {
  constructor(readonly productId: string) {
    super(`product ${productId} changed concurrently`);
    this.name = 'StaleProductError';
  }
}

/** The product's unpublished events fill its outbox; the caller answers 503 until they are out. */
export class ProductOutboxFullError extends Error {
  constructor(readonly productId: string) {
    super(`product ${productId} has too many unpublished events`);
    this.name = 'ProductOutboxFullError';
  }
}

/**
 * Most bytes a product's unpublished events may take on its item (`outboxEntryBytes` each), so
 * that the item stays under DynamoDB's 400 KB with any valid product while the stream is down:
 * the product's own attributes take under 20 KB (at most 5,654 characters of text, each at most
 * 3 UTF-8 bytes, plus ids, timestamps, keys and index attributes), and the outbox at most this.
 * An events page holds a prefix of the outbox, so it stays under the limit too.
 */
export const maxProductOutboxBytes = 256 * 1024;

export interface ProductsRepositoryOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  /** A sku claim younger than this may belong to a create still in flight and is never taken over. */
  claimGraceMs?: number;
  /** `maxProductOutboxBytes` when left out. */
  maxOutboxBytes?: number;
  /** The service whose relay sweeps the product items' outboxes. */
  outboxOwner: string;
}

export interface ProductListQuery {
  limit: number;
  afterId?: string;
  category?: string;
}

const productKey = itemKeys.product;
const skuKey = itemKeys.sku;

/** A product item's unpublished events, as stored (JSON strings, oldest first). */
export interface PendingEvents {
  outbox: string[];
  /** The product was deleted: the item is a tombstone kept until its last events are out. */
  deleted: boolean;
}

// The SET clauses that write every attribute of `item` (an update keeps the item's outbox).
function setAttributes(item: Record<string, unknown>, skip: readonly string[]) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const set: string[] = [];
  Object.entries(item).forEach(([name, value], index) => {
    if (skip.includes(name) || value === undefined) return;
    names[`#a${index}`] = name;
    values[`:a${index}`] = value;
    set.push(`#a${index} = :a${index}`);
  });
  return { set, names, values };
}

/**
 * Products (`PRODUCT#<id>` / `PRODUCT`) and the sku claims that keep skus unique
 * (`SKU#<sku>` / `SKU`, naming the owning product). Without transactions, a sku is claimed
 * before the product is written and released after; a claim whose product does not exist or no
 * longer carries that sku is stale (left by a crash between the two writes) and is repaired by
 * the next claim for it.
 *
 * Every write also appends its event to the item's `outbox` in the same conditional write, which
 * fails while the outbox holds `maxOutboxBytes` of events; the flusher publishes and removes them. A delete leaves a tombstone (out of every listing, answering
 * 404) until its last event is out.
 */
export class ProductsRepository {
  private readonly claimGraceMs: number;
  private readonly outbox: OutboxRepository;

  constructor(private readonly options: ProductsRepositoryOptions) {
    this.claimGraceMs = options.claimGraceMs ?? 30_000;
    this.outbox = new OutboxRepository({
      documentClient: options.documentClient,
      tableName: options.tableName,
      owner: options.outboxOwner,
      bounds: { maxBytes: options.maxOutboxBytes ?? maxProductOutboxBytes },
    });
  }

  private get db() {
    return this.options.documentClient;
  }

  private get table() {
    return this.options.tableName;
  }

  /** The product, or undefined when it does not exist or is deleted; `consistentRead: false` costs half. */
  async get(id: string, { consistentRead = true }: { consistentRead?: boolean } = {}): Promise<Product | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: productKey(id), ConsistentRead: consistentRead }),
    );
    return Item && Item.deletedAt === undefined ? productFromItem(Item) : undefined;
  }

  /** The product item's unpublished events, or undefined when there is no item. */
  async pendingEvents(id: string): Promise<PendingEvents | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.table,
        Key: productKey(id),
        ConsistentRead: true,
        ProjectionExpression: '#outbox, deletedAt',
        ExpressionAttributeNames: { '#outbox': outboxAttribute },
      }),
    );
    if (!Item) return undefined;
    return { outbox: (Item[outboxAttribute] as string[] | undefined) ?? [], deleted: Item.deletedAt !== undefined };
  }

  /** Lists products in id (creation) order, optionally of one category, after `afterId`. */
  async list(query: ProductListQuery): Promise<{ items: Product[]; hasMore: boolean }> {
    const index = query.category ? tableIndexes.category : tableIndexes.entity;
    const partitionValue = query.category ? productCategoryKey(query.category) : entityTypes.product;
    const { items, hasMore } = await queryIndexPage(this.db, {
      tableName: this.table,
      index,
      partitionValue,
      limit: query.limit,
      ...(query.afterId
        ? {
            after: {
              ...productKey(query.afterId),
              [index.partitionKey]: partitionValue,
              [index.sortKey]: query.afterId,
            },
          }
        : {}),
    });
    return { items: items.map(productFromItem), hasMore };
  }

  /**
   * Writes a new product. When a product with this id already exists (a retried create that had
   * reserved the id), the stored product is returned with `created: false`.
   */
  async create(product: Product, event: CloudEvent): Promise<{ product: Product; created: boolean }> {
    await this.claimSku(product.sku, product.id);
    try {
      await this.outbox.put(product.id, productToItem(product), [JSON.stringify(event)], new Date(), {
        expression: 'attribute_not_exists(#pk)',
        names: { '#pk': tableKeys.partitionKey },
      });
      return { product, created: true };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const existing = await this.get(product.id);
      if (!existing) throw new ConflictError('A product with this id existed and was deleted');
      return { product: existing, created: false };
    }
  }

  /** Replaces `previous` with `next` if the stored product is still at `previous.version`. */
  async update(next: Product, previous: Product, event: CloudEvent): Promise<void> {
    const skuChanged = next.sku !== previous.sku;
    if (skuChanged) await this.claimSku(next.sku, next.id);
    const fields = setAttributes(productToItem(next), [tableKeys.partitionKey, tableKeys.sortKey]);
    const entries = [JSON.stringify(event)];
    const change = {
      key: productKey(next.id),
      set: fields.set,
      remove: next.supplier ? [] : ['supplier'],
      conditions: ['#version = :expected AND attribute_not_exists(deletedAt)'],
      names: { ...fields.names, '#version': 'version' },
      values: { ...fields.values, ':expected': previous.version },
    };
    try {
      await this.outbox.update(next.id, change, entries, new Date());
    } catch (error) {
      if (skuChanged) await this.releaseSku(next.sku, next.id);
      if (isConditionalCheckFailed(error)) throw await this.refusal(next.id, entries);
      throw error;
    }
    if (skuChanged) await this.releaseSku(previous.sku, next.id);
  }

  /**
   * Deletes the product if it is still at `product.version`: the item becomes a tombstone that
   * leaves the listings and carries the deleted event, then the sku is freed.
   */
  async delete(product: Product, deleted: Product, event: CloudEvent): Promise<void> {
    const entries = [JSON.stringify(event)];
    const change = {
      key: productKey(product.id),
      set: ['deletedAt = :deletedAt', '#version = :version', 'updatedAt = :deletedAt'],
      remove: ['#entityKey', '#categoryKey'],
      conditions: ['#version = :expected AND attribute_not_exists(deletedAt)'],
      names: {
        '#version': 'version',
        '#entityKey': tableIndexes.entity.partitionKey,
        '#categoryKey': tableIndexes.category.partitionKey,
      },
      values: { ':expected': product.version, ':version': deleted.version, ':deletedAt': deleted.updatedAt },
    };
    try {
      await this.outbox.update(product.id, change, entries, new Date());
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw await this.refusal(product.id, entries);
      throw error;
    }
    await this.markStockDeleted(product.id);
    await this.releaseSku(product.sku, product.id);
  }

  /**
   * Files published events in the product's event pages (the archive replays read). A round that
   * starts at the same version as an earlier one holds the same first events, so a page is only
   * replaced by a longer one.
   */
  async putEventsPage(productId: string, events: CloudEvent<{ product: { version: number } }>[]): Promise<void> {
    const first = events[0];
    if (!first) return;
    await this.db
      .send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...itemKeys.productEventsPage(productId, first.data.product.version),
            ...archiveAttributes(events, (at) => archiveKey(at, productId)),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR size(events) < :count',
          ExpressionAttributeValues: { ':count': events.length },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      });
  }

  /** Removes the handled events from the product's outbox once they are out; false when another flusher did. */
  completeEvents(productId: string, handled: HandledEntries): Promise<boolean> {
    return this.outbox.remove(productKey(productId), handled);
  }

  /** Removes a tombstone whose outbox holds exactly `published` (none: an empty outbox). */
  purgeTombstone(productId: string, published: readonly string[]): Promise<boolean> {
    return this.outbox.deleteItem(productKey(productId), published, 'attribute_exists(deletedAt)');
  }

  // Why a change's condition failed, told by one read: the outbox has no room for its event (the
  // stream has been down for long), or the product changed or went meanwhile.
  private async refusal(productId: string, entries: string[]): Promise<Error> {
    return (await this.outbox.hasRoom(productKey(productId), entries))
      ? new StaleProductError(productId)
      : new ProductOutboxFullError(productId);
  }

  // Inventory shares the table: marking the product's stock item (when it has one) makes every
  // later stock change fail its condition, with no call between the services.
  private async markStockDeleted(productId: string): Promise<void> {
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.table,
          Key: itemKeys.stock(productId),
          UpdateExpression: 'SET productDeleted = :deletedAt',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':deletedAt': new Date().toISOString() },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      });
  }

  private async claimSku(sku: string, productId: string): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...skuKey(sku), productId, claimedAt: Date.now() },
            ConditionExpression: 'attribute_not_exists(#pk) OR productId = :productId',
            ExpressionAttributeNames: { '#pk': tableKeys.partitionKey },
            ExpressionAttributeValues: { ':productId': productId },
          }),
        );
        return;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      const { Item: claim } = await this.db.send(
        new GetCommand({ TableName: this.table, Key: skuKey(sku), ConsistentRead: true }),
      );
      if (!claim) continue;
      const owner = await this.get(String(claim.productId));
      const stale = (!owner || owner.sku !== sku) && Number(claim.claimedAt) + this.claimGraceMs < Date.now();
      if (!stale) throw new ConflictError(`sku "${sku}" is already used by another product`, { extensions: { sku } });
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { ...skuKey(sku), productId, claimedAt: Date.now() },
            ConditionExpression: 'productId = :previousOwner AND claimedAt = :previousClaim',
            ExpressionAttributeValues: { ':previousOwner': claim.productId, ':previousClaim': claim.claimedAt },
          }),
        );
        return;
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
    }
    throw new ConflictError(`sku "${sku}" is being claimed concurrently; retry`, { extensions: { sku } });
  }

  // Frees a claim unless the product (changed concurrently) carries that sku after all.
  private async releaseSku(sku: string, productId: string): Promise<void> {
    const owner = await this.get(productId);
    if (owner?.sku === sku) return;
    await this.db
      .send(
        new DeleteCommand({
          TableName: this.table,
          Key: skuKey(sku),
          ConditionExpression: 'productId = :productId',
          ExpressionAttributeValues: { ':productId': productId },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      });
  }
}
