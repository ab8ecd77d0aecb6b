import type { API, Client } from '@opensearch-project/opensearch';
import type { ProductRecord } from '@shop/platform';

/** A product as the storefront sees it (as `GET /api/products/{id}` answers): the price as a decimal amount. */
export type IndexedProduct = Omit<ProductRecord, 'priceMinor'> & { price: number };

/** The storefront's sorts; `relevance` without a query is newest first. */
export type SearchSort = 'relevance' | 'price-asc' | 'price-desc' | 'newest';

export interface SearchQuery {
  text?: string;
  category?: string;
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
  sort: SearchSort;
  limit: number;
  /** The sort values of the last item of the previous page. */
  after?: Array<string | number>;
}

export interface SearchHit extends IndexedProduct {
  available: number;
}

export interface SearchResult {
  hits: SearchHit[];
  /** The sort values of the last hit, when there are more. */
  nextAfter?: Array<string | number>;
  total: number;
  categories: Array<{ value: string; count: number }>;
  prices: Array<{ from: number; to?: number; count: number }>;
}

/** Price ranges the facet counts in, in each product's own currency. */
export const priceRangeBounds = [0, 10, 25, 50, 100, 250, 500, 1000] as const;

/**
 * The index of products: the product view plus the storefront's availability, one document per
 * product. Product and stock fields are written by guarded scripted updates, each keeping the
 * newest state by its own version, so the two streams of changes never overwrite each other and
 * a duplicate or late event is a no-op. A delete leaves a tombstone (`deleted`) so that a late
 * update cannot bring the product back.
 */
export const productIndexBody: API.Indices_Create_RequestBody = {
  settings: {
    analysis: {
      normalizer: { sku_exact: { type: 'custom', filter: ['lowercase'] } },
    },
  },
  mappings: {
    dynamic: 'strict',
    properties: {
      id: { type: 'keyword' },
      name: { type: 'text', analyzer: 'english' },
      description: { type: 'text', analyzer: 'english' },
      sku: { type: 'keyword', normalizer: 'sku_exact', fields: { text: { type: 'text', analyzer: 'standard' } } },
      category: { type: 'keyword', fields: { text: { type: 'text', analyzer: 'english' } } },
      price: { type: 'double' },
      currency: { type: 'keyword' },
      supplier: { type: 'object', enabled: false },
      // Shown with a hit, never searched.
      images: { type: 'object', enabled: false },
      version: { type: 'long' },
      createdAt: { type: 'date' },
      updatedAt: { type: 'date' },
      deleted: { type: 'boolean' },
      available: { type: 'integer' },
      stockVersion: { type: 'long' },
    },
  },
};

const productFields = [
  'id',
  'name',
  'description',
  'sku',
  'category',
  'price',
  'currency',
  'supplier',
  'images',
  'version',
  'createdAt',
  'updatedAt',
] as const;

// Painless, run per document: only a newer version changes it (ctx.op 'none' leaves it alone).
const applyProductScript = `
  if (ctx._source.version != null && ctx._source.version >= params.version) { ctx.op = 'none'; return; }
  for (String field : params.fields) { ctx._source.remove(field); }
  for (entry in params.doc.entrySet()) { ctx._source[entry.getKey()] = entry.getValue(); }
`;
const applyStockScript = `
  if (ctx._source.stockVersion != null && ctx._source.stockVersion >= params.stockVersion) { ctx.op = 'none'; return; }
  ctx._source.available = params.available;
  ctx._source.stockVersion = params.stockVersion;
`;

const exactSkuBoost = 1000;
/** Words of a query that match with typos, and the near terms each may expand to (see `queryOf`). */
const fuzzyWords = 8;
const fuzzyExpansions = 16;

// Creating an index or moving the alias waits for the cluster state, far longer than a search may.
const adminRequest = { requestTimeout: 30_000 };

// The facets, counted over the matching set. Cast: the client's generated types leave `field` out
// of the terms aggregation, which the engine requires.
const facetAggregations = {
  category: { terms: { field: 'category', size: 50, order: [{ _count: 'desc' }, { _key: 'asc' }] } },
  price: {
    range: {
      field: 'price',
      ranges: priceRangeBounds.map((from, index) => ({
        from,
        ...(index + 1 < priceRangeBounds.length ? { to: priceRangeBounds[index + 1] } : {}),
      })),
    },
  },
} as unknown as API.Search_RequestBody['aggs'];

/** What the index holds of one product: its version (none for a stock-only document), whether it is a tombstone, its stock. */
export interface IndexedState {
  id: string;
  version?: number;
  deleted: boolean;
  stockVersion?: number;
  available?: number;
}

