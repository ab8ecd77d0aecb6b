import type { CatalogTableReader, TableProduct } from './catalog-table.reader.js';
import type { IndexWrite, ProductSearchRepository, RefusedWrite } from './product-search.repository.js';

export interface ReindexReport {
  /** The new generation the alias points at now. */
  index: string;
  products: number;
  /** Deletions carried over from the old generation (before and after the switch), so that late updates cannot bring those products back. */
  tombstones: number;
  /** The old generations, removed. */
  removed: string[];
}

export interface CheckReport {
  products: number;
  documents: number;
  /** In the table, not searchable (no document, or a tombstone). */
  missing: string[];
  /** Searchable, but at another product or stock version than the table's. */
  stale: string[];
  /** Searchable, but not in the table (deleted there). */
  extra: string[];
}

export interface ProductIndexRebuildDeps {
  repository: ProductSearchRepository;
  table: CatalogTableReader;
  /** One line per step and every few thousand products. */
  progress?: (line: string) => void;
  now?: () => number;
}

const writeBatch = 500;

function writesOf(page: TableProduct[]): IndexWrite[] {
  return page.flatMap(({ product, stock }): IndexWrite[] => [
    { kind: 'product', product },
    ...(stock
      ? [{ kind: 'stock' as const, productId: product.id, available: stock.available, stockVersion: stock.version }]
      : []),
  ]);
}

/**
 * Rebuilds the index from the table without downtime, and checks one against the other.
 *
 * A rebuild fills a new generation while searches keep reading the old one, points the alias at it,
 * then reads the table a second time into it: a change made during the first pass is either in the
 * second read or made after the switch, and then its event lands in the new generation. The first
 * pass loads whole documents with plain index operations: nothing else writes the new generation
 * yet, and a carried deletion is never of a product still in the table (ids are not reused). From
 * the switch on every write is guarded by its version, so the second pass and the indexer's own
 * writes never go backwards.
 */
export class ProductIndexRebuild {
  private readonly progress: (line: string) => void;
  private readonly now: () => number;

  constructor(private readonly deps: ProductIndexRebuildDeps) {
    this.progress = deps.progress ?? (() => {});
    this.now = deps.now ?? Date.now;
  }

  async reindex(): Promise<ReindexReport> {
    const { repository } = this.deps;
    const old = await repository.indicesOfAlias();
    const index = `${repository.alias}-v${this.now()}`;
    await repository.createIndex(index);
    this.progress(`created ${index}; searches read ${old.join(', ') || 'nothing'} meanwhile`);

    const tombstones = await this.carryDeletions(old, index);
    const products = await this.copyTable(index, 'first pass', 'load');
    await repository.pointAliasAt(index);
    this.progress(`alias ${repository.alias} now points at ${index}`);
    // Deletions the indexer wrote to the old generation during the first pass.
    await this.carryDeletions(old, index);
    await this.copyTable(index, 'catch-up pass', 'guarded');

    for (const source of old) await repository.deleteIndex(source);
    if (old.length > 0) this.progress(`removed ${old.join(', ')}`);
    return { index, products, tombstones, removed: old };
  }

  async check(): Promise<CheckReport> {
    const { repository, table } = this.deps;
    const expected = new Map<string, TableProduct>();
    for await (const page of table.pages()) for (const entry of page) expected.set(entry.product.id, entry);
    const report: CheckReport = { products: expected.size, documents: 0, missing: [], stale: [], extra: [] };
    const seen = new Set<string>();
    // Writes acknowledged before the check are judged too, not only those the last refresh made visible.
    await repository.refresh();
    for await (const page of repository.documents()) {
      for (const state of page) {
        report.documents += 1;
        const searchable = !state.deleted && state.version !== undefined;
        const entry = expected.get(state.id);
        if (!entry) {
          if (searchable) report.extra.push(state.id);
          continue;
        }
        seen.add(state.id);
        if (!searchable) report.missing.push(state.id);
        else if (
          state.version !== entry.product.version ||
          (entry.stock && state.stockVersion !== entry.stock.version)
        ) {
          report.stale.push(state.id);
        }
      }
    }
    for (const id of expected.keys()) if (!seen.has(id)) report.missing.push(id);
    return report;
  }

  private async carryDeletions(sources: string[], index: string): Promise<number> {
    let carried = 0;
    for (const source of sources) {
      await this.deps.repository.refresh(source);
      for await (const page of this.deps.repository.documents(source)) {
        const writes = page.flatMap((state): IndexWrite[] =>
          state.deleted && state.version !== undefined
            ? [{ kind: 'delete', productId: state.id, version: state.version }]
            : [],
        );
        await this.write(writes, index);
        carried += writes.length;
      }
    }
    this.progress(`carried over ${carried} deletion(s)`);
    return carried;
  }

  /** `load`: whole documents, into the generation only this rebuild writes; `guarded`: version-guarded writes, once the indexer writes there too. */
  private async copyTable(index: string, pass: string, mode: 'load' | 'guarded'): Promise<number> {
    let products = 0;
    let reported = 0;
    // The next page is read from the table while this one is written to the index.
    const pages = this.deps.table.pages();
    let upcoming = pages.next();
    for (;;) {
      const current = await upcoming;
      if (current.done) break;
      upcoming = pages.next();
      // Should the write below fail, a failed read of the next page is not a second, unhandled error.
      upcoming.catch(() => undefined);
      const page = current.value;
      if (mode === 'load') this.reportRefused(await this.deps.repository.load(page, index));
      else await this.write(writesOf(page), index);
      products += page.length;
      if (products - reported >= 5000) {
        this.progress(`${pass}: ${products} product(s)`);
        reported = products;
      }
    }
    this.progress(`${pass}: ${products} product(s) written`);
    return products;
  }

  private async write(writes: IndexWrite[], index: string): Promise<void> {
    for (let start = 0; start < writes.length; start += writeBatch) {
      this.reportRefused(await this.deps.repository.write(writes.slice(start, start + writeBatch), index));
    }
  }

  private reportRefused(refused: RefusedWrite[]): void {
    for (const { write, reason } of refused) this.progress(`refused ${write.kind} write: ${reason}`);
  }
}
