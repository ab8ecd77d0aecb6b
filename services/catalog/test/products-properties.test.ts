import assert from 'node:assert/strict';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { apiDocument, assertShopEvent, createRequestChecker } from '@shop/contracts';
import { encodeCursor, fromMinorUnits, isId, productFromItem } from '@shop/platform';
import {
  anyText,
  asJson,
  assertJsonLists,
  assertStatus,
  assertValidIdempotencyItem,
  blankText,
  bodies,
  bodyText,
  bodyValue,
  checkProperty,
  earlyAnswer,
  foreignCursor,
  idempotencyKey,
  ifMatch,
  ifMatchHeader,
  isCursor,
  isIsoDate,
  jsonText,
  limitValue,
  longText,
  namesVersions,
  otherSegments,
  queryString,
  refusesField,
  StatusTally,
  sendChecked,
  serverQuery,
  showAnswer,
  textWithControl,
  unknownQueryPair,
  writeHeaders,
} from '@shop/testing';
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import fc from 'fast-check';
import { type Catalog, productBody, startCatalog } from './catalog-harness.js';

// Property-based tests over every endpoint of /api/products: generated bodies, queries, path ids
// and headers, from valid to malformed. Whatever comes in, the answer is never a 5xx, an error is
// always problem+json that leaks nothing internal, a success is a valid product, and the table
// holds only valid items afterwards. Each property sends its cases one after the other and has
// its own products, so it can tell each case's expected outcome from the state its earlier cases
// left; the properties themselves run concurrently.

const test = anyTest as TestFn<{ catalog: Catalog }>;

test.before(async (t) => {
  t.context.catalog = await startCatalog();
});
test.after.always(async (t) => {
  await t.context.catalog?.stop();
});

/** Products for one property's path ids; only that property changes them, and none deletes them. */
async function keptProducts(catalog: Catalog): Promise<string[]> {
  const kept: string[] = [];
  for (const category of ['shoes', 'tents', 'shoes']) {
    const created = await catalog.requestAs('admin', 'POST', '/api/products', productBody({ category }));
    kept.push(created.body.id);
  }
  return kept;
}

// ---------------------------------------------------------------------------------------------
// What a valid product looks like

/** Whether a body or query is valid is the contract's word; the price rule no schema states is below. */
const contract = createRequestChecker();
const zeroDecimalSchema = apiDocument().components?.schemas?.ZeroDecimalCurrency as { enum?: string[] } | undefined;
if (!zeroDecimalSchema?.enum) throw new Error('the contract lists no ZeroDecimalCurrency');
const zeroDecimalCurrencies = new Set(zeroDecimalSchema.enum);

/**
 * The contract's price rule in words: at most 2 decimals in the shortest decimal form, none in a
 * zero-decimal currency. Judged here by a round trip through the fixed form, not as the service does.
 */
function priceFits(price: unknown, currency: unknown): boolean {
  if (typeof price !== 'number') return true;
  const places = zeroDecimalCurrencies.has(currency as string) ? 0 : 2;
  return Number(price.toFixed(places)) === price;
}

/** True when `cursor` is base64url JSON of exactly `{ id: <ULID> }`, the shape list pages issue. */
const isListCursor = (cursor: unknown) => isCursor(cursor, 'id', (id) => isId(id as string));

/** A product as the API shows it: the input schema accepts its client fields, and the rest is well formed. */
function assertValidView(view: Record<string, unknown>, request: string): void {
  const label = `${request}: invalid product ${JSON.stringify(view)}`;
  const { id, version, createdAt, updatedAt, images, ...input } = view;
  assert.ok(isId(id as string), label);
  // No request here attaches images (media.test.ts does); a stored item without any has none.
  assert.deepEqual(images ?? [], [], label);
  assert.ok(Number.isInteger(version) && (version as number) >= 1, label);
  assert.ok(isIsoDate(createdAt) && isIsoDate(updatedAt), label);
  assert.ok(contract.accepts('createProduct', input) && priceFits(input.price, input.currency), label);
  assert.equal(typeof input.sku, 'string', label);
}

// ---------------------------------------------------------------------------------------------
// Generators

