import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { assertShopEvent, createRequestChecker } from '@shop/contracts';
import { encodeCursor, isId, itemKeys } from '@shop/platform';
import {
  asJson,
  assertJsonLists,
  assertStatus,
  assertValidIdempotencyItem,
  blankIfMatch,
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
  type JsonResponse,
  limitValue,
  longText,
  namesVersions,
  otherSegments,
  queryString,
  routeParameter,
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
import { adjustmentReasons } from '../src/stock/stock-level.js';
import { type Inventory, startInventory } from './inventory-harness.js';

/** Whether a body or query is valid is the contract's word; the stock rules the properties judge themselves. */
const contract = createRequestChecker();

// Property-based tests over every endpoint of /api/inventory: generated bodies, queries, path ids
// and headers, from valid to malformed. Whatever comes in, the answer is never a 5xx, an error is
// always problem+json that leaks nothing internal, a success shows consistent stock, and the table
// holds only valid items afterwards. Each property sends its cases one after the other and has
// its own products, so it can tell each case's expected outcome from the state its earlier cases
// left; the properties themselves run concurrently.

interface ReservationFixture {
  productId: string;
  reservationId: string;
}

/** What one property's cases refer to. */
interface Fixtures {
  /** Products with stock that only this property changes; none is deleted. */
  stocked: string[];
  /** A product catalog deleted after it had stock and a reservation (shared: nothing can change it). */
  deleted: ReservationFixture;
  /** Reservations of `stocked` made for or by this property, in whatever state they are now. */
  reservations: ReservationFixture[];
}

type Context = ExecutionContext<{ inventory: Inventory; deleted: ReservationFixture }>;

const test = anyTest as TestFn<{ inventory: Inventory; deleted: ReservationFixture }>;

const restock = (inventory: Inventory, productId: string, quantity: number) =>
  inventory.requestAs('staff', 'POST', `/api/inventory/${productId}/adjustments`, { quantity, reason: 'restock' });

test.before(async (t) => {
  const inventory = await startInventory();
  const gone = await inventory.createProduct();
  await restock(inventory, gone.id, 10);
  const reservation = await inventory.requestAs('staff', 'POST', `/api/inventory/${gone.id}/reservations`, {
    quantity: 1,
  });
  await inventory.deleteProduct(gone.id);
  t.context = { inventory, deleted: { productId: gone.id, reservationId: reservation.body.id } };
});
test.after.always(async (t) => {
  await t.context.inventory?.stop();
});

/**
 * Three products for one property, each with plenty of stock, a reservation that lasts the run
 * and one that expires after a second (and stays unswept until a write needs its units).
 */
async function fixturesFor(t: Context): Promise<Fixtures> {
  const { inventory, deleted } = t.context;
  const stocked: string[] = [];
  const reservations: ReservationFixture[] = [];
  for (let index = 0; index < 3; index += 1) {
    const product = await inventory.createProduct();
    await restock(inventory, product.id, 1_000_000);
    for (const reservation of [
      { quantity: 3, ttlSeconds: 3600 },
      { quantity: 5, ttlSeconds: 1 },
    ]) {
      const path = `/api/inventory/${product.id}/reservations`;
      const made = await inventory.requestAs('staff', 'POST', path, reservation);
      reservations.push({ productId: product.id, reservationId: made.body.id });
    }
    stocked.push(product.id);
  }
  return { stocked, deleted, reservations };
}

// ---------------------------------------------------------------------------------------------
// What valid stock, reservations and history look like

/** A stock list cursor: `{ id: <product id> }`. */
const isStockCursor = (cursor: unknown) => isCursor(cursor, 'id', (id) => isId(id as string));
/** A history cursor: `{ v: "<version>" }`, a version as a decimal string. */
const isHistoryCursor = (cursor: unknown) =>
  isCursor(cursor, 'v', (v) => typeof v === 'string' && /^[1-9]\d{0,14}$/.test(v));

/** Each field of `expected` is equal in `actual` (other fields may be anything). */
function assertFields(actual: Record<string, unknown>, expected: Record<string, unknown>, label: string): void {
  for (const [field, value] of Object.entries(expected)) {
    assert.deepEqual(actual[field], value, `${field} of ${JSON.stringify(actual)}: ${label}`);
  }
}

const isCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;

/** A stock level as the API shows it: whole non-negative counts, available = onHand - reserved. */
function assertValidStock(view: Record<string, unknown>, request: string): void {
  const label = `${request}: invalid stock ${JSON.stringify(view)}`;
  assert.ok(isId(view.productId as string), label);
  for (const field of ['onHand', 'reserved', 'available', 'lowStockThreshold', 'version']) {
    assert.ok(isCount(view[field]), `${field} of ${label}`);
  }
  assert.equal(view.available, (view.onHand as number) - (view.reserved as number), label);
  assert.ok(view.updatedAt === null || isIsoDate(view.updatedAt), label);
}

const reservationStates = ['active', 'committed', 'released', 'expired'];

function assertValidReservation(view: Record<string, unknown>, request: string): void {
  const label = `${request}: invalid reservation ${JSON.stringify(view)}`;
  assert.ok(isId(view.id as string) && isId(view.productId as string), label);
  assert.ok(Number.isSafeInteger(view.quantity) && (view.quantity as number) >= 1, label);
  assert.ok(reservationStates.includes(view.state as string), label);
  assert.ok(isIsoDate(view.expiresAt) && isIsoDate(view.createdAt), label);
  assert.ok(Date.parse(view.expiresAt as string) > Date.parse(view.createdAt as string), label);
}

const historyReasons: readonly string[] = [...adjustmentReasons, 'stocktake'];

/** A history entry: onHand moved by its quantity and stayed whole and non-negative. */
function assertValidAdjustment(record: Record<string, unknown>, request: string): void {
  const label = `${request}: invalid adjustment ${JSON.stringify(record)}`;
  assert.ok(isId(record.id as string) && isId(record.productId as string), label);
  assert.ok(historyReasons.includes(record.reason as string), label);
  assert.ok(Number.isSafeInteger(record.quantity), label);
  assert.ok(record.reason === 'stocktake' || record.quantity !== 0, `a zero quantity: ${label}`);
  assert.ok(isCount(record.onHandBefore) && isCount(record.onHandAfter), label);
  assert.equal(record.onHandAfter, (record.onHandBefore as number) + (record.quantity as number), label);
  assert.ok(Number.isSafeInteger(record.version) && (record.version as number) >= 1, label);
  assert.ok(isIsoDate(record.createdAt), label);
}

// ---------------------------------------------------------------------------------------------
// Generators

/** Stock bodies around `fields`, from valid to hopeless. */
const stockBodies = (fields: fc.Arbitrary<Record<string, unknown>>, fieldNames: readonly [string, ...string[]]) =>
  bodies(fields, {
    fieldNames,
    pastLimits: fc.oneof(longText(129), longText(501), fc.constantFrom(1_000_001, -1_000_001, 1_000_000_001, 3601)),
    foreignKeys: ['productId', 'version', 'reserved', 'available', 'id', 'Quantity'],
  });

/** A body for endpoints that take none: usually none, sometimes anything. */
const strayBody = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: stockBodies(fc.record({ quantity: fc.integer() }), ['quantity']) },
);

