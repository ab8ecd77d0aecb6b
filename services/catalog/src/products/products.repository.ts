import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  ConflictError,
  entityTypes,
  isConditionalCheckFailed,
  itemKeys,
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

export interface ProductsRepositoryOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
  /** A sku claim younger than this may belong to a create still in flight and is never taken over. */
  claimGraceMs?: number;
}

export interface ProductListQuery {
  limit: number;
  afterId?: string;
  category?: string;
}

const productKey = itemKeys.product;
const skuKey = itemKeys.sku;

/**
 * Products (`PRODUCT#<id>` / `PRODUCT`) and the sku claims that keep skus unique
 * (`SKU#<sku>` / `SKU`, naming the owning product). Without transactions, a sku is claimed
 * before the product is written and released after; a claim whose product does not exist or no
 * longer carries that sku is stale (left by a crash between the two writes) and is repaired by
 * the next claim for it.
 */
export class ProductsRepository {
  private readonly claimGraceMs: number;

  constructor(private readonly options: ProductsRepositoryOptions) {
    this.claimGraceMs = options.claimGraceMs ?? 30_000;
  }

  private get db() {
    return this.options.documentClient;
  }

  private get table() {
    return this.options.tableName;
  }

  async get(id: string): Promise<Product | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.table, Key: productKey(id), ConsistentRead: true }),
    );
    return Item ? productFromItem(Item) : undefined;
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
  async create(product: Product): Promise<{ product: Product; created: boolean }> {
    await this.claimSku(product.sku, product.id);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: productToItem(product),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': tableKeys.partitionKey },
        }),
      );
      return { product, created: true };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const existing = await this.get(product.id);
      if (!existing) throw error;
      return { product: existing, created: false };
    }
  }

  /** Replaces `previous` with `next` if the stored product is still at `previous.version`. */
  async update(next: Product, previous: Product): Promise<void> {
    const skuChanged = next.sku !== previous.sku;
    if (skuChanged) await this.claimSku(next.sku, next.id);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: productToItem(next),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': previous.version },
        }),
      );
    } catch (error) {
      if (skuChanged) await this.releaseSku(next.sku, next.id);
      if (isConditionalCheckFailed(error)) throw new StaleProductError(next.id);
      throw error;
    }
    if (skuChanged) await this.releaseSku(previous.sku, next.id);
  }

  /** Deletes the product if it is still at `product.version`, then frees its sku. */
  async delete(product: Product): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: productKey(product.id),
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': product.version },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new StaleProductError(product.id);
      throw error;
    }
    await this.markStockDeleted(product.id);
    await this.releaseSku(product.sku, product.id);
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