/**
 * One change to the index, each guarded by its own version: a product's state, its deletion (a
 * tombstone at the deletion's version), or its availability after a stock change.
 */
export type IndexWrite =
  | { kind: 'product'; product: IndexedProduct }
  | { kind: 'delete'; productId: string; version: number }
  | { kind: 'stock'; productId: string; available: number; stockVersion: number };

/** A write the engine refuses for good (e.g. a document its mapping cannot take): retrying cannot help. */
export interface RefusedWrite {
  write: IndexWrite;
  reason: string;
}

/** A bulk write that failed in part for a passing reason (overload, a shard not ready); sending it again is safe, every write being guarded. */
export class IndexWriteError extends Error {
  constructor(
    readonly failed: number,
    readonly firstReason: string,
  ) {
    super(`${failed} index write(s) failed: ${firstReason}`);
    this.name = 'IndexWriteError';
  }
}

interface ProductDocument extends Partial<SearchHit> {
  deleted?: boolean;
  stockVersion?: number;
}

export interface ProductSearchRepositoryOptions {
  client: Client;
  /** The alias searches and writes go through (the live index is behind it). */
  alias: string;
  /** Replicas of the indices this repository makes. */
  replicas?: number;
}

/** Searches and writes the product index; the only code that knows its documents and queries. */
export class ProductSearchRepository {
  constructor(private readonly options: ProductSearchRepositoryOptions) {}

  get alias(): string {
    return this.options.alias;
  }

  /** Creates `index` with the product mapping (e.g. a new generation behind the alias). */
  async createIndex(index: string, replicas = this.options.replicas ?? 0): Promise<void> {
    await this.options.client.indices.create(
      {
        index,
        body: { ...productIndexBody, settings: { ...productIndexBody.settings, number_of_replicas: replicas } },
      },
      adminRequest,
    );
  }

  /** Makes the alias point at `index` alone, in one step. */
  async pointAliasAt(index: string): Promise<void> {
    const { client, alias } = this.options;
    const current = await this.indicesOfAlias();
    await client.indices.updateAliases(
      {
        body: {
          actions: [...current.map((old) => ({ remove: { index: old, alias } })), { add: { index, alias } }],
        },
      },
      adminRequest,
    );
  }

  /**
   * Makes the first index behind the alias when the alias points nowhere yet; safe to run from
   * every instance at once (a fixed first name, and adding an alias is idempotent).
   */
  async ensureIndex(): Promise<void> {
    if ((await this.indicesOfAlias()).length > 0) {
      // Fields added to the mapping since the index was made (adding a field is always allowed).
      await this.options.client.indices.putMapping(
        { index: this.options.alias, body: productIndexBody.mappings ?? {} },
        adminRequest,
      );
      return;
    }
    const first = `${this.options.alias}-v1`;
    await this.createIndex(first).catch((error: unknown) => {
      if (!String((error as { message?: string }).message).includes('resource_already_exists_exception')) throw error;
    });
    await this.options.client.indices.putAlias({ index: first, name: this.options.alias }, adminRequest);
  }

  /** The indices the alias points at (none before the first index is made). */
  async indicesOfAlias(): Promise<string[]> {
    const { client, alias } = this.options;
    const exists = await client.indices.existsAlias({ name: alias }, adminRequest);
    if (!exists.body) return [];
    const { body } = await client.indices.getAlias({ name: alias }, adminRequest);
    return Object.keys(body);
  }

  /** Removes an index (an old generation, once the alias points elsewhere). */
  async deleteIndex(index: string): Promise<void> {
    await this.options.client.indices.delete({ index }, adminRequest);
  }

  /** Makes every write so far visible to searches (the engine does it on its own within a second). */
  async refresh(index = this.options.alias): Promise<void> {
    await this.options.client.indices.refresh({ index }, adminRequest);
  }

  /** Every document's versions, a page at a time in id order: what a check compares with the table. */
  async *documents(index = this.options.alias, pageSize = 1000): AsyncGenerator<IndexedState[]> {
    let after: Array<string | number> | undefined;
    for (;;) {
      const { body } = await this.options.client.search(
        {
          index,
          body: {
            query: { match_all: {} },
            sort: [{ id: 'asc' }],
            size: pageSize,
            _source: ['id', 'name', 'version', 'deleted', 'available', 'stockVersion'],
            ...(after ? { search_after: after } : {}),
          },
        },
        adminRequest,
      );
      const hits = (body as unknown as RawSearchBody).hits.hits;
      if (hits.length === 0) return;
      yield hits.map(({ _source }) => ({
        id: String(_source.id),
        ...(_source.version !== undefined ? { version: _source.version } : {}),
        deleted: _source.deleted === true,
        ...(_source.stockVersion !== undefined ? { stockVersion: _source.stockVersion } : {}),
        ...(_source.available !== undefined ? { available: _source.available } : {}),
      }));
      after = hits.at(-1)?.sort;
    }
  }

