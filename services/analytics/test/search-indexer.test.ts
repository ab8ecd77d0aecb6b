import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { ShopEvent } from '@shop/contracts';
import { eventually, findFreePort, startSearchIndexer, startStandIns } from '@shop/local-stack';
import { createKinesisClient, productEventTypes } from '@shop/platform';
import { createSearchClient, ProductSearchRepository } from '@shop/product-index';
import test from 'ava';
import { productEvent, productIdOf, restockEvent } from './event-fixtures.js';
import { readMetrics, sumOf } from './prometheus-samples.js';

/** A fixed shuffle (Fisher-Yates on a seeded generator), so a failure replays the same order. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let index = copy.length - 1; index > 0; index -= 1) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

test('when product and stock events arrive shuffled and twice, with poison among them, then the index holds the newest state, deletes win and the poison is counted and skipped', async (t) => {
  t.timeout(240_000);
  const standIns = await startStandIns({ search: true, shardCount: 2 });
  const kinesis = createKinesisClient({ region: standIns.region, endpoint: standIns.kinesisEndpoint });
  const metricsPort = await findFreePort();
  const alias = `indexer-test-${Date.now()}`;
  const indexer = startSearchIndexer({
    standIns,
    workerId: 'indexer-a',
    logDir: mkdtempSync(join(tmpdir(), 'search-indexer-')),
    metricsPort,
    env: { SEARCH_INDEX: alias, KCL_APPLICATION_NAME: `${alias}-leases`, LOG_LEVEL: 'info' },
  });
  const index = new ProductSearchRepository({
    client: createSearchClient({ endpoint: standIns.searchEndpoint as string, timeoutMs: 30_000 }),
    alias,
  });
  t.teardown(async () => {
    await indexer.stop();
    kinesis.destroy();
    await standIns.stop();
  });

  // Kept: three versions of one product and its stock; deleted: a product whose late update is older than its delete.
  const events: ShopEvent[] = [
    productEvent(productEventTypes.created, { product: 'kept', version: 1, name: 'Sencha green tea' }),
    productEvent(productEventTypes.updated, { product: 'kept', version: 2, name: 'Gyokuro green tea' }),
    productEvent(productEventTypes.updated, {
      product: 'kept',
      version: 3,
      name: 'Matcha green tea',
      priceMinor: 2400,
    }),
    restockEvent({ product: 'kept', quantity: 10, version: 1 }),
    restockEvent({ product: 'kept', quantity: 7, version: 2 }),
    restockEvent({ product: 'kept', quantity: 4, version: 3 }),
    productEvent(productEventTypes.created, { product: 'gone', version: 1, name: 'Oolong tea' }),
    productEvent(productEventTypes.updated, { product: 'gone', version: 2, name: 'Roasted oolong tea' }),
    productEvent(productEventTypes.deleted, { product: 'gone', version: 3, name: 'Roasted oolong tea' }),
  ];
  const delivered = shuffled([...events, ...events], 7);
  const poison = [
    Buffer.from('not json'),
    Buffer.from(JSON.stringify({ ...events[0], data: { product: { id: 'x' } } })),
  ];
  const records = [...delivered.map((event) => Buffer.from(JSON.stringify(event))), ...poison];
  const { FailedRecordCount } = await kinesis.send(
    new PutRecordsCommand({
      StreamName: standIns.streamName,
      Records: records.map((data, position) => ({
        Data: data,
        // Spread over both shards, so a product's events do not even come in one shard's order.
        PartitionKey: `key-${position}`,
      })),
    }),
  );
  t.is(FailedRecordCount ?? 0, 0);

  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const metrics = await eventually(
    () => readMetrics(metricsUrl),
    (text) =>
      sumOf(text, 'search_indexer_records_processed_total') >= records.length &&
      sumOf(text, 'search_indexer_writes_total') >= delivered.length,
    180_000,
  );
  t.is(sumOf(metrics, 'search_indexer_records_processed_total'), records.length, `log: ${indexer.logFile}`);
  t.is(sumOf(metrics, 'search_indexer_records_rejected_total'), 2, 'the two poison records are counted');
  t.is(sumOf(metrics, 'search_indexer_writes_total'), delivered.length, 'every delivered event was one guarded write');

  await standInsRefresh(standIns.searchEndpoint as string, alias);
  const found = await index.search({ text: 'green tea', sort: 'relevance', limit: 10 });
  t.deepEqual(
    found.hits.map(({ id, name, price, version, available }) => ({ id, name, price, version, available })),
    [{ id: productIdOf('kept'), name: 'Matcha green tea', price: 24, version: 3, available: 4 }],
  );
  const oolong = await index.search({ text: 'oolong', sort: 'relevance', limit: 10 });
  t.is(oolong.total, 0, 'the deleted product stays deleted, whatever order its events came in');
});

async function standInsRefresh(endpoint: string, alias: string): Promise<void> {
  const response = await fetch(`${endpoint}/${alias}/_refresh`, { method: 'POST' });
  if (!response.ok) throw new Error(`refresh of ${alias} answered ${response.status}`);
}
