import { assertShopEvent, type ShopEvent } from '@shop/contracts';
import { createEvent, newId, stockEventTypes } from '@shop/platform';
import { createSearchClient, ProductIndexProjector, ProductSearchRepository } from '@shop/product-index';
import { serveOnStandIns } from '@shop/testing';
import anyTest, { type TestFn } from 'ava';
import { createApp } from '../src/app.js';
import { productEvent } from '../src/products/product-events.js';
import type { ProductView } from '../src/products/product-view.js';

const alias = 'products';

async function startSearchCatalog() {
  let repository: ProductSearchRepository | undefined;
  const catalog = await serveOnStandIns(
    'catalog',
    createApp,
    (_kit, standIns) => {
      // Generous timeouts: the suites keep this machine's two cores busy beside the engine.
      const endpoint = standIns.searchEndpoint as string;
      const client = createSearchClient({ endpoint, timeoutMs: 10_000 });
      const writer = createSearchClient({ endpoint, timeoutMs: 30_000 });
      repository = new ProductSearchRepository({ client: writer, alias });
      return { search: { client, alias } };
    },
    { standIns: { search: true } },
  );
  const index = repository as ProductSearchRepository;
  // The index's writer makes it (the search indexer, in the stack); catalog only reads it.
  await index.ensureIndex();
  return { catalog, index };
}

// One catalog and one engine for the file; each test writes its own category, so none sees another's products.
let stack: Awaited<ReturnType<typeof startSearchCatalog>>;
const test = anyTest as TestFn;

test.before(async () => {
  stack = await startSearchCatalog();
});

test.after.always(async () => {
  await stack?.catalog.stop();
});