/**
 * A product in a path: one with stock, one made for this case (no stock item yet), the deleted
 * one, a ULID no product has, or any other string.
 */
type ProductRef = { stocked: number } | { fresh: true } | { deleted: true } | { unknown: string } | { segment: string };

const productRef: fc.Arbitrary<ProductRef> = fc.oneof(
  { weight: 6, arbitrary: fc.nat(2).map((stocked) => ({ stocked })) },
  { weight: 1, arbitrary: fc.constant({ fresh: true as const }) },
  { weight: 1, arbitrary: fc.constant({ deleted: true as const }) },
  { weight: 1, arbitrary: fc.ulid().map((unknown) => ({ unknown })) },
  { weight: 2, arbitrary: otherSegments.map((segment) => ({ segment })) },
);

/** The path segment for a product, and whether the product exists. */
async function resolveProduct(inventory: Inventory, fixtures: Fixtures, ref: ProductRef) {
  if ('stocked' in ref) return { segment: fixtures.stocked[ref.stocked] as string, exists: true };
  if ('fresh' in ref) return { segment: (await inventory.createProduct()).id, exists: true };
  if ('deleted' in ref) return { segment: fixtures.deleted.productId, exists: false };
  if ('unknown' in ref) return { segment: ref.unknown, exists: false };
  return { segment: ref.segment, exists: false };
}

/**
 * When each reservation still active in the stored stock item expires. The API shows only live
 * ones; an expired one stays stored as active until a write sweeps it.
 */
async function activeExpiries(inventory: Inventory, productId: string): Promise<number[]> {
  const { Item } = await inventory.documentClient.send(
    new GetCommand({ TableName: inventory.standIns.tableName, Key: itemKeys.stock(productId), ConsistentRead: true }),
  );
  const reservations = Object.values((Item?.reservations ?? {}) as Record<string, Record<string, unknown>>);
  return reservations
    .filter((reservation) => reservation.state === 'active')
    .map((reservation) => Number(reservation.expiresAt));
}

