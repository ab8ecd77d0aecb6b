import { ValidationError } from '@shop/platform';
import test from 'ava';
import { apiDocument, createRequestChecker, createRequestValidation } from '../src/index.js';

const document = apiDocument();
const validation = createRequestValidation(document);

interface OperationShape {
  operationId: string;
  requestBody?: unknown;
}
const operations = Object.values(document.paths).flatMap((item) =>
  Object.values(item).filter((operation): operation is OperationShape =>
    Boolean((operation as OperationShape | undefined)?.operationId),
  ),
);

/** The field errors of a refused value, or a failed test when it is accepted. */
function refusal(read: (value: unknown) => unknown, value: unknown) {
  try {
    read(value);
  } catch (error) {
    if (error instanceof ValidationError) return error.errors ?? [];
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(value)}`);
}

test('when every operation is compiled, then each has a query reader and each body a body reader', (t) => {
  for (const { operationId, requestBody } of operations) {
    t.notThrows(() => validation.query(operationId), operationId);
    if (requestBody) t.notThrows(() => validation.body(operationId), operationId);
    else t.throws(() => validation.body(operationId), { message: /takes no JSON body/ }, operationId);
  }
  t.throws(() => validation.body('noSuchOperation'), { message: /no operation noSuchOperation/ });
  t.true(operations.filter((operation) => operation.requestBody).length >= 7);
});

test('when a body is valid, then it is answered with the contract defaults filled in', (t) => {
  const created = validation.body('createProduct')({ name: 'Tent', description: '', price: 120 });
  t.deepEqual(created, { name: 'Tent', description: '', price: 120, currency: 'USD', category: 'uncategorized' });
  t.deepEqual(validation.body('reserveStock')({ quantity: 2 }), { quantity: 2, ttlSeconds: 900 });
  t.deepEqual(validation.body('updateProduct')({ supplier: null }), { supplier: null }, 'a patch gets no defaults');
});

test('when a body breaks the contract, then a 422 names every field once, in words', (t) => {
  const errors = refusal(validation.body('createProduct'), {
    name: '\u200b',
    price: '12',
    currency: 'usd',
    colour: 'red',
    supplier: { name: 'Acme', email: 'not an address' },
  });
  t.deepEqual(Object.fromEntries(errors.map((error) => [error.field, error.message])), {
    name: 'name must be one line of visible text (no control characters, at least one letter, digit, punctuation mark or symbol)',
    description: 'description is required',
    price: 'price must be number',
    currency: 'currency must be an ISO 4217 code such as USD',
    colour: 'colour is not allowed',
    'supplier.email': 'supplier.email must be an email address such as orders@acme.test',
  });
  t.deepEqual(refusal(validation.body('adjustStock'), { quantity: 0, reason: 'restock' }), [
    { field: 'quantity', message: 'quantity must not be 0' },
  ]);
  t.deepEqual(refusal(validation.body('recordBehaviourEvent'), { type: 'product-viewed', productId: 'x' }), [
    { field: 'version', message: 'version is required and must be a supported version: 1' },
    { field: 'productId', message: 'productId must be an id (a ULID of 26 characters)' },
  ]);
  t.deepEqual(refusal(validation.body('updateProduct'), {}), [
    { field: 'body', message: 'body must change at least one field' },
  ]);
  t.deepEqual(refusal(validation.body('takeStock'), undefined), [{ field: 'onHand', message: 'onHand is required' }]);
});

test('when a supplier email is not ASCII, then it is refused: an internationalised domain comes in its xn-- form', (t) => {
  const read = validation.body('updateProduct');
  const supplier = (email: string) => ({ supplier: { name: 'Acme', email } });
  t.notThrows(() => read(supplier('orders@xn--bcher-kva.test')));
  t.deepEqual(
    refusal(read, supplier('orders@bücher.test')).map((error) => error.field),
    ['supplier.email'],
  );
});

test('when a price is fractional in a zero-decimal currency, then the schema refuses it; other decimals are the domain’s', (t) => {
  const read = validation.body('createProduct');
  t.deepEqual(
    refusal(read, { name: 'Tent', description: '', price: 10.5, currency: 'JPY' }).map((error) => error.field),
    ['price'],
  );
  t.notThrows(() => read({ name: 'Tent', description: '', price: 1.005 }), 'no schema keyword counts decimals');
});

test('when a string has characters outside the BMP, then each counts once against maxLength, as JSON Schema counts', (t) => {
  const read = validation.body('createProduct');
  t.notThrows(() => read({ name: '⛺'.repeat(10) + '🏕'.repeat(190), description: '', price: 1 }));
  t.deepEqual(
    refusal(read, { name: '🏕'.repeat(201), description: '', price: 1 }).map((error) => error.field),
    ['name'],
  );
});

test('when a query is read, then its strings are coerced, defaults filled in, and unknown or repeated parameters named', (t) => {
  const read = validation.query('listStockLevels');
  t.deepEqual(read({ limit: '5', lowStock: 'true' }), { limit: 5, lowStock: true });
  t.deepEqual(read({}), { limit: 20 });
  t.deepEqual(
    refusal(read, { limit: ['5', '6'], cursor: 'x'.repeat(2049), Limit: '5' }).map((error) => error.field),
    ['Limit', 'limit', 'cursor'],
  );
  t.deepEqual(refusal(validation.query('getDashboardMetrics'), { minutes: '4' }), [
    { field: 'minutes', message: 'minutes must be >= 5' },
  ]);
  t.deepEqual(validation.query('getDashboardMetrics')({}), { minutes: 60 });
});

test('when the checker judges a value, then it answers the verdict and leaves the value as it was', (t) => {
  const checker = createRequestChecker(document);
  const body = { quantity: 1 };
  t.deepEqual(checker.body('reserveStock', body), { valid: true, value: { quantity: 1, ttlSeconds: 900 } });
  t.deepEqual(body, { quantity: 1 });
  t.false(checker.accepts('reserveStock', { quantity: 0 }));
  t.false(checker.accepts('reserveStock', undefined));
  t.deepEqual(checker.query('listProducts', { limit: '0' }), { valid: false });
});

test("when the contract lists currencies, then they are exactly the runtime's, with the zero-decimal ones as its ICU data has them", (t) => {
  const schemas = document.components?.schemas as Record<string, { enum: string[] }>;
  const known = Intl.supportedValuesOf('currency');
  t.deepEqual(schemas.Currency?.enum, known);
  const zeroDecimal = known.filter(
    (currency) =>
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits === 0,
  );
  t.deepEqual(schemas.ZeroDecimalCurrency?.enum, zeroDecimal);
});