const nonBlank = (value: string) => /\S/.test(value);
/** Names from plain to refused: blank, zero-width only, with control characters, too long, not Unicode. */
const productName = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 40 }).filter(nonBlank) },
  { weight: 1, arbitrary: bodyText(220) },
  { weight: 1, arbitrary: fc.oneof(blankText, textWithControl) },
);
const description = fc.oneof(fc.constant(''), fc.string({ maxLength: 200 }), bodyText(200));
const price = fc.oneof(
  fc.integer({ min: 0, max: 9_999_999_999 }).map((cents) => cents / 100),
  fc.integer({ min: 0, max: 99_999_999 }),
  fc.constantFrom(0, 0.01, 0.1, 0.29, 1.005, 99_999_999.99),
);
const currency = fc.constantFrom('USD', 'EUR', 'GBP', 'JPY', 'KWD', 'CLF', 'CHF');
const sku = fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.constantFrom('SHARED-1', 'SHARED-2'));
const categorySlug = fc.oneof(
  fc.constantFrom('shoes', 'tents', 'uncategorized'),
  fc.stringMatching(/^[a-z0-9]{1,12}(?:-[a-z0-9]{1,8}){0,3}$/),
);
const supplier = fc.record({
  name: productName,
  email: fc.oneof(fc.emailAddress(), fc.constant('orders@acme.test')),
});

const productFields = ['name', 'description', 'price', 'currency', 'sku', 'category', 'supplier'] as const;

const validProduct = fc.record(
  { name: productName, description, price, currency, sku, category: categorySlug, supplier },
  { requiredKeys: ['name', 'description', 'price'] },
);

/** Product bodies around `fields`, from valid to hopeless. */
const productBodies = (fields: fc.Arbitrary<Record<string, unknown>>) =>
  bodies(fields, {
    fieldNames: [...productFields, 'supplier.name', 'supplier.email'],
    pastLimits: fc.oneof(longText(201), longText(5001)),
    foreignKeys: ['id', 'version', 'priceMinor', 'createdAt', 'pk', 'Name'],
  });

/** A path id: a kept product (by index), a ULID no product has, or any other segment. */
type PathId = { kept: number } | { unknown: string } | { segment: string };

const pathId: fc.Arbitrary<PathId> = fc.oneof(
  { weight: 6, arbitrary: fc.nat(2).map((kept) => ({ kept })) },
  { weight: 2, arbitrary: fc.ulid().map((unknown) => ({ unknown })) },
  { weight: 4, arbitrary: otherSegments.map((segment) => ({ segment })) },
);

function segmentOf(id: PathId, kept: string[]): string {
  if ('kept' in id) return kept[id.kept] as string;
  if ('unknown' in id) return id.unknown;
  return id.segment;
}

