import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createDynamoDbClient, itemKeys, productToItem, toMinorUnits } from '@shop/platform';
import {
  CatalogTableReader,
  createSearchClient,
  ProductIndexRebuild,
  ProductSearchRepository,
  productIndexBody,
} from '@shop/product-index';
import type { BenchStack } from './bench-stack.js';
import type { LoadResult } from './load-runner.js';
import type { BenchSettings, Scenario } from './scenario.js';
import { benchProducts } from './search-fixtures.js';

const rateOf = (documents: number, ms: number): LoadResult => ({
  rps: (documents * 1000) / Math.max(ms, 1),
  p50Ms: 0,
  p99Ms: 0,
  errors: 0,
  requests: documents,
  successes: documents,
});

/**
 * A rebuild of the index from the table (`npm run search -- reindex`: two passes over the table,
 * the alias switch and the carried deletions), in products a second, against a raw `_bulk` loop
 * indexing the same documents into a fresh index with the same mapping. Reported only.
 */
export const searchReindex: Scenario = {
  name: 'search.reindex',
  standIns: { search: true },
  async run(stack: BenchStack, settings: BenchSettings) {
    const { standIns } = stack;
    const count = settings.quick ? 5000 : 50_000;
    const products = benchProducts(count, 'reindex');
    const dynamoDb = createDynamoDbClient({ region: standIns.region, endpoint: standIns.dynamoDbEndpoint });
    const documentClient = createDocumentClient(dynamoDb);
    const client = createSearchClient({ endpoint: standIns.searchEndpoint as string, timeoutMs: 120_000 });
    try {
      for (let start = 0; start < products.length; start += 25) {
        const items = products.slice(start, start + 25).flatMap(({ price, ...product }, offset) => [
          productToItem({ ...product, priceMinor: toMinorUnits(price, product.currency) ?? 0 }),
          {
            ...itemKeys.stock(product.id),
            productId: product.id,
            onHand: offset,
            reserved: 0,
            available: offset,
            version: 1,
          },
        ]);
        for (let half = 0; half < items.length; half += 25) {
          let requests = items.slice(half, half + 25).map((Item) => ({ PutRequest: { Item } }));
          while (requests.length > 0) {
            const { UnprocessedItems } = await documentClient.send(
              new BatchWriteCommand({ RequestItems: { [standIns.tableName]: requests } }),
            );
            requests = (UnprocessedItems?.[standIns.tableName] ?? []) as typeof requests;
          }
        }
      }
      const repository = new ProductSearchRepository({ client, alias: 'products' });
      await repository.ensureIndex();
      const rebuild = new ProductIndexRebuild({
        repository,
        table: new CatalogTableReader({ documentClient, tableName: standIns.tableName }),
      });
      const rebuildStarted = performance.now();
      const report = await rebuild.reindex();
      const rebuildMs = performance.now() - rebuildStarted;

      const rawIndex = 'raw-bulk';
      await client.indices.create({ index: rawIndex, body: productIndexBody }, { requestTimeout: 60_000 });
      const rawStarted = performance.now();
      for (let start = 0; start < products.length; start += 500) {
        const body = products
          .slice(start, start + 500)
          .flatMap((product, offset) => [
            { index: { _index: rawIndex, _id: product.id } },
            { ...product, deleted: false, available: offset % 25, stockVersion: 1 },
          ]);
        const response = await client.bulk({ body });
        if ((response.body as { errors?: boolean }).errors) throw new Error('the raw bulk loop was refused');
      }
      const rawMs = performance.now() - rawStarted;
      return {
        measured: { service: rateOf(report.products, rebuildMs), baseline: rateOf(count, rawMs) },
        rssMb: 0,
        checks: [
          { name: `the rebuild wrote all ${count} products (${report.products})`, ok: report.products === count },
        ],
        figures: {
          products: count,
          rebuildSeconds: Math.round(rebuildMs / 100) / 10,
          rawBulkSeconds: Math.round(rawMs / 100) / 10,
        },
      };
    } finally {
      dynamoDb.destroy();
      await client.close();
    }
  },
};
