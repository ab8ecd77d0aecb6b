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

export interface IndexDefinition {
  name: string;
  partitionKey: string;
  sortKey: string;
  /** Non-key attributes copied into the index; all of them when absent. */
  projects?: readonly string[];
}

export const tableIndexes = {
  /** Every product, in id (creation) order: partition `entityType`, sort `id`. */
  entity: { name: 'entity-index', partitionKey: 'entityType', sortKey: 'id' },
  /** Products of one category: partition `categoryKey`, sort `id`. */
  category: { name: 'category-index', partitionKey: 'categoryKey', sortKey: 'id' },
  // Stock indexes hold keys only: a stock item changes with every sale, and an index copy of it
  // would be rewritten (and paid for) on each one. Listings read the items by key.
  /** Every stock level, by product id: partition `stockKey`, sort `id`. */
  stock: { name: 'stock-index', partitionKey: 'stockKey', sortKey: 'id', projects: [] },
  /** Sparse: only stock levels at or below their threshold carry `lowStockKey`. */
  lowStock: { name: 'low-stock-index', partitionKey: 'lowStockKey', sortKey: 'id', projects: [] },
  /** Sparse: items with unpublished events, by owner and shard, oldest first (the relay's work list). */
  outbox: { name: 'outbox-index', partitionKey: 'outboxKey', sortKey: 'outboxSince', projects: [] },
  /** Pages of published events by day and shard, in time order (what a replay reads). */
  archive: { name: 'event-archive-index', partitionKey: 'archiveKey', sortKey: 'archiveAt', projects: [] },
} as const satisfies Record<string, IndexDefinition>;

/** Partition values of the listing indexes. */
export const entityTypes = { product: 'PRODUCT', stock: 'STOCK' } as const;

/** Sort-key prefix of adjustment history pages in a product's partition. */
export const historyPageSortKeyPrefix = 'HIST#';

/** Primary keys of every item type in the table. */
export const itemKeys = {
  product: (productId: string) => ({ pk: `PRODUCT#${productId}`, sk: 'PRODUCT' }),
  stock: (productId: string) => ({ pk: `PRODUCT#${productId}`, sk: 'STOCK' }),
  /** One page of a product's published catalog events, keyed by the first product version it holds. */
  productEventsPage: (productId: string, firstVersion: number) => ({
    pk: `PRODUCT#${productId}`,
    sk: `EVENTS#${String(firstVersion).padStart(15, '0')}`,
  }),
  /** One page of a product's adjustment history, keyed by the first version it holds. */
  historyPage: (productId: string, firstVersion: number) => ({
    pk: `PRODUCT#${productId}`,
    sk: `${historyPageSortKeyPrefix}${String(firstVersion).padStart(15, '0')}`,
  }),
  /** An image upload a catalog admin asked for, in its product's partition until attached or expired. */
  imageUpload: (productId: string, uploadId: string) => ({ pk: `PRODUCT#${productId}`, sk: `UPLOAD#${uploadId}` }),
  sku: (sku: string) => ({ pk: `SKU#${sku}`, sk: 'SKU' }),
  idempotency: (scopedKey: string) => ({ pk: `IDEMPOTENCY#${scopedKey}`, sk: 'IDEMPOTENCY' }),
  /** The claim that one low-stock event's supplier alert is being or has been sent. */
  lowStockAlert: (eventId: string) => ({ pk: `ALERT#${eventId}`, sk: 'ALERT' }),
};

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
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: tableKeys.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableKeys.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: Object.values(tableIndexes).map((index: IndexDefinition) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: !index.projects
        ? { ProjectionType: 'ALL' }
        : index.projects.length === 0
          ? { ProjectionType: 'KEYS_ONLY' }
          : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.projects] },
    })),
  };
}