  /** The product's state as of `product.version`, unless the index holds a newer one. */
  async applyProduct(product: IndexedProduct, index = this.options.alias): Promise<void> {
    await this.writeOne({ kind: 'product', product }, index);
  }

  /** The product was deleted at `version`: a tombstone no older change can overwrite. */
  async applyDelete(productId: string, version: number, index = this.options.alias): Promise<void> {
    await this.writeOne({ kind: 'delete', productId, version }, index);
  }

  /** The units available after stock change `stockVersion`, unless the index holds a newer count. */
  async applyStock(productId: string, available: number, stockVersion: number, index = this.options.alias) {
    await this.writeOne({ kind: 'stock', productId, available, stockVersion }, index);
  }

  /**
   * Applies the writes in one bulk request, in order (writes to one document run in the order
   * given). Each is a guarded scripted upsert, so a write older than what the document holds is a
   * no-op. Writes the engine refuses for good (a 4xx for that document) are answered, so the
   * caller can count and skip them; any other failure throws, and sending the batch again is safe.
   */
  async write(writes: readonly IndexWrite[], index = this.options.alias): Promise<RefusedWrite[]> {
    if (writes.length === 0) return [];
    const body = writes.flatMap((write) => {
      const { id, source, params } = scriptedUpdate(write);
      return [
        { update: { _index: index, _id: id, retry_on_conflict: 5 } },
        { scripted_upsert: true, script: { lang: 'painless', source, params }, upsert: {} },
      ];
    });
    return this.bulk(body, writes);
  }

  /**
   * Writes whole documents, a product with its stock level each, into an index nobody else writes
   * yet (a new generation before the alias points at it): plain index operations, without the
   * guards' scripts, which is what makes a rebuild's first pass fast. Answers refusals as `write`.
   */
  async load(
    documents: ReadonlyArray<{ product: IndexedProduct; stock?: { available: number; version: number } }>,
    index: string,
  ): Promise<RefusedWrite[]> {
    if (documents.length === 0) return [];
    const body = documents.flatMap(({ product, stock }) => [
      { index: { _index: index, _id: product.id } },
      {
        ...Object.fromEntries(productFields.flatMap((field) => (field in product ? [[field, product[field]]] : []))),
        deleted: false,
        ...(stock ? { available: stock.available, stockVersion: stock.version } : {}),
      },
    ]);
    return this.bulk(
      body,
      documents.map(({ product }): IndexWrite => ({ kind: 'product', product })),
    );
  }

  private async bulk(body: object[], writes: readonly IndexWrite[]): Promise<RefusedWrite[]> {
    const response = await this.options.client.bulk({ body });
    const result = response.body as unknown as BulkBody;
    if (!result.errors) return [];
    const refused: RefusedWrite[] = [];
    const passing: string[] = [];
    result.items.forEach((item, position) => {
      const { status = 0, error } = Object.values(item)[0] ?? {};
      if (!error) return;
      const reason = `${error.type}: ${error.reason}`;
      const write = writes[position] as IndexWrite;
      if (status >= 400 && status < 500 && status !== 409 && status !== 429) refused.push({ write, reason });
      else passing.push(reason);
    });
    if (passing.length > 0) throw new IndexWriteError(passing.length, passing[0] as string);
    return refused;
  }

  private async writeOne(write: IndexWrite, index: string): Promise<void> {
    const [refused] = await this.write([write], index);
    if (refused) throw new IndexWriteError(1, refused.reason);
  }

  /** The matching products; none while the index is not made yet (nothing has been indexed). */
  async search(query: SearchQuery): Promise<SearchResult> {
    const response = await this.options.client
      .search({
        index: this.options.alias,
        body: {
          query: queryOf(query),
          sort: sortOf(query),
          size: query.limit + 1,
          track_total_hits: true,
          ...(query.after ? { search_after: query.after } : {}),
          aggs: facetAggregations,
        },
      })
      .catch((error: unknown) => {
        if (errorType(error) === 'index_not_found_exception') return undefined;
        throw error;
      });
    if (!response) return { hits: [], total: 0, categories: [], prices: [] };
    return resultOf(response.body as unknown as RawSearchBody, query.limit);
  }
}

