import { readdirSync, readFileSync } from 'node:fs';
import { createEvent, knownEventTypes } from '@shop/platform';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import test from 'ava';
import {
  assertShopEvent,
  checkEvent,
  EventContractError,
  eventContractFolder,
  eventSchemaFile,
  eventTypesWithSchemas,
} from '../src/index.js';

type Schema = Record<string, unknown> & { properties: Record<string, { const?: unknown }>; examples?: unknown[] };

const readSchema = (file: string) => JSON.parse(readFileSync(`${eventContractFolder}${file}`, 'utf8')) as Schema;
const schemaFiles = readdirSync(eventContractFolder).filter((file) => file.endsWith('.schema.json'));

/** The example event a type's schema carries, as a fresh copy to break. */
function example(type: string): Record<string, unknown> & { data: Record<string, unknown> } {
  const [first] = readSchema(eventSchemaFile(type)).examples ?? [];
  if (!first) throw new Error(`${type} has no example`);
  return structuredClone(first) as Record<string, unknown> & { data: Record<string, unknown> };
}

const productId = '01M892BP80FGT0B66SR8VZZFGA';

test('when the platform lists its event types, then each has exactly one schema and no schema is of another type', (t) => {
  t.deepEqual(eventTypesWithSchemas(), [...knownEventTypes].sort());
});

test('when the schema files are read, then each is JSON Schema 2020-12 named by its file, and each event schema fixes its type and source', (t) => {
  const meta = new Ajv2020();
  for (const file of schemaFiles) {
    const schema = readSchema(file);
    t.is(schema.$schema, 'https://json-schema.org/draft/2020-12/schema', file);
    t.is(schema.$id, file, `${file} is identified by its file name, which the others refer to`);
    t.true(meta.validateSchema(schema), `${file}: ${JSON.stringify(meta.errors)}`);
  }
  for (const type of eventTypesWithSchemas()) {
    const schema = readSchema(eventSchemaFile(type));
    t.is(schema.title, type);
    t.is(schema.properties.type?.const, type);
    t.regex(String(schema.properties.source?.const), /^\/shop\/(catalog|inventory|web)$/, type);
  }
});

test("when each schema's own example is checked, then it passes", (t) => {
  for (const type of eventTypesWithSchemas())
    t.deepEqual(checkEvent(example(type)), { valid: true, event: example(type) });
});

test('when createEvent wraps data, then the envelope is what the contract describes, with or without a trace header', (t) => {
  const data = { productId, category: 'tents' };
  const traced = createEvent({
    source: '/shop/web',
    type: 'shop.web.product.viewed.v1',
    subject: productId,
    data,
    traceId: 'Root=1-6744a1b2-0123456789abcdef01234567;Parent=0123456789abcdef;Sampled=1',
  });
  const untraced = createEvent({ source: '/shop/web', type: 'shop.web.product.viewed.v1', subject: productId, data });
  t.like(checkEvent(traced), { valid: true });
  t.like(checkEvent(untraced), { valid: true });
  t.false('traceid' in untraced);
});

test('when a required field of the data is missing or has the wrong type, then the check fails naming the field', (t) => {
  const missing = example('shop.inventory.stock.low.v1');
  delete missing.data.lowStockThreshold;
  t.like(checkEvent(missing), {
    valid: false,
    violation: 'schema',
    errors: ["/data must have required property 'lowStockThreshold'"],
  });
  const wrongType = example('shop.inventory.stock.adjusted.v1');
  wrongType.data.quantity = '-2';
  t.like(checkEvent(wrongType), { valid: false, violation: 'schema', errors: ['/data/quantity must be integer'] });
  const product = example('shop.catalog.product.updated.v1');
  (product.data.product as Record<string, unknown>).currency = 'usd';
  t.like(checkEvent(product), { valid: false, violation: 'schema' });
  t.regex((checkEvent(product) as { message: string }).message, /\/data\/product\/currency must match pattern/);
});

test('when the data has a field its schema does not list, then the check fails naming it', (t) => {
  const view = example('shop.web.product.viewed.v1');
  view.data.referrer = 'https://search.example';
  t.like(checkEvent(view), {
    valid: false,
    violation: 'schema',
    errors: ['/data must NOT have additional properties (referrer)'],
  });
});

