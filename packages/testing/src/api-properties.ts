import assert from 'node:assert/strict';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { defaultBodyLimitBytes, isId } from '@shop/platform';
import type { ExecutionContext } from 'ava';
import fc from 'fast-check';
import type { JsonResponse, serveOnStandIns, TestTokens } from './test-kit.js';

// What the services' property-based API tests share: a model of what the platform kit answers
// before a route sees a request (body parser, Idempotency-Key, If-Match, route parameters, Koa's
// query), the checks every answer must pass, the loop that runs a property and tallies its
// answers, and generators of hostile input (odd text, broken JSON, header values, path segments,
// query strings). Each service's test keeps its own fields, fixtures and expected outcomes.

/** Cases per property. */
const numRuns = 1000;

// ---------------------------------------------------------------------------------------------
// Requests and what the platform kit answers before a route sees them

/** A JSON fragment written verbatim, for numbers JSON.stringify cannot write (1e400, -0.0, 1E2). */
class RawJson {
  constructor(readonly text: string) {}
}

/** JSON text of `value`, with RawJson fragments inlined. */
export function jsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(jsonText).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(([key, member]) => `${JSON.stringify(key)}:${jsonText(member)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A request body: text sent as is, with `contentType` replacing application/json when given. */
export interface BodyCase {
  text: string;
  contentType?: string;
  /** Sent compressed with `Content-Encoding`: whole, cut short, or not compressed at all. */
  encoding?: { name: 'gzip' | 'deflate' | 'br'; damage: 'none' | 'truncated' | 'not compressed' };
}

/** The bytes and headers a body case is sent as. */
export function encodedBody(body: BodyCase): { bytes: string | Buffer; headers: Record<string, string> } {
  if (!body.encoding) return { bytes: body.text, headers: {} };
  const { name, damage } = body.encoding;
  const text = Buffer.from(body.text.toWellFormed());
  const compressed =
    name === 'gzip' ? gzipSync(text) : name === 'deflate' ? deflateSync(text) : brotliCompressSync(text);
  const bytes =
    damage === 'none' ? compressed : damage === 'truncated' ? compressed.subarray(0, compressed.length >> 1) : text;
  return { bytes, headers: { 'content-encoding': name } };
}

/** How deep the kit's parser lets a body nest; deeper is a 400. */
const maxJsonDepth = 32;

/** True when `value` nests arrays and objects deeper than `maxJsonDepth`; walks with its own stack. */
function tooDeep(value: unknown): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [member, depth] = next;
    if (member === null || typeof member !== 'object') continue;
    if (depth >= maxJsonDepth) return true;
    for (const inner of Object.values(member)) pending.push([inner, depth + 1]);
  }
  return false;
}

// The media types the kit takes as JSON (parameters such as charset do not matter: it reads UTF-8).
const jsonTypes = /^application\/(?:json|[\w.-]+\+json)\s*(?:;.*)?$/i;

/** True when a key could poison a prototype (`__proto__`, or `constructor.prototype`) at any depth. */
function poisonsPrototype(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(poisonsPrototype);
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, '__proto__')) return true;
  const ownConstructor = Object.hasOwn(record, 'constructor') ? record.constructor : undefined;
  if (typeof ownConstructor === 'object' && ownConstructor !== null && Object.hasOwn(ownConstructor, 'prototype'))
    return true;
  return Object.values(record).some(poisonsPrototype);
}

/** True when every string and key in `value` is well-formed Unicode (no lone surrogate) at any depth. */
function wellFormed(value: unknown): boolean {
  if (typeof value === 'string') return value.isWellFormed();
  if (Array.isArray(value)) return value.every(wellFormed);
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).every(([key, member]) => key.isWellFormed() && wellFormed(member));
  }
  return true;
}

/**
 * What the kit (JSON body parser) answers for a body: 415 for a body that is not JSON, 413 above
 * the limit, 400 for text that is not a JSON object or array, that could poison a prototype, or
 * that holds a lone surrogate (written as an escape such as `\ud800`); otherwise the parsed value,
 * `{}` for no body. The parser is strict: a top-level primitive is not accepted.
 */
function parsedBody(body: BodyCase | undefined): { status: number } | { value: unknown } {
  if (body === undefined || body.text === '') return { value: {} };
  if (body.contentType !== undefined && !jsonTypes.test(body.contentType)) return { status: 415 };
  if (body.encoding && body.encoding.damage !== 'none') return { status: 400 };
  // fetch sends the text as UTF-8, so a lone surrogate written raw (not escaped) arrives as U+FFFD.
  const received = body.text.toWellFormed();
  if (Buffer.byteLength(received) > defaultBodyLimitBytes) return { status: 413 };
  if (!/^[ \t\n\r]*[[{]/.test(received)) return { status: 400 };
  try {
    const value: unknown = JSON.parse(received);
    // Depth first: the other two recurse.
    return tooDeep(value) || poisonsPrototype(value) || !wellFormed(value) ? { status: 400 } : { value };
  } catch {
    return { status: 400 };
  }
}

/** The parsed body a route gets, or undefined when the kit refuses the body. */
export function bodyValue(body: BodyCase | undefined): unknown {
  const parsed = parsedBody(body);
  return 'value' in parsed ? parsed.value : undefined;
}

/** How the idempotency middleware sees a key: fetch trims it, and a key sent empty is as malformed as any (422). */
function keyVerdict(key: string | undefined): 'none' | 'valid' | 'invalid' {
  if (key === undefined) return 'none';
  const trimmed = key.replace(/^[\t ]+|[\t ]+$/g, '');
  return /^[\x21-\x7e]{1,255}$/.test(trimmed) ? 'valid' : 'invalid';
}

/** If-Match as sent: none, a value, or the resource's current ETag read just before. */
export type IfMatchCase = { value: string } | { current: true } | undefined;

/** True when If-Match is absent or blank (as the service trims it), so it asks for nothing. */
export const blankIfMatch = (value: string | undefined) => value === undefined || value.trim() === '';

/** True when If-Match names versions (not absent, blank or `*`), so a mismatch is a 412. */
export const namesVersions = (value: string | undefined) => !blankIfMatch(value) && value?.trim() !== '*';

/** The If-Match header to send: as generated, or the ETag of `currentVersion` (0 when there is none). */
export function ifMatchHeader(condition: IfMatchCase, currentVersion: number | undefined): string | undefined {
  if (condition === undefined) return undefined;
  if ('value' in condition) return condition.value;
  return `"${currentVersion ?? 0}"`;
}

/** The headers of a write: Idempotency-Key and If-Match when given. */
export const writeHeaders = (key: string | undefined, ifMatchValue?: string): Record<string, string> => ({
  ...(key === undefined ? {} : { 'idempotency-key': key }),
  ...(ifMatchValue === undefined ? {} : { 'if-match': ifMatchValue }),
});

/** The route parameter koa-router hands the route: decoded, or as sent when it does not decode. */
export function routeParameter(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A 422 that names `field` among its errors. */
export const refusesField = (answer: JsonResponse, field: string) =>
  answer.status === 422 &&
  Array.isArray(answer.body?.errors) &&
  answer.body.errors.some((error: { field?: unknown }) => error.field === field);

/**
 * The early answers every write shares, in the order the kit gives them: the body parser's
 * (400/413/415), then an invalid Idempotency-Key (422), then a path segment that is not an id
 * (404). Undefined when the request gets past them; `'skip'` when a valid key was already used with
 * another request (422) or this is a replay of an earlier success, which say nothing of this body.
 */
export function earlyAnswer(
  answer: JsonResponse,
  body: BodyCase | undefined,
  key: string | undefined,
  segments: readonly string[],
): number | 'skip' | undefined {
  const parsed = parsedBody(body);
  if ('status' in parsed) return parsed.status;
  const keyState = keyVerdict(key);
  if (keyState === 'invalid') return 422;
  if (keyState === 'valid' && refusesField(answer, 'Idempotency-Key')) return 'skip';
  if (answer.headers.get('idempotent-replayed') === 'true') {
    assert.ok(answer.status < 300, `only successes are replayed: ${JSON.stringify(answer.body)}`);
    return 'skip';
  }
  if (segments.some((segment) => !isId(routeParameter(segment)))) return 404;
  return undefined;
}

/** The JSON a client reads back for what it sent (e.g. -0 is written as 0). */
export const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value));

/**
 * Koa's `ctx.query` for a generated query string: `#frag` never leaves the client, each key comes
 * once, repeated keys as arrays, and every key is an own property.
 */
export function serverQuery(search: string): Record<string, unknown> {
  const params = new URLSearchParams(search.split('#')[0] ?? '');
  const query: Record<string, unknown> = {};
  for (const key of params.keys()) {
    const values = params.getAll(key);
    Object.defineProperty(query, key, {
      value: values.length <= 1 ? values[0] : values,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return query;
}

/** True when `cursor` is base64url JSON of exactly `{ [key]: value }` with a value `valid` accepts. */
export function isCursor(cursor: unknown, key: string, valid: (value: unknown) => boolean): boolean {
  if (typeof cursor !== 'string') return false;
  try {
    const position: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof position !== 'object' || position === null || Array.isArray(position)) return false;
    const keys = Object.keys(position);
    return keys.length === 1 && keys[0] === key && valid((position as Record<string, unknown>)[key]);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Checks every answer passes

const internalNames = /ConditionalCheckFailed|dynalite|DynamoDB|ValidationException/i;

/** A request and its answer, for assertion messages. */
export const showAnswer = (request: string, answer: JsonResponse) =>
  `${request} answered ${answer.status} ${JSON.stringify(answer.body)}`;

/**
 * No 5xx, no stack trace, no internal name; an error is problem+json with its status, a title and
 * a detail that does not name the table. (Generated text never spells an internal name.)
 */
function assertWellFormed(answer: JsonResponse, request: string, tableName: string): void {
  const label = showAnswer(request, answer);
  assert.ok(answer.status < 500, `5xx: ${label}`);
  const text = JSON.stringify(answer.body) ?? '';
  assert.ok(!text.includes('    at '), `stack trace in the answer: ${label}`);
  assert.doesNotMatch(text, internalNames, label);
  if (answer.status < 400) return;
  assert.match(answer.headers.get('content-type') ?? '', /^application\/problem\+json/, label);
  assert.equal(answer.body?.status, answer.status, label);
  assert.equal(typeof answer.body?.title, 'string', label);
  assert.equal(typeof answer.body?.detail, 'string', label);
  assert.doesNotMatch(answer.body.detail, new RegExp(`\\b${tableName}\\b`), label);
}

export function assertStatus(answer: JsonResponse, allowed: readonly number[], request: string): void {
  assert.ok(allowed.includes(answer.status), `expected ${allowed.join('|')}: ${showAnswer(request, answer)}`);
}

export const isIsoDate = (value: unknown) => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** Lists of JSON text in a stored item (outbox entries, event pages, history records) parse. */
export function assertJsonLists(item: Record<string, unknown>, label: string): void {
  for (const [name, value] of Object.entries(item)) {
    if (!Array.isArray(value)) continue;
    for (const entry of value) {
      if (typeof entry === 'string') assert.doesNotThrow(() => JSON.parse(entry), `${name} of ${label}`);
    }
  }
}

/** A stored idempotency record: pending or completed, with the fingerprint and id it reserved. */
export function assertValidIdempotencyItem(item: Record<string, unknown>, label: string): void {
  assert.ok(['pending', 'completed'].includes(item.state as string), label);
  assert.equal(typeof item.fingerprint, 'string', label);
  assert.ok(isId(item.reservedId as string), label);
}

// ---------------------------------------------------------------------------------------------
// Sending cases and running properties

/** A service served by `serveOnStandIns`, as the properties call it. */
export type ServedApp = Pick<Awaited<ReturnType<typeof serveOnStandIns>>, 'request' | 'requestAs' | 'standIns'>;

/** Sends a request as a local user or anonymously, and checks what every answer must satisfy. */
export async function sendChecked(
  app: ServedApp,
  user: keyof TestTokens | 'anonymous',
  method: string,
  path: string,
  body?: BodyCase,
  headers: Record<string, string> = {},
): Promise<JsonResponse> {
  const sent = body === undefined ? undefined : encodedBody(body);
  const allHeaders = {
    ...headers,
    ...sent?.headers,
    ...(body?.contentType ? { 'content-type': body.contentType } : {}),
  };
  const answer =
    user === 'anonymous'
      ? await app.request(method, path, sent?.bytes, allHeaders)
      : await app.requestAs(user, method, path, sent?.bytes, allHeaders);
  assertWellFormed(answer, `${method} ${path}`, app.standIns.tableName);
  return answer;
}

/** Per-status counts of one property's answers, to show that both successes and errors occurred. */
export class StatusTally {
  private readonly counts = new Map<number, number>();
  cases = 0;

  /** Counts one case by the answer of the endpoint under test. */
  add(answer: JsonResponse): void {
    this.cases += 1;
    this.counts.set(answer.status, (this.counts.get(answer.status) ?? 0) + 1);
  }

  count(predicate: (status: number) => boolean): number {
    let total = 0;
    for (const [status, count] of this.counts) if (predicate(status)) total += count;
    return total;
  }

  toString(): string {
    return [...this.counts]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
  }
}

/** Runs `property` numRuns times; every case must be tallied, and some must succeed and some be refused. */
export async function checkProperty<Ts>(t: ExecutionContext, tally: StatusTally, property: fc.IAsyncProperty<Ts>) {
  await fc.assert(property, { numRuns, includeErrorInReport: true });
  t.log(`${tally.cases} cases; answers ${tally}`);
  t.is(tally.cases, numRuns);
  t.true(tally.count((status) => status < 300) > 0, 'some generated requests succeed');
  t.true(tally.count((status) => status >= 400) > 0, 'some generated requests are refused');
}

// ---------------------------------------------------------------------------------------------
// Generators of text

const oddStrings = fc.constantFrom(
  '<script>alert(1)</script>',
  '"; DROP TABLE products; --',
  '\u0000',
  'e\u0301',
  '👩‍👩‍👧',
  '\u202eevil',
  '\u200b',
  '   ',
  '\t\n',
  '{{7*7}}',
  '%s%n%x',
);

/** Text with nothing visible: spaces, tabs, zero-width, format and combining characters only. */
export const blankText = fc.string({
  unit: fc.constantFrom(' ', '\t', '\u00a0', '\u3000', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u0301'),
  minLength: 1,
  maxLength: 6,
});

/** Visible text with a control character in it: C0 (line breaks and tabs too), DEL or C1. */
export const textWithControl = fc
  .tuple(
    fc.string({ maxLength: 8 }),
    fc.oneof(fc.integer({ min: 0x00, max: 0x1f }), fc.integer({ min: 0x7f, max: 0x9f })),
    fc.string({ maxLength: 8 }),
  )
  .map(([before, code, after]) => `x${before}${String.fromCharCode(code)}${after}`);

/** Text of every kind: ASCII, graphemes, any code point, blank, with control characters, odd strings mixed in. */
export const anyText = (maxLength: number) =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.tuple(fc.string({ maxLength: 8 }), oddStrings, fc.string({ maxLength: 8 })).map((parts) => parts.join('')),
    blankText,
    textWithControl,
  );

/** Text with a lone surrogate (not Unicode): a JSON body may carry it as an escape, a URL cannot. */
const loneSurrogateText = fc
  .tuple(
    fc.string({ maxLength: 8 }),
    fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', '\udc00\ud800'),
    fc.string({ maxLength: 8 }),
  )
  .map((parts) => parts.join(''));

/** Text a JSON body may carry: `anyText`, and sometimes text with a lone surrogate. */
export const bodyText = (maxLength: number) =>
  fc.oneof({ weight: 9, arbitrary: anyText(maxLength) }, { weight: 1, arbitrary: loneSurrogateText });

/** A run of 'x' from `minLength` to `minLength + 50` characters long: just past a length limit. */
export const longText = (minLength: number) =>
  fc.integer({ min: minLength, max: minLength + 50 }).map((n) => 'x'.repeat(n));

// ---------------------------------------------------------------------------------------------
// Generators of bodies

/** Numbers as raw JSON: out of double range, underflowing, exotic spellings, just past common limits. */
const rawNumbers = fc
  .constantFrom(
    '1e400',
    '-1e400',
    '1e-400',
    '-0',
    '-0.0',
    '1E2',
    '1.0',
    '0.000000001',
    '99999999.999',
    '100000000',
    '1000000001',
    '1e21',
  )
  .map((raw) => new RawJson(raw));

/** Values of the wrong type or range for a field, with `pastLimits` (a service's own edges) mixed in. */
const junk = (pastLimits: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.constantFrom([], {}, [1], { a: 1 }, '5', 0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2),
    fc.double(),
    fc.integer({ min: -1_000_000, max: -1 }),
    fc.bigInt({ min: 10n ** 15n, max: 10n ** 30n }).map((big) => new RawJson(big.toString())),
    rawNumbers,
    bodyText(300),
    pastLimits,
    fc.jsonValue({ maxDepth: 2 }),
  );

/** What a service's bodies are made of, beyond the valid fields an endpoint's generator gives. */
export interface BodyModel {
  /** Fields a case may break ('supplier.name' for a nested one); top-level ones (one at least) it may also leave out. */
  fieldNames: readonly [string, ...string[]];
  /** Values just past the service's own limits (too long, too large), to break fields with. */
  pastLimits: fc.Arbitrary<unknown>;
  /** Keys a client may try to slip in: fields the service sets itself, near misses of real ones. */
  foreignKeys: readonly string[];
}

/** Objects around `fields`: as generated, with one field broken, one missing, or one added. */
function nearValid(fields: fc.Arbitrary<Record<string, unknown>>, model: BodyModel) {
  const topLevel = model.fieldNames.filter((name) => !name.includes('.'));
  const extraKey = fc.oneof(
    fc.string(),
    loneSurrogateText,
    fc.constantFrom('__proto__', 'constructor', ...model.foreignKeys),
  );
  const value = junk(model.pastLimits);
  return fc.oneof(
    { weight: 5, arbitrary: fields },
    {
      weight: 3,
      arbitrary: fc.tuple(fields, fc.constantFrom(...model.fieldNames), value).map(([body, field, broken]) => {
        const [outer, inner] = field.split('.') as [string, string | undefined];
        if (inner === undefined) return { ...body, [outer]: broken };
        const nested = typeof body[outer] === 'object' && body[outer] !== null ? body[outer] : {};
        return { ...body, [outer]: { ...nested, [inner]: broken } };
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fields, fc.constantFrom(...topLevel)).map(([body, field]) => {
        const { [field]: _removed, ...rest } = body;
        return rest;
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(fields, extraKey, value).map(([body, key, added]) => ({ ...body, [key]: added })),
    },
  );
}

/** Text the body parser refuses: malformed, truncated, a primitive, a stray byte, an escaped lone surrogate. */
function refusedJson(fields: fc.Arbitrary<Record<string, unknown>>, fieldNames: readonly [string, ...string[]]) {
  return fc.oneof(
    fields.chain((body) => {
      const full = jsonText(body);
      return fc.nat({ max: full.length - 1 }).map((length) => full.slice(0, length));
    }),
    fc.string({ unit: 'binary-ascii', maxLength: 40 }),
    fc.constantFrom('{', '[1,]', 'null', 'true', '42', '"text"', ' ', '{"a":1}{"b":2}'),
    // Nesting around the parser's depth limit, and far past it (which once overflowed the stack).
    fc
      .tuple(fc.oneof(fc.integer({ min: 30, max: 34 }), fc.integer({ min: 35, max: 20_000 })), fc.boolean())
      .map(([depth, arrays]) =>
        arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
      ),
    fc
      .constantFrom(...fieldNames)
      .map((field) => field.split('.')[0] as string)
      .chain((field) =>
        fc.constantFrom(
          `{"${field}": NaN}`,
          `{"${field}": Infinity}`,
          `{'${field}': 1}`,
          `{"${field}": 1,}`,
          `{"${field}": 0x10}`,
          `{"${field}": 01}`,
          `{"${field}": "\\x41"}`,
          `{"${field}": "\u0000"}`,
          `{"${field}": "a\\ud800b"}`,
          `{"a\\udc00": 1, "${field}": 1}`,
          `${field}=1`,
        ),
      ),
  );
}

const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/merge-patch+json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=bogus',
    ),
  },
);

/** Bodies from valid to hopeless, as JSON text: around `fields`, refused, any JSON, too large, or none. */
/** Mostly none; otherwise a compressed body, whole or damaged (plain text is not damaged brotli: it may decode). */
const contentEncoding: fc.Arbitrary<BodyCase['encoding']> = fc.oneof(
  { weight: 12, arbitrary: fc.constant(undefined) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.record({ name: fc.constantFrom('gzip', 'deflate', 'br'), damage: fc.constantFrom('none', 'truncated') }),
      fc.record({ name: fc.constantFrom('gzip', 'deflate'), damage: fc.constant('not compressed') }),
    ) as fc.Arbitrary<BodyCase['encoding']>,
  },
);

export const bodies = (
  fields: fc.Arbitrary<Record<string, unknown>>,
  model: BodyModel,
): fc.Arbitrary<BodyCase | undefined> =>
  fc
    .tuple(
      fc.oneof(
        { weight: 12, arbitrary: nearValid(fields, model).map(jsonText) },
        { weight: 2, arbitrary: refusedJson(fields, model.fieldNames) },
        { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map(jsonText) },
        { weight: 1, arbitrary: fc.array(fields, { maxLength: 2 }).map(jsonText) },
        {
          weight: 1,
          arbitrary: fields.map((body) => jsonText({ ...body, padding: 'p'.repeat(defaultBodyLimitBytes) })),
        },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
      contentType,
      contentEncoding,
    )
    .map(([json, type, encoding]) =>
      json === undefined
        ? undefined
        : {
            text: json,
            ...(type === undefined ? {} : { contentType: type }),
            ...(encoding === undefined || json === '' ? {} : { encoding }),
          },
    );

// ---------------------------------------------------------------------------------------------
// Generators of headers, paths and queries

/**
 * Header values an HTTP/1.1 server parses (tab, visible ASCII, space, bytes 0x80-0xFF); anything
 * else Node's parser refuses before the app sees the request. Sometimes longer than any key may be.
 */
const headerText = fc.string({
  unit: fc.oneof(
    fc.constant('\t'),
    fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
    fc.integer({ min: 0x80, max: 0xff }).map((code) => String.fromCharCode(code)),
  ),
  maxLength: 300,
});

export const idempotencyKey = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.constantFrom('retry-1', 'retry-2') },
  { weight: 2, arbitrary: headerText },
);

export const ifMatch: fc.Arbitrary<IfMatchCase> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 4, arbitrary: fc.constant({ current: true as const }) },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom(
        '*',
        '"0"',
        '"1"',
        'W/"1"',
        '"2"',
        '"1", "2", "3"',
        '""',
        '"-1"',
        '"1e3"',
        '"9999999999999999"',
        '*, "1"',
        ' ',
        '\u00a0',
      )
      .map((value) => ({ value })),
  },
  { weight: 1, arbitrary: headerText.map((value) => ({ value })) },
);