const listCursor = fc.oneof(
  fc.ulid().map((id) => encodeCursor({ id })),
  fc.constant(encodeCursor({ id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' })),
  fc.ulid().map((id) => Buffer.from(JSON.stringify({ id, extra: 1 })).toString('base64url')),
  fc.ulid().map((id) => Buffer.from(JSON.stringify({ id: id.toLowerCase() })).toString('base64url')),
  foreignCursor,
);

const listQuery = queryString(
  fc.oneof(
    fc.tuple(fc.constant('limit'), limitValue),
    fc.tuple(fc.constant('cursor'), listCursor),
    fc.tuple(fc.constant('category'), fc.oneof(categorySlug, fc.string(), anyText(20), longText(65))),
    unknownQueryPair(['lowStock', 'Limit']),
  ),
);

// ---------------------------------------------------------------------------------------------
// Properties, one per endpoint

test('when GET /api/products gets any query, then 200 with a valid page for a valid query, else 422', async (t) => {
  const { catalog } = t.context;
  const tally = new StatusTally();
  await checkProperty(
    t,
    tally,
    fc.asyncProperty(listQuery, async (search) => {
      const request = `/api/products?${search}`;
      const answer = await sendChecked(catalog, 'anonymous', 'GET', request);
      tally.add(answer);
      const query = serverQuery(search);
      const checked = contract.query('listProducts', query);
      const valid = checked.valid && (query.cursor === undefined || isListCursor(query.cursor));
      assertStatus(answer, valid ? [200] : [422], request);
      if (!valid) return;
      const { limit, category } = (checked.valid ? checked.value : {}) as { limit: number; category?: string };
      assert.ok(Array.isArray(answer.body.items) && answer.body.items.length <= limit, request);
      assert.ok(answer.body.nextCursor === null || isListCursor(answer.body.nextCursor), request);
      for (const item of answer.body.items) {
        assertValidView(item, request);
        if (category !== undefined) assert.equal(item.category, category, request);
      }
    }),
  );
});

/** A product without the fields the service sets on every write. */
/** The fields a client sends (images are the media operations'). */
function clientFields(product: Record<string, unknown>) {
  const {
    id: _id,
    version: _version,
    createdAt: _createdAt,
    updatedAt: _updatedAt,
    images: _images,
    ...fields
  } = product;
  return fields;
}

test('when POST /api/products gets any body and headers, then it creates only valid products', async (t) => {
  const { catalog } = t.context;
  const tally = new StatusTally();
  await checkProperty(
    t,
    tally,
    fc.asyncProperty(productBodies(validProduct), idempotencyKey, async (body, key) => {
      const headers = writeHeaders(key);
      const answer = await sendChecked(catalog, 'admin', 'POST', '/api/products', body, headers);
      tally.add(answer);
      const request = `POST /api/products ${JSON.stringify(headers)} ${body?.text.slice(0, 500)}`;
      const early = earlyAnswer(answer, body, key, []);
      if (early === 'skip') return;
      if (early !== undefined) return assertStatus(answer, [early], request);
      const sent = bodyValue(body);
      if (!contract.accepts('createProduct', sent)) return assertStatus(answer, [422], request);
      const input = asJson(sent as Record<string, unknown>);
      if (!priceFits(input.price, input.currency ?? 'USD')) {
        assertStatus(answer, [422], request);
        return assert.ok(refusesField(answer, 'price'), showAnswer(request, answer));
      }
      if (answer.status === 409) return assert.ok(input.sku !== undefined, showAnswer(request, answer));
      assertStatus(answer, [201], request);
      assertValidView(answer.body, request);
      assert.equal(answer.headers.get('location'), `/api/products/${answer.body.id}`, request);
      assert.equal(answer.headers.get('etag'), '"1"', request);
      assert.deepEqual(
        clientFields(answer.body),
        { currency: 'USD', category: 'uncategorized', ...input, sku: input.sku ?? `SKU-${answer.body.id}` },
        `the created product is what was sent: ${request}`,
      );
      const read = await sendChecked(catalog, 'anonymous', 'GET', `/api/products/${answer.body.id}`);
      assert.deepEqual(read.body, answer.body, `the stored product reads back as answered: ${request}`);
    }),
  );
});

test('when GET /api/products/:id gets any id, then 200 for a product, 404 for anything else', async (t) => {
  const { catalog } = t.context;
  const kept = await keptProducts(catalog);
  const tally = new StatusTally();
  await checkProperty(
    t,
    tally,
    fc.asyncProperty(pathId, listQuery, async (id, search) => {
      const request = `/api/products/${segmentOf(id, kept)}?${search}`;
      const answer = await sendChecked(catalog, 'anonymous', 'GET', request);
      tally.add(answer);
      if (!('kept' in id)) return assertStatus(answer, [404], request);
      assertStatus(answer, [200], request);
      assertValidView(answer.body, request);
      assert.equal(answer.body.id, segmentOf(id, kept), request);
      assert.equal(answer.headers.get('etag'), `"${answer.body.version}"`, request);
    }),
  );
});

/** PUT and PATCH: the same checks, each with its body schema and its result for a kept product. */
function writeProperty(
  method: 'PUT' | 'PATCH',
  operationId: 'replaceProduct' | 'updateProduct',
  fields: fc.Arbitrary<Record<string, unknown>>,
  expected: (input: Record<string, unknown>, before: Record<string, unknown>) => Record<string, unknown>,
) {
  return async (t: ExecutionContext<{ catalog: Catalog }>) => {
    const { catalog } = t.context;
    const kept = await keptProducts(catalog);
    const tally = new StatusTally();
    await checkProperty(
      t,
      tally,
      fc.asyncProperty(pathId, productBodies(fields), ifMatch, idempotencyKey, async (id, body, condition, key) => {
        const segment = segmentOf(id, kept);
        const path = `/api/products/${segment}`;
        const before = 'kept' in id ? (await sendChecked(catalog, 'anonymous', 'GET', path)).body : undefined;
        const headers = writeHeaders(key, ifMatchHeader(condition, before?.version));
        const answer = await sendChecked(catalog, 'admin', method, path, body, headers);
        tally.add(answer);
        const request = `${method} ${path} ${JSON.stringify(headers)} ${body?.text.slice(0, 500)}`;
        const early = earlyAnswer(answer, body, key, [segment]);
        if (early === 'skip') return;
        if (early !== undefined) return assertStatus(answer, [early], request);
        const sent = bodyValue(body);
        if (!contract.accepts(operationId, sent)) return assertStatus(answer, [422], request);
        const input = asJson(sent as Record<string, unknown>);
        // The price rule on the body alone (in its currency, else USD) is judged before the product is looked up.
        if (!priceFits(input.price, input.currency ?? 'USD')) {
          assertStatus(answer, [422], request);
          return assert.ok(refusesField(answer, 'price'), showAnswer(request, answer));
        }
        if (before === undefined) return assertStatus(answer, [404], request);
        if (answer.status === 412) return assert.ok(namesVersions(headers['if-match']), showAnswer(request, answer));
        // A PUT's defaults apply; a PATCH is judged with the stored field it leaves alone.
        const fallback = method === 'PUT' ? { currency: 'USD' } : before;
        if (!priceFits(input.price ?? before.price, input.currency ?? fallback.currency)) {
          assertStatus(answer, [422], request);
          return assert.ok(refusesField(answer, 'price'), showAnswer(request, answer));
        }
        if (answer.status === 409) return assert.ok(input.sku !== undefined, showAnswer(request, answer));
        assertStatus(answer, [200], request);
        assertValidView(answer.body, request);
        assert.equal(answer.headers.get('etag'), `"${answer.body.version}"`, request);
        assert.deepEqual(
          { ...answer.body, updatedAt: undefined },
          {
            ...expected(input, before),
            // A replace or a patch keeps the images.
            images: before.images,
            id: before.id,
            version: before.version + 1,
            createdAt: before.createdAt,
            updatedAt: undefined,
          },
          `the changed product is as requested: ${request}`,
        );
        const read = await sendChecked(catalog, 'anonymous', 'GET', path);
        assert.deepEqual(read.body, answer.body, `the stored product reads back as answered: ${request}`);
      }),
    );
  };
}

test(
  'when PUT /api/products/:id gets any id, body and headers, then it stores only valid products',
  writeProperty('PUT', 'replaceProduct', validProduct, (input, before) => ({
    currency: 'USD',
    category: 'uncategorized',
    ...input,
    sku: input.sku ?? before.sku,
  })),
);

test(
  'when PATCH /api/products/:id gets any id, body and headers, then it stores only valid products',
  writeProperty(
    'PATCH',
    'updateProduct',
    fc.record(
      {
        name: productName,
        description,
        price,
        currency,
        sku,
        category: categorySlug,
        supplier: fc.oneof(supplier, fc.constant(null)),
      },
      { requiredKeys: [] },
    ),
    (input, before) => {
      const { supplier: patchedSupplier, ...rest } = input;
      const next: Record<string, unknown> = { ...before, ...rest };
      if (patchedSupplier === null) delete next.supplier;
      else if (patchedSupplier !== undefined) next.supplier = patchedSupplier;
      return next;
    },
  ),
);

/** A path for DELETE: a product made for this case, the one deleted last, or an id no product has. */
type DeletePathId = { fresh: true } | { deleted: true } | PathId;

test('when DELETE /api/products/:id gets any id, body and headers, then only a product it names goes', async (t) => {
  const { catalog } = t.context;
  const deleted: string[] = [];
  const tally = new StatusTally();
  const deletePathId: fc.Arbitrary<DeletePathId> = fc.oneof(
    { weight: 4, arbitrary: fc.constant({ fresh: true as const }) },
    { weight: 1, arbitrary: fc.constant({ deleted: true as const }) },
    { weight: 3, arbitrary: pathId.filter((id) => !('kept' in id)) },
  );
  const deleteBody = fc.oneof(
    { weight: 8, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: productBodies(validProduct) },
  );
  await checkProperty(
    t,
    tally,
    fc.asyncProperty(deletePathId, deleteBody, ifMatch, idempotencyKey, async (id, body, condition, key) => {
      let segment: string;
      if ('fresh' in id) {
        const made = await sendChecked(catalog, 'admin', 'POST', '/api/products', { text: jsonText(productBody()) });
        segment = made.body.id;
      } else if ('deleted' in id) {
        segment = deleted.at(-1) ?? 'none-yet';
      } else {
        segment = segmentOf(id, []);
      }
      const path = `/api/products/${segment}`;
      const headers = writeHeaders(key, ifMatchHeader(condition, 1));
      const answer = await sendChecked(catalog, 'admin', 'DELETE', path, body, headers);
      tally.add(answer);
      const request = `DELETE ${path} ${JSON.stringify(headers)} ${body?.text.slice(0, 200)}`;
      if (answer.status === 204) deleted.push(segment);
      const early = earlyAnswer(answer, body, key, [segment]);
      if (early === 'skip') return;
      if (early !== undefined) return assertStatus(answer, [early], request);
      if (!('fresh' in id)) return assertStatus(answer, [404], request);
      if (answer.status === 412) return assert.ok(namesVersions(headers['if-match']), showAnswer(request, answer));
      assertStatus(answer, [204], request);
      assert.equal(answer.body, undefined, request);
      assertStatus(await sendChecked(catalog, 'anonymous', 'GET', path), [404], `GET after ${request}`);
    }),
  );
});

// ---------------------------------------------------------------------------------------------
// What the properties left behind

/** Every item in the table, page by page. */
async function scanTable(catalog: Catalog): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await catalog.documentClient.send(
      new ScanCommand({ TableName: catalog.standIns.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** A stored product, live or a tombstone waiting for its last event: its fields make a valid product. */
function assertValidProductItem(item: Record<string, unknown>, label: string): void {
  for (const field of ['id', 'name', 'description', 'currency', 'sku', 'category', 'createdAt', 'updatedAt']) {
    assert.equal(typeof item[field], 'string', `${field} of ${label}`);
  }
  const product = productFromItem(item);
  assert.equal(item.pk, `PRODUCT#${product.id}`, label);
  if (item.deletedAt === undefined) {
    assert.equal(item.entityType, 'PRODUCT', label);
    assert.equal(item.categoryKey, `CATEGORY#${product.category}`, label);
  }
  assert.ok(Number.isSafeInteger(product.priceMinor) && product.priceMinor >= 0, label);
  assert.match(product.currency, /^[A-Z]{3}$/, label);
  const { priceMinor, ...rest } = product;
  assertValidView({ ...rest, price: fromMinorUnits(priceMinor, product.currency) }, `stored ${label}`);
}

// A hook, not a test: it must see what every property left, and tests run concurrently.
test.after('when the properties have run, then every item in the table and every event is valid', async (t) => {
  const items = await scanTable(t.context.catalog);
  const kinds = new Map<string, number>();
  let eventsChecked = 0;
  const claims = new Map<string, unknown>();
  const liveBySku = new Map<string, string>();
  for (const item of items) {
    const label = JSON.stringify(item).slice(0, 2000);
    assert.ok(typeof item.pk === 'string' && typeof item.sk === 'string', label);
    const kind = String(item.sk).split('#')[0] as string;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    assertJsonLists(item, label);
    if (kind === 'PRODUCT') {
      assertValidProductItem(item, label);
      if (item.deletedAt !== undefined) continue;
      const sku = String(item.sku);
      assert.equal(liveBySku.get(sku), undefined, `two products share sku ${sku}`);
      liveBySku.set(sku, String(item.id));
    } else if (kind === 'SKU') {
      assert.ok(isId(item.productId as string), label);
      assert.ok(Number.isSafeInteger(item.claimedAt), label);
      claims.set(String(item.pk).slice('SKU#'.length), item.productId);
    } else if (kind === 'IDEMPOTENCY') {
      assertValidIdempotencyItem(item, label);
    } else if (kind === 'EVENTS') {
      // The events as published: each keeps its schema, whatever valid product the cases made.
      for (const event of item.events as string[]) {
        assertShopEvent(JSON.parse(event));
        eventsChecked += 1;
      }
    }
  }
  for (const [sku, productId] of liveBySku) {
    assert.equal(claims.get(sku), productId, `the sku claim of ${sku} names its product`);
  }
  t.log(`${items.length} items: ${[...kinds].map(([kind, count]) => `${kind}×${count}`).join(' ')}`);
  t.true(liveBySku.size > 0);
  t.true(eventsChecked > 0, 'published events were checked');
  t.log(`${eventsChecked} published events keep their schemas`);
});
