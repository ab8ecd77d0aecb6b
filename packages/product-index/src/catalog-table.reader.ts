import { BatchGetCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { entityTypes, fromMinorUnits, itemKeys, productFromItem, tableIndexes } from '@shop/platform';
import type { IndexedProduct } from './product-search.repository.js';

export interface CatalogTableOptions {
  documentClient: DynamoDBDocumentClient;
  tableName: string;
}

/** A product as the table holds it now, with its stock level when it has one. */
export interface TableProduct {
  product: IndexedProduct;
  stock?: { available: number; version: number };
}

const batchGetLimit = 100;

/**
 * Reads the products and their stock levels from the shared table, a page at a time, for rebuilding
 * and checking the index: products from `entity-index` (which holds them whole), stock items by key.
 * The availability is the stored one, the figure stock events carry.
 */
export class CatalogTableReader {
  constructor(private readonly options: CatalogTableOptions) {}

  async *pages(pageSize = 500): AsyncGenerator<TableProduct[]> {
    const { documentClient, tableName } = this.options;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documentClient.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: tableIndexes.entity.name,
          KeyConditionExpression: '#type = :product',
          ExpressionAttributeNames: { '#type': tableIndexes.entity.partitionKey },
          ExpressionAttributeValues: { ':product': entityTypes.product },
          Limit: pageSize,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      const products = (page.Items ?? []).map((item) => {
        const { priceMinor, ...record } = productFromItem(item);
        return { ...record, price: fromMinorUnits(priceMinor, record.currency) };
      });
      const stock = await this.stockOf(products.map((product) => product.id));
      yield products.map((product) => {
        const level = stock.get(product.id);
        return level ? { product, stock: level } : { product };
      });
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  private async stockOf(productIds: string[]): Promise<Map<string, { available: number; version: number }>> {
    const levels = new Map<string, { available: number; version: number }>();
    const chunks = Array.from({ length: Math.ceil(productIds.length / batchGetLimit) }, (_, index) =>
      productIds.slice(index * batchGetLimit, (index + 1) * batchGetLimit),
    );
    await Promise.all(chunks.map((chunk) => this.readStock(chunk, levels)));
    return levels;
  }

  private async readStock(productIds: string[], into: Map<string, { available: number; version: number }>) {
    const { documentClient, tableName } = this.options;
    let keys: Array<Record<string, unknown>> = productIds.map((id) => itemKeys.stock(id));
    while (keys.length > 0) {
      const { Responses, UnprocessedKeys } = await documentClient.send(
        new BatchGetCommand({
          RequestItems: {
            [tableName]: {
              Keys: keys,
              ProjectionExpression: '#productId, #available, #version',
              ExpressionAttributeNames: { '#productId': 'productId', '#available': 'available', '#version': 'version' },
            },
          },
        }),
      );
      for (const item of Responses?.[tableName] ?? []) {
        into.set(String(item.productId), { available: Number(item.available), version: Number(item.version) });
      }
      keys = UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
}
