import test from 'ava';
import { sessionFromToken, tokenClaims } from '../src/staff-session.js';

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const token = (claims: Record<string, unknown>) => `${encode({ alg: 'RS256' })}.${encode(claims)}.signature`;

test('when a token is read, then its user name and groups shape the page (the API verifies it)', (t) => {
  const session = sessionFromToken(
    token({ username: 'staff', 'cognito:groups': ['inventory-staff'], note: 'ünïcode ✓' }),
    3600,
    1_000,
  );
  t.deepEqual(session.groups, ['inventory-staff']);
  t.is(session.username, 'staff');
  t.is(session.expiresAt, 1_000 + 3_600_000);
  t.is(tokenClaims(session.accessToken).note, 'ünïcode ✓');
});

test('when a token has no groups or cannot be read, then it grants no role in the page', (t) => {
  t.deepEqual(sessionFromToken(token({ username: 'shopper' }), 60).groups, []);
  t.deepEqual(tokenClaims('not-a-token'), {});
  t.deepEqual(tokenClaims('a.%%%.c'), {});
});
