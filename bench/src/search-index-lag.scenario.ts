import { setTimeout as sleep } from 'node:timers/promises';
import { createSearchClient, ProductSearchRepository } from '@shop/product-index';
import { type BenchStack, rssMb } from './bench-stack.js';
import { seedProducts } from './catalog-read.scenario.js';
import { quantileOf, runOpenLoop } from './open-loop.js';
import type { BenchSettings, Scenario } from './scenario.js';
import { benchProducts } from './search-fixtures.js';

const changesPerSecond = 100;
const p95LimitMs = 2000;
const pollEveryMs = 100;

/** Changes waiting to show in search, per product: the version each made and when it was answered. */
class VisibilityClock {
  private readonly pending = new Map<string, Array<{ version: number; at: number }>>();
  readonly lagsMs: number[] = [];

  changed(id: string, version: number, at: number): void {
    const list = this.pending.get(id) ?? [];
    list.push({ version, at });
    this.pending.set(id, list);
  }

  /** The index shows `version` of `id` at `now`: every change up to it became visible. */
  seen(id: string, version: number, now: number): void {
    const list = this.pending.get(id);
    if (!list) return;
    while (list.length > 0 && (list[0]?.version ?? Number.POSITIVE_INFINITY) <= version) {
      this.lagsMs.push(now - (list.shift()?.at ?? now));
    }
  }

  get waiting(): number {
    return [...this.pending.values()].reduce((sum, list) => sum + list.length, 0);
  }
}

/** Reads every document's version until `done()` and nothing is waiting (or 30 s after), telling the clocks. */
async function pollVisibility(repository: ProductSearchRepository, clocks: VisibilityClock[], done: () => boolean) {
  let drainUntil = Number.POSITIVE_INFINITY;
  for (;;) {
    const started = performance.now();
    const seenAt = performance.now();
    for await (const page of repository.documents()) {
      for (const state of page) {
        if (state.version !== undefined) for (const clock of clocks) clock.seen(state.id, state.version, seenAt);
      }
    }
    if (done()) {
      drainUntil = Math.min(drainUntil, performance.now() + 30_000);
      if (clocks.every((clock) => clock.waiting === 0) || performance.now() > drainUntil) return;
    }
    await sleep(Math.max(0, pollEveryMs - (performance.now() - started)));
  }
}

/**
 * Index lag: a product change answered by catalog until search shows it (catalog's outbox, the
 * stream, the indexer's KCL daemon, its bulk write and the engine's refresh), at a steady 100
 * changes a second. The baseline is the engine alone: the same rate of writes made straight to the
 * index, until search shows them (its refresh interval). Goal: p95 within 2 s.
 */
export const searchIndexLag: Scenario = {
  name: 'search.index-lag',
  standIns: { search: true },
  async run(stack: BenchStack, settings: BenchSettings) {
    const endpoint = stack.standIns.searchEndpoint as string;
    const repository = new ProductSearchRepository({
      client: createSearchClient({ endpoint, timeoutMs: 30_000 }),
      alias: 'products',
    });
    await repository.ensureIndex();
    const catalog = await stack.startService('catalog');
    const indexer = stack.startSearchIndexer();
    const count = 200;
    const ids = await seedProducts(catalog.url, count, await stack.bearer('admin'), 'lag');
    const authorization = await stack.bearer('admin');

    // Warm-up: the indexer holds its leases and every seeded product is searchable.
    const seeded = new VisibilityClock();
    for (const id of ids) seeded.changed(id, 1, performance.now());
    await pollVisibility(repository, [seeded], () => true);
    if (seeded.waiting > 0) throw new Error(`the indexer did not index the seeded products:\n${indexer.tail()}`);

    const durationSeconds = settings.quick ? 10 : 60;
    const service = new VisibilityClock();
    const direct = new VisibilityClock();
    const versions = new Map(ids.map((id) => [id, 1]));
    const directProducts = benchProducts(count, 'lag-direct');
    await repository.write(directProducts.map((product) => ({ kind: 'product', product })));
    const directVersions = new Map(directProducts.map((product) => [product.id, 1]));
    let finished = false;
    const polling = pollVisibility(repository, [service, direct], () => finished);

    const changes = runOpenLoop({
      url: catalog.url,
      ratePerSecond: changesPerSecond,
      durationSeconds,
      next: (index) => {
        const id = ids[index % count] as string;
        const version = (versions.get(id) ?? 1) + 1;
        versions.set(id, version);
        return {
          method: 'PATCH',
          path: `/api/products/${id}`,
          headers: { authorization },
          body: { description: `lag change ${index}` },
          kind: 'change',
          onAnswer: (status) => {
            if (status === 200) service.changed(id, version, performance.now());
          },
        };
      },
    });
    // The same rate of writes straight to the index.
    const directWrites = (async () => {
      const started = performance.now();
      const total = changesPerSecond * durationSeconds;
      const inFlight: Promise<void>[] = [];
      for (let index = 0; index < total; index += 1) {
        await sleep(Math.max(0, started + (index * 1000) / changesPerSecond - performance.now()));
        const product = directProducts[index % count];
        if (!product) continue;
        const version = (directVersions.get(product.id) ?? 1) + 1;
        directVersions.set(product.id, version);
        inFlight.push(
          repository
            .applyProduct({ ...product, version, description: `direct change ${index}` })
            .then(() => direct.changed(product.id, version, performance.now())),
        );
      }
      await Promise.all(inFlight);
    })();
    const [result] = await Promise.all([changes, directWrites]);
    finished = true;
    await polling;

    const lag = Float64Array.from(service.lagsMs);
    const baselineLag = Float64Array.from(direct.lagsMs);
    const figures = {
      changesPerSecond,
      changes: result.successes,
      lagP50Ms: quantileOf(lag.slice(), 0.5),
      lagP95Ms: quantileOf(lag.slice(), 0.95),
      lagMaxMs: quantileOf(lag.slice(), 1),
      baselineLagP50Ms: quantileOf(baselineLag.slice(), 0.5),
      baselineLagP95Ms: quantileOf(baselineLag.slice(), 0.95),
    };
    return {
      measured: { service: result },
      rssMb: rssMb(indexer.pid),
      checks: [
        {
          name: `every answered change became searchable (${service.lagsMs.length} of ${result.successes}; ${service.waiting} still waiting)`,
          ok: service.waiting === 0 && service.lagsMs.length === result.successes,
        },
        { name: `index lag p95 ${figures.lagP95Ms} ms (limit ${p95LimitMs} ms)`, ok: figures.lagP95Ms <= p95LimitMs },
      ],
      figures: {
        ...figures,
        lagP95Ratio: Math.round((figures.lagP95Ms / Math.max(figures.baselineLagP95Ms, 1)) * 100) / 100,
      },
    };
  },
};
