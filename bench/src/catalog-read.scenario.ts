import { type BenchStack, rssMb } from './bench-stack.js';
import { alternate, runLoad } from './load-runner.js';
import type { BenchSettings, Scenario } from './scenario.js';

/** Creates `count` products through the API; resolves with their ids. */
export async function seedProducts(
  baseUrl: string,
  count: number,
  authorization: string,
  prefix = 'bench',
): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const response = await fetch(`${baseUrl}/api/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({
        name: `${prefix} product ${index}`,
        description: 'Seeded by the benchmark',
        price: (1000 + index) / 100,
        category: `${prefix}-${index % 5}`,
      }),
    });
    if (response.status !== 201) throw new Error(`seeding failed with ${response.status}: ${await response.text()}`);
    ids.push(((await response.json()) as { id: string }).id);
  }
  return ids;
}

/**
 * `GET /api/products/{id}` on the catalog service against a bare node:http handler doing the same
 * GetItem on the same dynalite.
 */
export const catalogRead: Scenario = {
  name: 'catalog.get',
  async run(stack: BenchStack, settings: BenchSettings) {
    const catalog = await stack.startService('catalog');
    const ids = await seedProducts(catalog.url, settings.products, await stack.bearer('admin'));
    const baseline = await stack.startProcess(
      'catalog-baseline',
      'bench/src/baseline-server.ts',
      'BASELINE_PORT',
      `/api/products/${ids[0]}`,
    );
    const paths = ids.map((id) => `/api/products/${id}`);
    const load = (url: string, durationSeconds: number) =>
      runLoad({ url, paths, durationSeconds, connections: settings.connections });
    await load(baseline.url, settings.warmupSeconds);
    await load(catalog.url, settings.warmupSeconds);
    const measured = await alternate(
      settings.rounds,
      () => load(catalog.url, settings.durationSeconds),
      () => load(baseline.url, settings.durationSeconds),
    );
    return {
      measured,
      rssMb: rssMb(catalog.child.pid),
      baselineRssMb: rssMb(baseline.child.pid),
      targets: { rpsRatio: 0.8, p99Ratio: 1.5 },
    };
  },
};
