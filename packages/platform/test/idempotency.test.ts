import test from 'ava';
import {
  type AppContext,
  ConflictError,
  type IdempotencyRecord,
  IdempotencyRepository,
  idempotency,
} from '../src/index.js';

/** Enough of a Koa context for the middleware: a write with a key, by a signed-in user. */
function writeContext(): AppContext {
  const headers = { 'idempotency-key': 'key-1' };
  return {
    method: 'POST',
    path: '/api/things',
    request: { headers, body: { a: 1 } },
    state: { principal: { subject: 'user-1' } },
    get: (name: string) => headers[name.toLowerCase() as keyof typeof headers] ?? '',
  } as unknown as AppContext;
}

/** A repository where the key is always held, and the record is never there when read. */
function vanishingRecords() {
  const calls = { reserve: 0, get: 0 };
  const repository = {
    async reserve() {
      calls.reserve += 1;
      if (calls.reserve > 1000) throw new Error('the wait spins: 1000 reserves without a pause');
      return false;
    },
    async get(): Promise<IdempotencyRecord | undefined> {
      calls.get += 1;
      return undefined;
    },
  } as unknown as IdempotencyRepository;
  return { repository, calls };
}

test('when the record vanishes each time a retry reads it, then the retry still pauses between tries and ends with a 409', async (t) => {
  const { repository, calls } = vanishingRecords();
  const middleware = idempotency({ repository, scope: 'test', waitMs: 300 });
  const started = Date.now();
  const error = await t.throwsAsync(
    middleware(writeContext(), async () => undefined),
    { instanceOf: ConflictError },
  );
  t.is(error?.headers?.['Retry-After'], '1');
  t.true(Date.now() - started >= 300, 'it waited out its deadline');
  // A pause of 25-75 ms between tries: about 4-12 tries in 300 ms, never hundreds.
  t.true(calls.reserve <= 20, `${calls.reserve} reserves`);
  t.is(calls.get, calls.reserve);
});

test('when a record is in the last second its TTL names, then it is still live to a read, as it is to a reserve', async (t) => {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const item = { state: 'pending', fingerprint: 'f', reservedId: 'r', lockedUntil: 0, expiresAt: nowSeconds };
  const documentClient = { send: async () => ({ Item: item }) };
  const repository = new IdempotencyRepository({ documentClient, tableName: 't' } as never);
  t.like(await repository.get('key'), { state: 'pending', reservedId: 'r' });
  const expired = new IdempotencyRepository({
    documentClient: { send: async () => ({ Item: { ...item, expiresAt: nowSeconds - 1 } }) },
    tableName: 't',
  } as never);
  t.is(await expired.get('key'), undefined);
});