/** The stock level before a case, as the public read shows it (zeros for a product with no stock item). */
async function stockBefore(inventory: Inventory, segment: string, exists: boolean) {
  if (!exists) return undefined;
  const read = await sendChecked(inventory, 'anonymous', 'GET', `/api/inventory/${segment}`);
  assertStatus(read, [200], `GET /api/inventory/${segment} before a case`);
  return read.body as { onHand: number; reserved: number; available: number; version: number };
}

const listCursor = fc.oneof(
  fc.ulid().map((id) => encodeCursor({ id })),
  fc.ulid().map((id) => Buffer.from(JSON.stringify({ id, extra: 1 })).toString('base64url')),
  fc.integer({ min: 1, max: 50 }).map((v) => encodeCursor({ v: String(v) })),
  foreignCursor,
);

const historyCursor = fc.oneof(
  fc.integer({ min: 1, max: 10 ** 15 - 1 }).map((v) => encodeCursor({ v: String(v) })),
  fc.integer({ min: 1, max: 40 }).map((v) => encodeCursor({ v: String(v) })),
  fc.constantFrom('0', '01', '-1', '1.5', '1e3', '1000000000000000', ' 1').map((v) => encodeCursor({ v })),
  fc.integer({ min: 1, max: 40 }).map((v) => Buffer.from(JSON.stringify({ v })).toString('base64url')),
  fc.ulid().map((id) => encodeCursor({ id })),
  foreignCursor,
);

const unknownPair = unknownQueryPair(['category', 'Limit', 'low_stock']);

const stockListQuery = queryString(
  fc.oneof(
    fc.tuple(fc.constant('limit'), limitValue),
    fc.tuple(fc.constant('cursor'), listCursor),
    fc.tuple(
      fc.constant('lowStock'),
      fc.oneof(fc.constantFrom('true', 'false', 'TRUE', 'False', '1', '0', 'yes', 'maybe', ''), fc.string()),
    ),
    unknownPair,
  ),
);

const historyListQuery = queryString(
  fc.oneof(fc.tuple(fc.constant('limit'), limitValue), fc.tuple(fc.constant('cursor'), historyCursor), unknownPair),
);

/** The version a (valid) history cursor continues before. */
function historyVersion(cursor: unknown): number {
  return Number(JSON.parse(Buffer.from(String(cursor), 'base64url').toString('utf8')).v);
}

/** Notes from plain to refused: with control characters, too long, not Unicode. */
const note = fc.oneof(fc.string({ maxLength: 40 }), bodyText(500));
/** References (one visible line) from plain to refused: blank, zero-width only, with control characters. */
const reference = fc.oneof(
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: bodyText(128) },
  { weight: 1, arbitrary: fc.oneof(blankText, textWithControl) },
);
const count = fc.oneof(
  fc.integer({ min: 0, max: 20 }),
  fc.integer({ min: 0, max: 1000 }),
  fc.integer({ min: 0, max: 1_000_000_000 }),
);

const stocktakeFields = fc.record({ onHand: count, note }, { requiredKeys: ['onHand'] });
const thresholdFields = fc.record({ lowStockThreshold: count });
const adjustmentFields = fc.record(
  {
    quantity: fc.oneof(
      fc.integer({ min: 1, max: 100 }),
      fc.integer({ min: -100, max: -1 }),
      fc.integer({ min: -1_000_000, max: 1_000_000 }).filter((quantity) => quantity !== 0),
    ),
    reason: fc.constantFrom(...adjustmentReasons),
    note,
    reference,
  },
  { requiredKeys: ['quantity', 'reason'] },
);
const reservationFields = fc.record(
  {
    quantity: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 1_000_000 })),
    ttlSeconds: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3600 })),
  },
  { requiredKeys: ['quantity'] },
);

// ---------------------------------------------------------------------------------------------
// Properties, one per endpoint

test('when GET /api/inventory gets any query, then 200 with a valid page for a valid query, else 422', async (t) => {
  const { inventory, deleted } = t.context;
  const tally = new StatusTally();
  await checkProperty(
    t,
    tally,
    fc.asyncProperty(stockListQuery, async (search) => {
      const request = `/api/inventory?${search}`;
      const answer = await sendChecked(inventory, 'staff', 'GET', request);
      tally.add(answer);
      const query = serverQuery(search);
      const checked = contract.query('listStockLevels', query);
      const valid = checked.valid && (query.cursor === undefined || isStockCursor(query.cursor));
      assertStatus(answer, valid ? [200] : [422], request);
      if (!valid) return;
      const { limit, lowStock } = (checked.valid ? checked.value : {}) as { limit: number; lowStock?: boolean };
      assert.ok(Array.isArray(answer.body.items) && answer.body.items.length <= limit, request);
      assert.ok(answer.body.nextCursor === null || isStockCursor(answer.body.nextCursor), request);
      for (const item of answer.body.items) {
        assertValidStock(item, request);
        assert.notEqual(item.productId, deleted.productId, `a deleted product is listed: ${request}`);
        if (lowStock) assert.ok(item.available <= item.lowStockThreshold, `not low: ${showAnswer(request, answer)}`);
      }
    }),
  );
});

