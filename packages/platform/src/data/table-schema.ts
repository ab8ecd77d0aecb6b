import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The shared single-table layout. Catalog and inventory own different item types in it; this is
 * the one place that names keys and indexes, used by the repositories, the local stack and CDK.
 */
export const tableKeys = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds after which DynamoDB TTL may delete the item (idempotency records). */
  ttlAttribute: 'expiresAt',
} as const;

export const tableIndexes = {
  /** Every product, in id (creation) order: partition `entityType`, sort `id`. */
  entity: { name: 'entity-index', partitionKey: 'entityType', sortKey: 'id' },
  /** Products of one category: partition `categoryKey`, sort `id`. */
  category: { name: 'category-index', partitionKey: 'categoryKey', sortKey: 'id' },
  /** Sparse: only stock levels at or below their threshold carry `lowStockKey`. */
  lowStock: { name: 'low-stock-index', partitionKey: 'lowStockKey', sortKey: 'id' },
} as const;

/** Local index over the table's partitions: a product's adjustment history in commit order. */
export const adjustmentVersionIndex = { name: 'adjustment-version-index', sortKey: 'adjustmentVersion' } as const;

/** Entity types listed through `entity-index`. */
export const entityTypes = { product: 'PRODUCT', stock: 'STOCK' } as const;

/** Primary keys of every item type in the table. */
export const itemKeys = {
  product: (productId: string) => ({ pk: `PRODUCT#${productId}`, sk: 'PRODUCT' }),
  stock: (productId: string) => ({ pk: `PRODUCT#${productId}`, sk: 'STOCK' }),
  adjustment: (productId: string, adjustmentId: string) => ({ pk: `PRODUCT#${productId}`, sk: `ADJ#${adjustmentId}` }),
  sku: (sku: string) => ({ pk: `SKU#${sku}`, sk: 'SKU' }),
  idempotency: (scopedKey: string) => ({ pk: `IDEMPOTENCY#${scopedKey}`, sk: 'IDEMPOTENCY' }),
};

/** Sort-key prefix of adjustment history items in a product's partition. */
export const adjustmentSortKeyPrefix = 'ADJ#';

/** The CreateTable request for the shared table (on-demand). */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  const attributes = new Set<string>([tableKeys.partitionKey, tableKeys.sortKey]);
  for (const index of Object.values(tableIndexes)) {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      ...[...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
      { AttributeName: adjustmentVersionIndex.sortKey, AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: tableKeys.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableKeys.sortKey, KeyType: 'RANGE' },
    ],
    LocalSecondaryIndexes: [
      {
        IndexName: adjustmentVersionIndex.name,
        KeySchema: [
          { AttributeName: tableKeys.partitionKey, KeyType: 'HASH' },
          { AttributeName: adjustmentVersionIndex.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
    GlobalSecondaryIndexes: Object.values(tableIndexes).map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
