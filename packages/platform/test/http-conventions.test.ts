import test from 'ava';
import Joi from 'joi';
import {
  AppError,
  assertIfMatch,
  decodeCursor,
  encodeCursor,
  formatEtag,
  matchRoute,
  PreconditionFailedError,
  PreconditionRequiredError,
  parseIfMatch,
  requireIfMatch,
  ValidationError,
  validate,
} from '../src/index.js';

test('when If-Match is parsed, then quoted versions, weak tags and * are understood', (t) => {
  t.is(parseIfMatch(undefined), undefined);
  t.is(parseIfMatch(''), undefined);
  t.is(parseIfMatch('*'), 'any');
  t.deepEqual(parseIfMatch('"3"'), [3]);
  t.deepEqual(parseIfMatch('W/"3", "4"'), [3, 4]);
  t.deepEqual(parseIfMatch('garbage'), []);
  t.is(formatEtag(7), '"7"');
});

test('when If-Match does not name the current version, then 412; when absent where required, then 428', (t) => {
  t.notThrows(() => assertIfMatch(undefined, 2));
  t.notThrows(() => assertIfMatch('any', 2));
  t.notThrows(() => assertIfMatch([1, 2], 2));
  t.throws(() => assertIfMatch([1], 2), { instanceOf: PreconditionFailedError });
  t.throws(() => assertIfMatch([], 2), { instanceOf: PreconditionFailedError });
  t.throws(() => requireIfMatch(undefined), { instanceOf: PreconditionRequiredError });
});

test('when a cursor round-trips, then the position is restored; when tampered, then a 422 on cursor', (t) => {
  const schema = Joi.object({ id: Joi.string().required() });
  t.deepEqual(decodeCursor(encodeCursor({ id: 'abc' }), schema), { id: 'abc' });
  for (const bad of ['%%%', Buffer.from('[1]').toString('base64url'), encodeCursor({ other: 'x' })]) {
    const error = t.throws(() => decodeCursor(bad, schema), { instanceOf: ValidationError });
    t.is(error?.errors?.[0]?.field, 'cursor');
  }
});

test('when a value breaks a schema, then every failing field is listed without quotes', (t) => {
  const schema = Joi.object({ a: Joi.number().required(), b: Joi.string().required() });
  const error = t.throws(() => validate(schema, { a: '1', c: true }), { instanceOf: ValidationError });
  t.deepEqual(error?.errors?.map((e) => e.field).sort(), ['a', 'b', 'c']);
  t.is(error?.errors?.find((e) => e.field === 'a')?.message, 'a must be a number');
  t.deepEqual(validate(Joi.object({ n: Joi.number() }), { n: '5' }, { coerce: true }), { n: 5 });
});

test('when a path is routed, then the ALB patterns of the route table decide', (t) => {
  t.is(matchRoute('/api/products')?.service, 'catalog');
  t.is(matchRoute('/api/products/01H00000000000000000000000')?.service, 'catalog');
  t.is(matchRoute('/api/inventory')?.service, 'inventory');
  t.is(matchRoute('/api/inventory/01H00000000000000000000000/adjustments')?.service, 'inventory');
  t.is(matchRoute('/api/productsX'), undefined);
  t.is(matchRoute('/API/products'), undefined, 'patterns are case-sensitive, as on the ALB');
  t.is(matchRoute('/'), undefined);
});

test('when an AppError is built, then it carries the status phrase as title and keeps its cause', (t) => {
  const cause = new Error('root');
  const error = new AppError(409, 'Conflict here', { cause });
  t.is(error.title, 'Conflict');
  t.is(error.cause, cause);
  t.is(error.name, 'AppError');
});