test('when GET /api/inventory/:productId gets any id, then 200 for a product, 404 for anything else', async (t) => {
  const { inventory } = t.context;
  const fixtures = await fixturesFor(t);
  const tally = new StatusTally();
  await checkProperty(
    t,
    tally,
    fc.asyncProperty(productRef, fc.constantFrom('staff' as const, 'anonymous' as const), async (ref, as) => {
      const { segment, exists } = await resolveProduct(inventory, fixtures, ref);
      const request = `/api/inventory/${segment}`;
      const answer = await sendChecked(inventory, as, 'GET', request);
      tally.add(answer);
      assertStatus(answer, exists ? [200] : [404], request);
      if (!exists) return;
      assertValidStock(answer.body, request);
      assert.equal(answer.body.productId, segment, request);
      assert.equal(answer.headers.get('etag'), `"${answer.body.version}"`, request);
      if ('fresh' in ref) assertFields(answer.body, { onHand: 0, reserved: 0, version: 0 }, request);
    }),
  );
});

test('when PUT /api/inventory/:productId (stocktake) gets any input, then it sets only valid counts', async (t) => {
  const { inventory } = t.context;
  const fixtures = await fixturesFor(t);
  const tally = new StatusTally();
  await checkProperty(
    t,
    tally,
    fc.asyncProperty(
      productRef,
      stockBodies(stocktakeFields, ['onHand', 'note']),
      ifMatch,
      idempotencyKey,
      async (ref, body, condition, key) => {
        const { segment, exists } = await resolveProduct(inventory, fixtures, ref);
        const before = await stockBefore(inventory, segment, exists);
        const expiries = exists ? await activeExpiries(inventory, segment) : [];
        const headers = writeHeaders(key, ifMatchHeader(condition, before?.version));
        const path = `/api/inventory/${segment}`;
        const sentAt = Date.now();
        const answer = await sendChecked(inventory, 'staff', 'PUT', path, body, headers);
        const answeredAt = Date.now();
        tally.add(answer);
        const request = `PUT ${path} ${JSON.stringify(headers)} ${body?.text.slice(0, 300)}`;
        const early = earlyAnswer(answer, body, key, [segment]);
        if (early === 'skip') return;
        if (early !== undefined) return assertStatus(answer, [early], request);
        if (blankIfMatch(headers['if-match'])) return assertStatus(answer, [428], request);
        const input = bodyValue(body) as { onHand: number };
        if (!contract.accepts('takeStock', input)) return assertStatus(answer, [422], request);
        if (before === undefined) return assertStatus(answer, [404], request);
        if (answer.status === 412) return assert.ok(namesVersions(headers['if-match']), showAnswer(request, answer));
        // Reservations only end (commit, release, expiry) between the read and the write, so a
        // count at or above what the read showed as reserved must be accepted.
        if (answer.status === 409) {
          return assert.ok(
            input.onHand < before.reserved,
            `refused a count above the reserved units: ${showAnswer(request, answer)}`,
          );
        }
        assertStatus(answer, [200], request);
        assertValidStock(answer.body, request);
        assert.equal(answer.body.onHand, asJson(input).onHand, request);
        // The write also settles reservations that expired unswept, and their entry takes a version
        // of its own: surely for those expired when the request left, perhaps for those expired by the answer.
        const settles = (at: number) => expiries.some((expiresAt) => expiresAt <= at);
        const steps = [...(settles(sentAt) ? [] : [1]), ...(settles(answeredAt) ? [2] : [])];
        assert.ok(steps.includes(answer.body.version - before.version), `version after ${before.version}: ${request}`);
        assert.equal(answer.headers.get('etag'), `"${answer.body.version}"`, request);
      },
    ),
  );
});

test('when reservations expired but are not swept yet, then a stocktake down to the live reserved units is accepted', async (t) => {
  // Found by the stocktake property: PUT answered 409 "onHand 0 is below the 5 units held by
  // reservations" while GET showed reserved 0.
  const { inventory } = t.context;
  const product = await inventory.createProduct();
  await restock(inventory, product.id, 10);
  const path = `/api/inventory/${product.id}`;
  await inventory.requestAs('staff', 'POST', `${path}/reservations`, { quantity: 5, ttlSeconds: 1 });
  await sleep(1100);
  const before = await inventory.request('GET', path);
  t.like(before.body, { onHand: 10, reserved: 0 });
  const ifMatch = { 'if-match': before.headers.get('etag') ?? '' };
  const counted = await inventory.requestAs('staff', 'PUT', path, { onHand: 0 }, ifMatch);
  t.is(counted.status, 200, JSON.stringify(counted.body));
  t.like(counted.body, { onHand: 0, reserved: 0, available: 0 });
  const events = await inventory.eventsOf(product.id, (list) =>
    list.some((event) => event.type.endsWith('expired.v1')),
  );
  t.true(
    events.some((event) => event.type.endsWith('reservation.expired.v1')),
    'the expiry is on the stream',
  );
});

