import { type BenchStack, rssMb } from './bench-stack.js';
import { seedProducts } from './catalog-read.scenario.js';
import { alternate, runLoad } from './load-runner.js';
import type { BenchSettings, Scenario } from './scenario.js';

/**
 * What the gateway hop costs: `GET /api/products/{id}` through the gateway against the same read
 * straight to the catalog service, with the same connections and duration, in alternating rounds.
 * Reported only; there is no target.
 */
export const gatewayOverhead: Scenario = {
  name: 'gateway.overhead',
  async run(stack: BenchStack, settings: BenchSettings) {
    const catalog = await stack.startService('catalog');
    const gateway = await stack.startGateway({ catalog: catalog.url });
    const ids = await seedProducts(catalog.url, settings.products, await stack.bearer('admin'));
    const paths = ids.map((id) => `/api/products/${id}`);
    const load = (url: string, durationSeconds: number) =>
      runLoad({ url, paths, durationSeconds, connections: settings.connections });
    await load(catalog.url, settings.warmupSeconds);
    await load(gateway.url, settings.warmupSeconds);
    const measured = await alternate(
      settings.rounds,
      () => load(gateway.url, settings.durationSeconds),
      () => load(catalog.url, settings.durationSeconds),
    );
    return { measured, rssMb: rssMb(gateway.child.pid), baselineRssMb: rssMb(catalog.child.pid) };
  },
};