/** Path segments that are not ids, URL-encoded, and percent-encodings sent as they are. */
export const otherSegments = fc.oneof(
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.string({ minLength: 1 }),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
        fc.ulid().map((id) => id.toLowerCase()),
        fc.ulid().map((id) => `${id}0`),
        fc.ulid().map((id) => id.slice(1)),
        fc.ulid().map((id) => `${id.slice(0, 25)}U`),
        fc.constantFrom('__proto__', 'constructor', 'null', '<script>', ' ', '../api', 'a/b', '%'),
      )
      .filter((segment) => segment !== '.' && segment !== '..')
      .map((segment) => encodeURIComponent(segment)),
  },
  { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '%2F', '%25', '%C0%AF', '%FF') },
);

/** Cursors no page issues: base64url of other JSON or of bytes, not base64url at all, too long. */
export const foreignCursor = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
  fc.string({ unit: 'binary', maxLength: 60 }).map((value) => Buffer.from(value).toString('base64url')),
  fc.string(),
  longText(2049),
);

/** Values for `limit`: in and out of range, and spellings Joi may or may not convert. */
export const limitValue = fc.oneof(
  fc.integer({ min: -5, max: 150 }).map(String),
  fc.constantFrom('', 'abc', '1.5', '1e1', '1e400', ' 5', '0x10', '20abc', 'NaN', 'Infinity', '-0', '+7', '007'),
  fc.string(),
);

/** A query parameter the endpoint does not take: any key, a prototype key, or one of `nearMisses` (misspellings, other endpoints' keys). */
export const unknownQueryPair = (nearMisses: readonly string[]) =>
  fc.tuple(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', ...nearMisses)), fc.string());

/** A query string from pairs (known keys with good and bad values, unknown keys), or a raw oddity. */
export const queryString = (pairs: fc.Arbitrary<[string, string]>) =>
  fc
    .oneof(
      { weight: 9, arbitrary: fc.array(pairs, { maxLength: 4 }) },
      {
        weight: 1,
        arbitrary: fc.constantFrom('&&', '=', 'limit', 'limit=%zz', '%', 'limit=1&limit=2', 'a[b]=1', 'limit=5#frag'),
      },
    )
    .map((query) =>
      typeof query === 'string'
        ? query
        : query.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&'),
    );
