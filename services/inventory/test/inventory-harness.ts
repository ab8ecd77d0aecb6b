import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { itemKeys, type ProductRecord, productToItem } from '@shop/platform';
import { serveOnStandIns } from '@shop/testing';
import { ulid } from 'ulid';
import { createApp } from '../src/app.js';

/** The inventory app on a random port over real stand-ins; products are written as catalog stores them. */
export async function startInventory(
  create: typeof createApp = createApp,
  overrides?: Parameters<typeof serveOnStandIns>[2],
) {
  const served = await serveOnStandIns('inventory', create, overrides);
  const { documentClient, standIns } = served;
  return {
    ...served,
    /** Resolves once the product's stock item has no unpublished events left. */
    async settled(productId: string, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const { Item } = await documentClient.send(
          new GetCommand({ TableName: standIns.tableName, Key: itemKeys.stock(productId), ConsistentRead: true }),
        );
        if (((Item?.outbox as unknown[] | undefined) ?? []).length === 0) return;
        if (Date.now() > deadline) throw new Error(`events of ${productId} still pending after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async createProduct(overrides: Partial<ProductRecord> = {}): Promise<ProductRecord> {
      const id = ulid();
      const now = new Date().toISOString();
      const product: ProductRecord = {
        id,
        name: 'Camping stove',
        description: 'Two burners',
        priceMinor: 4999,
        currency: 'USD',
        sku: `SKU-${id}`,
        category: 'camping',
        supplier: { name: 'Acme Outdoor', email: 'orders@acme.test' },
        version: 1,
        createdAt: now,
        updatedAt: now,
        ...overrides,
      };
      await documentClient.send(new PutCommand({ TableName: standIns.tableName, Item: productToItem(product) }));
      return product;
    },
    /** Deletes a product the way catalog does: the product item goes, its stock item is marked. */
    async deleteProduct(id: string) {
      await documentClient.send(new DeleteCommand({ TableName: standIns.tableName, Key: itemKeys.product(id) }));
      await documentClient
        .send(
          new UpdateCommand({
            TableName: standIns.tableName,
            Key: itemKeys.stock(id),
            UpdateExpression: 'SET productDeleted = :at',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':at': new Date().toISOString() },
          }),
        )
        .catch(() => {});
    },
  };
}

export type Inventory = Awaited<ReturnType<typeof startInventory>>;