test('when PATCH /api/inventory/:productId (threshold) gets any input, then it sets only valid thresholds', async (t) => {
  const { inventory } = t.context;
  const fixtures = await fixturesFor(t);
  const tally = new StatusTally();
  await checkProperty(
    t,
    tally,
    fc.asyncProperty(
      productRef,
      stockBodies(thresholdFields, ['lowStockThreshold']),
      ifMatch,
      idempotencyKey,
      async (ref, body, condition, key) => {
        const { segment, exists } = await resolveProduct(inventory, fixtures, ref);
        const before = await stockBefore(inventory, segment, exists);
        const headers = writeHeaders(key, ifMatchHeader(condition, before?.version));
        const path = `/api/inventory/${segment}`;
        const answer = await sendChecked(inventory, 'staff', 'PATCH', path, body, headers);
        tally.add(answer);
        const request = `PATCH ${path} ${JSON.stringify(headers)} ${body?.text.slice(0, 300)}`;
        const early = earlyAnswer(answer, body, key, [segment]);
        if (early === 'skip') return;
        if (early !== undefined) return assertStatus(answer, [early], request);
        const input = bodyValue(body) as { lowStockThreshold: number };
        if (!contract.accepts('setLowStockThreshold', input)) return assertStatus(answer, [422], request);
        if (before === undefined) return assertStatus(answer, [404], request);
        if (answer.status === 412) return assert.ok(namesVersions(headers['if-match']), showAnswer(request, answer));
        assertStatus(answer, [200], request);
        assertValidStock(answer.body, request);
        assert.equal(answer.body.lowStockThreshold, asJson(input).lowStockThreshold, request);
        assert.equal(answer.body.version, before.version + 1, request);
      },
    ),
  );
});

test('when POST /api/inventory/:productId/adjustments gets any input, then stock never goes below zero', async (t) => {
  const { inventory } = t.context;
  const fixtures = await fixturesFor(t);
  const tally = new StatusTally();
  await checkProperty(
    t,
    tally,
    fc.asyncProperty(
      productRef,
      stockBodies(adjustmentFields, ['quantity', 'reason', 'note', 'reference']),
      idempotencyKey,
      async (ref, body, key) => {
        const { segment, exists } = await resolveProduct(inventory, fixtures, ref);
        const before = await stockBefore(inventory, segment, exists);
        const headers = writeHeaders(key);
        const path = `/api/inventory/${segment}/adjustments`;
        const answer = await sendChecked(inventory, 'staff', 'POST', path, body, headers);
        tally.add(answer);
        const request = `POST ${path} ${JSON.stringify(headers)} ${body?.text.slice(0, 300)}`;
        const early = earlyAnswer(answer, body, key, [segment]);
        if (early === 'skip') return;
        if (early !== undefined) return assertStatus(answer, [early], request);
        const input = bodyValue(body) as { quantity: number; reason: string };
        if (!contract.accepts('adjustStock', input)) return assertStatus(answer, [422], request);
        if (before === undefined) return assertStatus(answer, [404], request);
        // Stock only grows between the read and the write (reservations end), never shrinks.
        if (answer.status === 409) {
          return assert.ok(
            -input.quantity > before.available,
            `refused with enough stock: ${showAnswer(request, answer)}`,
          );
        }
        assertStatus(answer, [201], request);
        const { adjustment, stock } = answer.body;
        assertValidAdjustment(adjustment, request);
        assertValidStock(stock, request);
        // An empty note or reference is left out.
        const { quantity, reason, note, reference } = asJson(input) as Record<string, unknown>;
        const texts = { ...(note ? { note } : {}), ...(reference ? { reference } : {}) };
        assertFields(adjustment, { productId: segment, quantity, reason, ...texts }, request);
        assert.equal(adjustment.onHandBefore, before.onHand, request);
        assert.equal(stock.onHand, adjustment.onHandAfter, request);
        assert.equal(answer.headers.get('location'), `${path}/${adjustment.id}`, request);
        const history = await sendChecked(inventory, 'staff', 'GET', `${path}?limit=1`);
        assert.equal(history.body.items[0]?.id, adjustment.id, `the adjustment heads the history: ${request}`);
      },
    ),
  );
});