/** The engine's error type (`index_not_found_exception`, …) of a failed request, if it answered one. */
function errorType(error: unknown): string | undefined {
  return (error as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type;
}

interface BulkBody {
  errors: boolean;
  /** One per action, keyed by the action (`update`, `index`). */
  items: Array<Record<string, { status: number; error?: { type: string; reason: string } }>>;
}

function scriptedUpdate(write: IndexWrite): { id: string; source: string; params: Record<string, unknown> } {
  switch (write.kind) {
    case 'product': {
      const { product } = write;
      const doc = Object.fromEntries(
        productFields.flatMap((field) => (field in product ? [[field, product[field]]] : [])),
      );
      return {
        id: product.id,
        source: applyProductScript,
        params: { version: product.version, fields: [...productFields, 'deleted'], doc: { ...doc, deleted: false } },
      };
    }
    case 'delete':
      return {
        id: write.productId,
        source: applyProductScript,
        params: {
          version: write.version,
          fields: productFields.filter((field) => field !== 'id'),
          doc: { id: write.productId, version: write.version, deleted: true },
        },
      };
    case 'stock':
      return {
        id: write.productId,
        source: applyStockScript,
        params: { available: write.available, stockVersion: write.stockVersion },
      };
  }
}

function queryOf(query: SearchQuery): API.Search_RequestBody['query'] {
  const filter: NonNullable<API.Search_RequestBody['query']>[] = [{ exists: { field: 'name' } }];
  if (query.category) filter.push({ term: { category: query.category } });
  if (query.minPrice !== undefined || query.maxPrice !== undefined) {
    filter.push({
      range: {
        price: {
          ...(query.minPrice !== undefined ? { gte: query.minPrice } : {}),
          ...(query.maxPrice !== undefined ? { lte: query.maxPrice } : {}),
        },
      },
    });
  }
  if (query.inStock) filter.push({ range: { available: { gt: 0 } } });
  const mustNot = [{ term: { deleted: true } }];
  const text = query.text?.trim();
  if (!text) return { bool: { filter, must_not: mustNot } };
  // multi_match takes the text literally (no query syntax); the exact sku outranks any text match.
  // Typo tolerance expands each word into the index's near terms; on the first words only, and a
  // bounded number of terms each, so a long query stays under the engine's clause limit (1024).
  const words = text.split(/\s+/);
  const textFields = ['name^3', 'sku.text^2', 'category.text^2', 'description'];
  const fuzzy = {
    multi_match: {
      query: words.slice(0, fuzzyWords).join(' '),
      fields: textFields,
      fuzziness: 'AUTO',
      prefix_length: 1,
      max_expansions: fuzzyExpansions,
    },
  };
  const exact = { multi_match: { query: text, fields: textFields } };
  return {
    bool: {
      should: [
        ...(words.length > fuzzyWords ? [fuzzy, exact] : [fuzzy]),
        { constant_score: { filter: { term: { sku: text } }, boost: exactSkuBoost } },
      ],
      minimum_should_match: 1,
      filter,
      must_not: mustNot,
    },
  };
}

function sortOf(query: SearchQuery): API.Search_RequestBody['sort'] {
  const byId = { id: 'asc' as const };
  switch (query.sort) {
    case 'price-asc':
      return [{ price: 'asc' }, byId];
    case 'price-desc':
      return [{ price: 'desc' }, byId];
    case 'newest':
      return [{ createdAt: 'desc' }, byId];
    case 'relevance':
      return query.text?.trim() ? [{ _score: 'desc' }, byId] : [{ createdAt: 'desc' }, byId];
  }
}

interface RawSearchBody {
  hits: { total: { value: number }; hits: Array<{ _source: ProductDocument; sort: Array<string | number> }> };
  aggregations: {
    category: { buckets: Array<{ key: string; doc_count: number }> };
    price: { buckets: Array<{ from: number; to?: number; doc_count: number }> };
  };
}

function resultOf(body: RawSearchBody, limit: number): SearchResult {
  const page = body.hits.hits.slice(0, limit);
  const last = page.at(-1);
  return {
    hits: page.map(({ _source }) => hitOf(_source)),
    ...(body.hits.hits.length > limit && last ? { nextAfter: last.sort } : {}),
    total: body.hits.total.value,
    categories: body.aggregations.category.buckets.map(({ key, doc_count }) => ({ value: key, count: doc_count })),
    prices: body.aggregations.price.buckets
      .filter((bucket) => bucket.doc_count > 0)
      .map(({ from, to, doc_count }) => ({ from, ...(to !== undefined ? { to } : {}), count: doc_count })),
  };
}

function hitOf(source: ProductDocument): SearchHit {
  const { deleted: _deleted, stockVersion: _stockVersion, available, ...product } = source;
  return { ...(product as IndexedProduct), images: product.images ?? [], available: Math.max(0, available ?? 0) };
}