test('when a sale carries no price, then the check fails: a sale always names its price, currency and category', (t) => {
  const sale = example('shop.inventory.stock.adjusted.v1');
  delete sale.data.unitPriceMinor;
  delete sale.data.currency;
  delete sale.data.category;
  delete sale.data.revenueMinor;
  t.like(checkEvent(sale), { valid: false, violation: 'schema' });
  const restock = { ...sale, data: { ...sale.data, reason: 'restock', quantity: 5 } };
  t.like(checkEvent(restock), { valid: true }, 'other adjustments carry none');
  t.like(checkEvent({ ...restock, data: { ...restock.data, currency: 'USD' } }), { valid: false }, 'all or nothing');
});

test('when the envelope is broken, then the check fails as no CloudEvent', (t) => {
  const event = example('shop.inventory.reservation.created.v1');
  t.like(checkEvent({ ...event, specversion: '0.3' }), { valid: false, violation: 'envelope' });
  t.like(checkEvent({ ...event, id: 'E1' }), {
    valid: false,
    violation: 'envelope',
    errors: ['/id must match pattern "^[0-9A-HJKMNP-TV-Z]{26}$"'],
  });
  t.like(checkEvent({ ...event, time: 'yesterday' }), { valid: false, violation: 'envelope' });
  t.like(checkEvent({ ...event, partitionKey: productId }), {
    valid: false,
    errors: ['/ must NOT have additional properties (partitionKey)'],
  });
  t.like(checkEvent({ ...event, type: undefined }), { valid: false, violation: 'envelope' });
  t.like(checkEvent([event]), { valid: false, violation: 'envelope' });
  t.like(checkEvent('{"specversion":"1.0"}'), { valid: false, violation: 'envelope' });
  t.like(checkEvent(null), { valid: false, violation: 'envelope' });
});

test('when the type has no schema (another version, or none of ours), then the check fails as an unknown type', (t) => {
  const event = example('shop.inventory.stock.low.v1');
  t.like(checkEvent({ ...event, type: 'shop.inventory.stock.low.v2' }), { valid: false, violation: 'unknown-type' });
  t.like(checkEvent({ ...event, type: 'shop.unknown.v1' }), { valid: false, violation: 'unknown-type' });
});

test("when an event's source or subject is not its type's, then the check fails", (t) => {
  const event = example('shop.catalog.product.created.v1');
  t.like(checkEvent({ ...event, source: '/shop/inventory' }), { valid: false, violation: 'schema' });
  t.like(checkEvent({ ...event, subject: 'P1' }), { valid: false, violation: 'schema' });
});

test('when assertShopEvent meets a broken event, then it throws an EventContractError listing the errors', (t) => {
  const event = example('shop.inventory.stock.low.v1');
  t.notThrows(() => assertShopEvent(event));
  delete event.data.onHand;
  const error = t.throws(() => assertShopEvent(event), { instanceOf: EventContractError });
  t.is(error?.violation, 'schema');
  t.deepEqual(error?.errors, ["/data must have required property 'onHand'"]);
  t.regex(error?.message ?? '', /event 01M892BV48ST50YV3HAQ79H06T \(shop\.inventory\.stock\.low\.v1\)/);
});

test('when a batch is checked against the batch schema, then one product’s events pass and an empty or broken batch fails', (t) => {
  const ajv = new Ajv2020();
  // CommonJS plugin: at run time the default import is the plugin function itself.
  (addFormatsPlugin as unknown as (ajv: Ajv2020) => void)(ajv);
  for (const file of schemaFiles) ajv.addSchema(readSchema(file));
  const batch = ajv.getSchema('event-batch.schema.json');
  if (!batch) throw new Error('no event-batch.schema.json');
  const events = ['shop.inventory.stock.adjusted.v1', 'shop.inventory.stock.low.v1'].map(example);
  t.true(batch(events));
  t.false(batch([]));
  t.false(batch([events[0], { ...events[1], data: {} }]));
});