test('when GET /api/inventory/:productId/adjustments gets any id and query, then it lists valid history', async (t) => {
  const { inventory } = t.context;
  const fixtures = await fixturesFor(t);
  const tally = new StatusTally();
  await checkProperty(
    t,
    tally,
    fc.asyncProperty(productRef, historyListQuery, async (ref, search) => {
      const { segment, exists } = await resolveProduct(inventory, fixtures, ref);
      const request = `/api/inventory/${segment}/adjustments?${search}`;
      const answer = await sendChecked(inventory, 'staff', 'GET', request);
      tally.add(answer);
      if (!isId(routeParameter(segment))) return assertStatus(answer, [404], request);
      const query = serverQuery(search);
      const checked = contract.query('listAdjustments', query);
      const valid = checked.valid && (query.cursor === undefined || isHistoryCursor(query.cursor));
      if (!valid) return assertStatus(answer, [422], request);
      assertStatus(answer, exists ? [200] : [404], request);
      if (!exists) return;
      const { limit } = (checked.valid ? checked.value : {}) as { limit: number };
      const items: Array<Record<string, unknown>> = answer.body.items;
      assert.ok(Array.isArray(items) && items.length <= limit, request);
      assert.ok(answer.body.nextCursor === null || isHistoryCursor(answer.body.nextCursor), request);
      const cursorVersion = query.cursor === undefined ? Number.POSITIVE_INFINITY : historyVersion(query.cursor);
      items.forEach((record, index) => {
        assertValidAdjustment(record, request);
        assert.equal(record.productId, segment, request);
        assert.ok((record.version as number) < cursorVersion, `not before the cursor: ${request}`);
        const newer = items[index - 1];
        if (newer) assert.ok((record.version as number) < (newer.version as number), `not newest first: ${request}`);
      });
    }),
  );
});

/** Makes a reservation of one unit that lasts the case out, restocking first when nothing is available. */
async function reserveOne(inventory: Inventory, productId: string): Promise<ReservationFixture> {
  const path = `/api/inventory/${productId}/reservations`;
  let made = await sendChecked(inventory, 'staff', 'POST', path, { text: '{"quantity":1,"ttlSeconds":900}' });
  if (made.status === 409) {
    await sendChecked(inventory, 'staff', 'POST', `/api/inventory/${productId}/adjustments`, {
      text: '{"quantity":1000,"reason":"restock"}',
    });
    made = await sendChecked(inventory, 'staff', 'POST', path, { text: '{"quantity":1,"ttlSeconds":900}' });
  }
  assertStatus(made, [201], `POST ${path} for a fixture`);
  return { productId, reservationId: made.body.id };
}

test('when POST /api/inventory/:productId/reservations gets any input, then it never holds more than is available', async (t) => {
  const { inventory } = t.context;
  const fixtures = await fixturesFor(t);
  const tally = new StatusTally();
  await checkProperty(
    t,
    tally,
    fc.asyncProperty(
      productRef,
      stockBodies(reservationFields, ['quantity', 'ttlSeconds']),
      idempotencyKey,
      async (ref, body, key) => {
        const { segment, exists } = await resolveProduct(inventory, fixtures, ref);
        const before = await stockBefore(inventory, segment, exists);
        const headers = writeHeaders(key);
        const path = `/api/inventory/${segment}/reservations`;
        const answer = await sendChecked(inventory, 'staff', 'POST', path, body, headers);
        tally.add(answer);
        const request = `POST ${path} ${JSON.stringify(headers)} ${body?.text.slice(0, 300)}`;
        const early = earlyAnswer(answer, body, key, [segment]);
        if (early === 'skip') return;
        if (early !== undefined) return assertStatus(answer, [early], request);
        const input = bodyValue(body) as { quantity: number; ttlSeconds?: number };
        if (!contract.accepts('reserveStock', input)) return assertStatus(answer, [422], request);
        if (before === undefined) return assertStatus(answer, [404], request);
        if (answer.status === 409) {
          return assert.ok(
            input.quantity > before.available,
            `refused with enough stock: ${showAnswer(request, answer)}`,
          );
        }
        assertStatus(answer, [201], request);
        assertValidReservation(answer.body, request);
        assertFields(answer.body, { productId: segment, quantity: asJson(input).quantity, state: 'active' }, request);
        const lasts = Date.parse(answer.body.expiresAt) - Date.parse(answer.body.createdAt);
        assert.equal(lasts, (input.ttlSeconds ?? 900) * 1000, request);
        assert.equal(answer.headers.get('location'), `${path}/${answer.body.id}`, request);
      },
    ),
  );
});

/**
 * A reservation in a path: one made earlier (any state by now), one made for this case, a made
 * one under another product, the deleted product's, or an id no reservation has.
 */
type ReservationRef =
  | { pooled: number }
  | { fresh: number }
  | { elsewhere: number }
  | { deleted: true }
  | { product: ProductRef; reservation: string };

