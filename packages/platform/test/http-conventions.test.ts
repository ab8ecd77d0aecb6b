import test from 'ava';
import Joi from 'joi';
import {
  AppError,
  assertIfMatch,
  decodeCursor,
  encodeCursor,
  formatEtag,
  PreconditionFailedError,
  PreconditionRequiredError,
  parseIfMatch,
  requireIfMatch,
  ValidationError,
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

test('when an AppError is built, then it carries the status phrase as title and keeps its cause', (t) => {
  const cause = new Error('root');
  const error = new AppError(409, 'Conflict here', { cause });
  t.is(error.title, 'Conflict');
  t.is(error.cause, cause);
  t.is(error.name, 'AppError');
});