let created = Date.parse('2026-01-01T00:00:00.000Z');
function product(overrides: Partial<ProductView> = {}): ProductView {
  created += 60_000;
  const at = new Date(created).toISOString();
  return {
    id: newId(),
    name: 'Trail shoe',
    description: 'A light shoe for rough paths',
    price: 89.99,
    currency: 'USD',
    sku: `SKU-${newId()}`,
    category: 'running-shoes',
    images: [],
    version: 1,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

async function indexed(category: string, products: Array<Partial<ProductView> & { available?: number }>) {
  const { index, catalog } = stack;
  const views = products.map(({ available, ...fields }) => ({ view: product({ category, ...fields }), available }));
  for (const { view, available } of views) {
    await index.applyProduct(view);
    if (available !== undefined) await index.applyStock(view.id, available, 1);
  }
  await refresh();
  return { views: views.map(({ view }) => view), catalog };
}

async function refresh() {
  const { catalog } = stack;
  await fetch(`${catalog.standIns.searchEndpoint}/${alias}/_refresh`, { method: 'POST' });
}

const search = (query: Record<string, string>) =>
  stack.catalog.request('GET', `/api/products/search?${new URLSearchParams(query)}`);

test.serial(
  'when a shopper searches with a typo or another word form, then the products match; an exact sku comes first',
  async (t) => {
    const { views } = await indexed('search-text', [
      { name: 'Running jacket', description: 'Wind proof' },
      { name: 'Trail shoe', description: 'Runs on rough paths' },
      { name: 'Camping mug', description: 'Enamel', sku: 'MUG-CAMP-1' },
      { name: 'Mug camp 1 mug camp', description: 'Mug, camp, 1: every word of that sku, twice' },
    ]);
    const [jacket, shoe, mug] = views as [ProductView, ProductView, ProductView];
    const stemmed = await search({ q: 'runs', category: 'search-text' });
    t.is(stemmed.status, 200);
    t.deepEqual(stemmed.body.items.map((item: ProductView) => item.id).sort(), [jacket.id, shoe.id].sort());
    const typo = await search({ q: 'jackte', category: 'search-text' });
    t.deepEqual(
      typo.body.items.map((item: ProductView) => item.id),
      [jacket.id],
    );
    const sku = await search({ q: 'mug-camp-1', category: 'search-text' });
    t.is(sku.body.items.length, 2, 'the words match the other product too');
    t.is(sku.body.items[0]?.id, mug.id, 'the exact sku, in any case, first');
    const literal = await search({ q: 'name:(trail OR "*") AND [', category: 'search-text' });
    t.is(literal.status, 200, 'query syntax is taken as text');
  },
);

test.serial(
  'when a query is as long as allowed, of words with many near neighbours in the index, then it is answered, not refused by the engine',
  async (t) => {
    // Forty words, and in the index every word one edit from each of them: a long query of such
    // words would expand past the engine's clause limit if each word's typo variants were all searched.
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const words = Array.from(
      { length: 40 },
      (_, index) => `${letters[index % 26]}${letters[Math.floor(index / 26)]}aa`,
    );
    const neighbours = words.flatMap((word) =>
      [1, 2, 3].flatMap((position) =>
        [...letters].map((letter) => word.slice(0, position) + letter + word.slice(position + 1)),
      ),
    );
    await indexed('search-long', [{ name: 'Neighbours', description: neighbours.join(' ') }]);
    const query = words.join(' ');
    t.is(query.length, 199);
    const answer = await search({ q: query, category: 'search-long' });
    t.is(answer.status, 200, JSON.stringify(answer.body));
    // The most words a query can hold: the typo-tolerant first ones, then one-letter words.
    const crowded = `${words.slice(0, 8).join(' ')}${' x'.repeat(80)}`;
    t.true(crowded.length <= 200);
    const most = await search({ q: crowded, category: 'search-long' });
    t.is(most.status, 200, JSON.stringify(most.body));
    t.is(answer.body.total, 1);
  },
);

test.serial('when the index has not been made yet, then a search finds nothing rather than failing', async (t) => {
  const unmade = new ProductSearchRepository({
    client: createSearchClient({ endpoint: stack.catalog.standIns.searchEndpoint as string, timeoutMs: 10_000 }),
    alias: `never-made-${Date.now()}`,
  });
  t.deepEqual(await unmade.search({ text: 'shoe', sort: 'relevance', limit: 5 }), {
    hits: [],
    total: 0,
    categories: [],
    prices: [],
  });
});

test.serial(
  'when filters and sorts are given, then only matching products come, in that order, with facets of the matching set',
  async (t) => {
    const { views } = await indexed('search-filter', [
      { name: 'Cheap sock', price: 5, available: 3 },
      { name: 'Plain sock', price: 12, available: 0 },
      { name: 'Wool sock', price: 30, available: 9 },
      { name: 'Silk sock', price: 120 },
    ]);
    const [cheap, plain, wool, silk] = views as [ProductView, ProductView, ProductView, ProductView];
    const byPrice = await search({ q: 'sock', category: 'search-filter', sort: 'price-desc' });
    t.deepEqual(
      byPrice.body.items.map((item: ProductView) => item.id),
      [silk.id, wool.id, plain.id, cheap.id],
    );
    t.is(byPrice.body.total, 4);
    t.deepEqual(byPrice.body.facets.category, [{ value: 'search-filter', count: 4 }]);
    t.deepEqual(byPrice.body.facets.price, [
      { from: 0, to: 10, count: 1 },
      { from: 10, to: 25, count: 1 },
      { from: 25, to: 50, count: 1 },
      { from: 100, to: 250, count: 1 },
    ]);
    const ranged = await search({ category: 'search-filter', minPrice: '10', maxPrice: '30', sort: 'price-asc' });
    t.deepEqual(
      ranged.body.items.map((item: ProductView) => item.id),
      [plain.id, wool.id],
    );
    const inStock = await search({ category: 'search-filter', inStock: 'true', sort: 'price-asc' });
    t.deepEqual(
      inStock.body.items.map((item: { id: string; available: number }) => [item.id, item.available]),
      [
        [cheap.id, 3],
        [wool.id, 9],
      ],
    );
    const newest = await search({ category: 'search-filter', sort: 'newest' });
    t.deepEqual(
      newest.body.items.map((item: ProductView) => item.id),
      [silk.id, wool.id, plain.id, cheap.id],
    );
    t.like(newest.body.items[3], { ...cheap, available: 3 }, 'an item is the product view with its availability');
  },
);

test.serial('when the results are paged, then every match comes exactly once', async (t) => {
  const { views } = await indexed(
    'search-pages',
    Array.from({ length: 23 }, (_, index) => ({ name: `Tent ${index}`, price: index % 5 })),
  );
  for (const sort of ['relevance', 'price-asc', 'price-desc', 'newest']) {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof search>> = await search({
        q: 'tent',
        category: 'search-pages',
        sort,
        limit: '5',
        ...(cursor ? { cursor } : {}),
      });
      t.is(page.status, 200);
      t.is(page.body.total, 23);
      seen.push(...page.body.items.map((item: ProductView) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    t.is(seen.length, 23, sort);
    t.deepEqual([...seen].sort(), views.map((view) => view.id).sort(), sort);
  }
});

// A stock event as inventory publishes it, checked against its contract.
function stockAdjusted(productId: string, version: number, availableAfter: number): ShopEvent {
  const event = createEvent({
    source: '/shop/inventory',
    type: stockEventTypes.adjusted,
    subject: productId,
    data: {
      productId,
      version,
      adjustmentId: newId(),
      quantity: 1,
      reason: 'restock',
      onHandBefore: availableAfter - 1,
      onHandAfter: availableAfter,
      availableAfter,
    },
  });
  assertShopEvent(event);
  return event;
}

function productChanged(change: 'created' | 'updated' | 'deleted', view: ProductView): ShopEvent {
  const event = productEvent(change, { ...view, priceMinor: Math.round(view.price * 100) });
  assertShopEvent(event);
  return event;
}

const shuffled = <T>(items: T[]) =>
  items
    .map((item) => ({ item, key: Math.random() }))
    .sort((a, b) => a.key - b.key)
    .map(({ item }) => item);

test.serial(
  "when a product's events arrive shuffled and twice, then the index holds its newest state; a delete wins over late updates",
  async (t) => {
    const projector = new ProductIndexProjector(stack.index);
    const first = product({ category: 'search-order', name: 'Lantern v1' });
    const versions = [1, 2, 3, 4, 5].map((version) => ({
      ...first,
      version,
      name: `Lantern v${version}`,
      price: version,
    }));
    const productEvents = versions.map((view, index) => productChanged(index === 0 ? 'created' : 'updated', view));
    const stockEvents = [1, 2, 3, 4].map((version) => stockAdjusted(first.id, version, version * 10));
    const deliveries = shuffled([...productEvents, ...productEvents, ...stockEvents, ...stockEvents]);
    t.deepEqual(
      await Promise.all(deliveries.map((event) => projector.project(event))),
      deliveries.map(() => 'applied'),
    );
    await refresh();
    const found = await search({ category: 'search-order' });
    t.is(found.body.items.length, 1);
    t.like(found.body.items[0], { id: first.id, name: 'Lantern v5', price: 5, version: 5, available: 40 });

    const deleted = productChanged('deleted', { ...first, version: 6 });
    for (const event of shuffled([deleted, productChanged('updated', { ...first, version: 5, name: 'Late' })])) {
      await projector.project(event);
    }
    await projector.project(stockAdjusted(first.id, 5, 99));
    await refresh();
    t.deepEqual((await search({ category: 'search-order' })).body.items, [], 'deleted, whatever came late');
    const viewed = createEvent({
      source: '/shop/web',
      type: 'shop.web.product.viewed.v1',
      subject: first.id,
      data: { productId: first.id },
    }) as unknown as ShopEvent;
    t.is(await projector.project(viewed), 'not-indexed');
  },
);

test.serial('when a search is not valid, then it answers 422 naming the parameter', async (t) => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ q: 'x'.repeat(201) }, 'q'],
    [{ minPrice: '20', maxPrice: '10' }, 'minPrice'],
    [{ sort: 'cheapest' }, 'sort'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ cursor: 'not-a-cursor' }, 'cursor'],
    [{ inStock: 'maybe' }, 'inStock'],
    [{ minPrice: '-1' }, 'minPrice'],
    [{ colour: 'red' }, 'colour'],
  ];
  for (const [query, field] of cases) {
    const response = await search(query);
    t.is(response.status, 422, JSON.stringify(query));
    t.is(response.headers.get('content-type'), 'application/problem+json');
    t.is(response.body.errors[0].field, field, JSON.stringify(query));
  }
  await indexed('search-cursor', [{ name: 'Stove a' }, { name: 'Stove b' }]);
  const page = await search({ category: 'search-cursor', sort: 'price-asc', limit: '1' });
  const other = await search({ category: 'search-cursor', sort: 'newest', cursor: page.body.nextCursor });
  t.is(other.status, 422, 'a cursor of another sort');
  t.is(other.body.errors[0].field, 'cursor');
  const forged = Buffer.from(JSON.stringify({ sort: 'price-asc', after: '["cheap", 1]' })).toString('base64url');
  const wrongTypes = await search({ category: 'search-cursor', sort: 'price-asc', cursor: forged });
  t.is(wrongTypes.status, 422, 'a cursor whose values the sort cannot take');
  t.is(wrongTypes.body.errors[0].field, 'cursor');
});

test.serial(
  'when the search engine is down, then search answers 503 with Retry-After and the other routes still serve',
  async (t) => {
    const { catalog } = stack;
    const created = await catalog.requestAs('admin', 'POST', '/api/products', {
      name: 'Kettle',
      description: '',
      price: 20,
    });
    t.is(created.status, 201);
    const engine = catalog.standIns.processes.search;
    await engine?.stop();
    try {
      const started = Date.now();
      const down = await search({ q: 'kettle' });
      t.is(down.status, 503);
      t.is(down.headers.get('retry-after'), '5');
      t.true(Date.now() - started < 10_000, 'within the timeout');
      t.is((await catalog.request('GET', `/api/products/${created.body.id}`)).status, 200);
      t.is((await catalog.request('GET', '/api/products')).status, 200);
    } finally {
      await catalog.standIns.restart('search');
    }
    t.is((await search({ q: 'kettle' })).status, 200, 'served again once the engine is back');
  },
);