const reservationRef: fc.Arbitrary<ReservationRef> = fc.oneof(
  { weight: 4, arbitrary: fc.nat().map((pooled) => ({ pooled })) },
  { weight: 2, arbitrary: fc.nat(2).map((fresh) => ({ fresh })) },
  { weight: 1, arbitrary: fc.nat().map((elsewhere) => ({ elsewhere })) },
  { weight: 1, arbitrary: fc.constant({ deleted: true as const }) },
  {
    weight: 2,
    arbitrary: fc.record({ product: productRef, reservation: fc.oneof(fc.ulid(), otherSegments) }),
  },
);

/** The path segments of a reservation and what it is now: just made (active), made earlier, or none. */
async function resolveReservation(inventory: Inventory, fixtures: Fixtures, ref: ReservationRef) {
  const pool = fixtures.reservations;
  if ('pooled' in ref && pool.length > 0) {
    const { productId, reservationId } = pool[ref.pooled % pool.length] as ReservationFixture;
    return { productSegment: productId, reservationSegment: reservationId, state: 'earlier' as const };
  }
  if ('pooled' in ref || 'fresh' in ref) {
    const productId = fixtures.stocked['fresh' in ref ? ref.fresh : 0] as string;
    const made = await reserveOne(inventory, productId);
    pool.push(made);
    return { productSegment: productId, reservationSegment: made.reservationId, state: 'active' as const };
  }
  if ('elsewhere' in ref) {
    const made = pool[ref.elsewhere % Math.max(pool.length, 1)];
    const other = fixtures.stocked.find((productId) => productId !== made?.productId) as string;
    return { productSegment: other, reservationSegment: made?.reservationId ?? 'none', state: 'none' as const };
  }
  if ('deleted' in ref) {
    const { productId, reservationId } = fixtures.deleted;
    return { productSegment: productId, reservationSegment: reservationId, state: 'none' as const };
  }
  const { segment } = await resolveProduct(inventory, fixtures, ref.product);
  return { productSegment: segment, reservationSegment: ref.reservation, state: 'none' as const };
}

test('when GET /api/inventory/:productId/reservations/:reservationId gets any ids, then 200 only for a reservation of that product', async (t) => {
  const { inventory } = t.context;
  const fixtures = await fixturesFor(t);
  const tally = new StatusTally();
  await checkProperty(
    t,
    tally,
    fc.asyncProperty(reservationRef, async (ref) => {
      const { productSegment, reservationSegment, state } = await resolveReservation(inventory, fixtures, ref);
      const request = `/api/inventory/${productSegment}/reservations/${reservationSegment}`;
      const answer = await sendChecked(inventory, 'staff', 'GET', request);
      tally.add(answer);
      assertStatus(answer, state === 'none' ? [404] : [200], request);
      if (state === 'none') return;
      assertValidReservation(answer.body, request);
      assertFields(answer.body, { id: reservationSegment, productId: productSegment }, request);
      if (state === 'active') assert.equal(answer.body.state, 'active', request);
    }),
  );
});

/**
 * Commit and release: the same paths and early answers, each with its own outcome. `states` are
 * what a settled reservation may read as afterwards; one just made reads as the first.
 */
function settleProperty(
  method: 'POST' | 'DELETE',
  settled: { status: number; states: [string, ...string[]] },
  checkSettled: (answer: JsonResponse, request: string) => void,
) {
  return async (t: Context) => {
    const { inventory } = t.context;
    const fixtures = await fixturesFor(t);
    const tally = new StatusTally();
    await checkProperty(
      t,
      tally,
      fc.asyncProperty(reservationRef, strayBody, idempotencyKey, async (ref, body, key) => {
        const { productSegment, reservationSegment, state } = await resolveReservation(inventory, fixtures, ref);
        const reservationPath = `/api/inventory/${productSegment}/reservations/${reservationSegment}`;
        const path = method === 'POST' ? `${reservationPath}/commit` : reservationPath;
        const headers = writeHeaders(key);
        const answer = await sendChecked(inventory, 'staff', method, path, body, headers);
        tally.add(answer);
        const request = `${method} ${path} ${JSON.stringify(headers)} ${body?.text.slice(0, 300)}`;
        const early = earlyAnswer(answer, body, key, [productSegment, reservationSegment]);
        if (early === 'skip') return;
        if (early !== undefined) return assertStatus(answer, [early], request);
        if (state === 'none') return assertStatus(answer, [404], request);
        // One made earlier may have been settled or expired meanwhile; one just made must settle.
        assertStatus(answer, state === 'active' ? [settled.status] : [settled.status, 409], request);
        if (answer.status === 409) return;
        checkSettled(answer, request);
        const read = await sendChecked(inventory, 'staff', 'GET', reservationPath);
        const after = state === 'active' ? [settled.states[0]] : settled.states;
        assert.ok(after.includes(read.body.state), `settled as ${read.body.state}: ${request}`);
      }),
    );
  };
}

