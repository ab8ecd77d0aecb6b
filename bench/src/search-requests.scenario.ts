import { createSearchClient, type IndexWrite, ProductSearchRepository } from '@shop/product-index';
import { type BenchStack, rssMb } from './bench-stack.js';
import { alternate } from './load-runner.js';
import { runOpenLoop } from './open-loop.js';
import type { BenchSettings, Scenario } from './scenario.js';
import { benchProducts, searchPaths } from './search-fixtures.js';

/** The storefront's search rate the goal is stated at. */
const searchRatePerSecond = 100;
const p99LimitMs = 50;

/** Writes the products (half of them stocked) straight into the index behind `alias`, and makes them searchable. */
export async function seedIndex(endpoint: string, alias: string, count: number): Promise<ProductSearchRepository> {
  const repository = new ProductSearchRepository({
    client: createSearchClient({ endpoint, timeoutMs: 60_000 }),
    alias,
  });
  await repository.ensureIndex();
  const products = benchProducts(count, 'search');
  for (let start = 0; start < products.length; start += 500) {
    const writes = products
      .slice(start, start + 500)
      .flatMap((product, offset): IndexWrite[] => [
        { kind: 'product', product },
        ...((start + offset) % 2 === 0
          ? [{ kind: 'stock' as const, productId: product.id, available: (start + offset) % 7, stockVersion: 1 }]
          : []),
      ]);
    const refused = await repository.write(writes);
    if (refused.length > 0) throw new Error(`the index refused seed documents: ${refused[0]?.reason}`);
  }
  await repository.refresh();
  return repository;
}

/**
 * `GET /api/products/search` through the gateway and the catalog service at a fixed 100 requests a
 * second (open loop), against a bare node:http handler sending the same queries to the same node;
 * fuzzy text, filters, sorts and facets over a few thousand products. Goal: at least 0.8x the
 * baseline's answers per second, and p99 within 50 ms.
 */
export const searchRequests: Scenario = {
  name: 'search.requests',
  standIns: { search: true },
  async run(stack: BenchStack, settings: BenchSettings) {
    const endpoint = stack.standIns.searchEndpoint as string;
    await seedIndex(endpoint, 'products', settings.quick ? 1000 : 5000);
    const catalog = await stack.startService('catalog');
    const gateway = await stack.startGateway({ catalog: catalog.url });
    const baseline = await stack.startProcess(
      'search-baseline',
      'bench/src/search-baseline-server.ts',
      'BASELINE_PORT',
      '/healthz',
    );
    const load = (url: string, durationSeconds: number) =>
      runOpenLoop({
        url,
        ratePerSecond: searchRatePerSecond,
        durationSeconds,
        next: (index) => ({ method: 'GET', path: searchPaths[index % searchPaths.length] as string, kind: 'search' }),
      });
    await load(baseline.url, settings.warmupSeconds);
    await load(gateway.url, settings.warmupSeconds);
    const measured = await alternate(
      settings.rounds,
      () => load(gateway.url, settings.durationSeconds),
      () => load(baseline.url, settings.durationSeconds),
    );
    return {
      measured,
      rssMb: rssMb(catalog.child.pid),
      baselineRssMb: rssMb(baseline.child.pid),
      targets: { rpsRatio: 0.8 },
      checks: [
        {
          name: `p99 through the gateway ${measured.service.p99Ms} ms (limit ${p99LimitMs} ms)`,
          ok: measured.service.p99Ms <= p99LimitMs,
        },
      ],
      figures: { ratePerSecond: searchRatePerSecond, nodeRssMb: rssMb(stack.standIns.processes.search?.pid) },
    };
  },
};