test(
  'when POST /api/inventory/:productId/reservations/:reservationId/commit gets any ids, then only a live reservation becomes a sale',
  settleProperty('POST', { status: 200, states: ['committed'] }, (answer, request) => {
    assertValidReservation(answer.body.reservation, request);
    assertValidStock(answer.body.stock, request);
    assert.equal(answer.body.reservation.state, 'committed', request);
  }),
);

test(
  'when DELETE /api/inventory/:productId/reservations/:reservationId gets any ids, then only a reservation not sold is released',
  settleProperty('DELETE', { status: 204, states: ['released', 'expired'] }, (answer, request) => {
    assert.equal(answer.body, undefined, request);
  }),
);

// ---------------------------------------------------------------------------------------------
// What the properties left behind

/** A stored stock item: whole non-negative counters that add up, and reservations that account for `reserved`. */
function assertValidStockItem(item: Record<string, unknown>, label: string): void {
  assert.equal(item.pk, `PRODUCT#${item.productId}`, label);
  assert.equal(item.id, item.productId, label);
  for (const field of ['onHand', 'reserved', 'available', 'lowStockThreshold', 'version']) {
    assert.ok(isCount(item[field]), `${field} of ${label}`);
  }
  assert.equal(item.available, (item.onHand as number) - (item.reserved as number), label);
  const reservations = Object.values((item.reservations ?? {}) as Record<string, Record<string, unknown>>);
  for (const reservation of reservations) {
    assert.ok(Number.isSafeInteger(reservation.quantity) && (reservation.quantity as number) >= 1, label);
    assert.ok(reservationStates.includes(reservation.state as string), label);
  }
  const held = reservations
    .filter((reservation) => reservation.state === 'active')
    .reduce((sum, reservation) => sum + (reservation.quantity as number), 0);
  assert.equal(item.reserved, held, `reserved is what active reservations hold: ${label}`);
  const outbox = (item.outbox ?? []) as unknown[];
  assert.ok(Array.isArray(outbox), label);
  for (const entry of outbox) assert.equal(typeof JSON.parse(entry as string).kind, 'string', label);
  assert.ok(item.lowStockKey === undefined || item.lowStockKey === 'LOW', label);
}

/** Every item in the table, page by page. */
async function scanTable(inventory: Inventory): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await inventory.documentClient.send(
      new ScanCommand({ TableName: inventory.standIns.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

// A hook, not a test: it must see what every property left, and tests run concurrently.
test.after('when the properties have run, then every item in the table and every event is valid', async (t) => {
  const { inventory, deleted } = t.context;
  const items = await scanTable(inventory);
  const kinds = new Map<string, number>();
  let eventsChecked = 0;
  for (const item of items) {
    const label = JSON.stringify(item).slice(0, 2000);
    assert.ok(typeof item.pk === 'string' && typeof item.sk === 'string', label);
    const kind = String(item.sk).split('#')[0] as string;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    assertJsonLists(item, label);
    if (kind === 'STOCK') {
      assertValidStockItem(item, label);
    } else if (kind === 'HIST') {
      for (const record of (item.records ?? []) as string[]) {
        const adjustment = JSON.parse(record) as Record<string, unknown>;
        assertValidAdjustment(adjustment, label);
        assert.equal(item.pk, `PRODUCT#${adjustment.productId}`, label);
      }
      // The round's events as published: each keeps its schema, whatever valid change made it.
      for (const event of (item.events ?? []) as string[]) {
        assertShopEvent(JSON.parse(event));
        eventsChecked += 1;
      }
    } else if (kind === 'PRODUCT') {
      assert.equal(item.pk, `PRODUCT#${item.id}`, label);
      assert.ok(typeof item.name === 'string' && item.name.trim() !== '', label);
      assert.ok(Number.isSafeInteger(item.priceMinor) && (item.priceMinor as number) >= 0, label);
      assert.match(String(item.currency), /^[A-Z]{3}$/, label);
    } else if (kind === 'IDEMPOTENCY') {
      assertValidIdempotencyItem(item, label);
    }
  }
  const deletedStock = items.find((item) => item.pk === `PRODUCT#${deleted.productId}` && item.sk === 'STOCK');
  assert.ok(deletedStock?.productDeleted, 'the deleted product’s stock stays marked');
  t.log(`${items.length} items: ${[...kinds].map(([kind, count]) => `${kind}×${count}`).join(' ')}`);
  t.true((kinds.get('STOCK') ?? 0) > 0);
  t.true(eventsChecked > 0, 'published events were checked');
  t.log(`${eventsChecked} published events keep their schemas`);
});
