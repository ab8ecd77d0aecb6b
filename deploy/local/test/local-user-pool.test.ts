import {
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  ListGroupsCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { accessGroups, awsClientConfig } from '@shop/platform';
import anyTest, { type TestFn } from 'ava';
import {
  ensureUserPool,
  findUserPool,
  type LocalUser,
  localUsers,
  type StandIns,
  signIn,
  startStandIns,
  type UserPool,
} from '../src/index.js';

// The tests share one moto server and run in order: each one calls ensureUserPool on the pool the
// earlier ones left, as a second `npm start` against a running moto would.
const test = anyTest.serial as TestFn<{ standIns: StandIns; cognito: CognitoIdentityProviderClient }>;

test.before(async (t) => {
  const standIns = await startStandIns({ moto: true });
  t.context = {
    standIns,
    cognito: new CognitoIdentityProviderClient(
      awsClientConfig({ region: standIns.region, endpoint: standIns.motoEndpoint ?? '' }),
    ),
  };
});
test.after.always(async (t) => {
  t.context.cognito?.destroy();
  await t.context.standIns?.stop();
});

const where = (standIns: StandIns) => ({ endpoint: standIns.motoEndpoint ?? '', region: standIns.region });

/** What the pool holds, read back from moto: pools, app clients, groups, and each user's groups. */
async function poolContents(cognito: CognitoIdentityProviderClient, pool: UserPool) {
  const { UserPools = [] } = await cognito.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  const { UserPoolClients = [] } = await cognito.send(
    new ListUserPoolClientsCommand({ UserPoolId: pool.userPoolId, MaxResults: 60 }),
  );
  const { Groups = [] } = await cognito.send(new ListGroupsCommand({ UserPoolId: pool.userPoolId }));
  const { Users = [] } = await cognito.send(new ListUsersCommand({ UserPoolId: pool.userPoolId }));
  const memberships: Record<string, string[]> = {};
  for (const user of Users) {
    const username = user.Username ?? '';
    const { Groups: groups = [] } = await cognito.send(
      new AdminListGroupsForUserCommand({ UserPoolId: pool.userPoolId, Username: username }),
    );
    memberships[username] = groups.map((group) => group.GroupName ?? '').sort();
  }
  return {
    pools: UserPools.map((candidate) => [candidate.Id, candidate.Name]),
    clients: UserPoolClients.map((candidate) => [candidate.ClientId, candidate.ClientName]),
    groups: Groups.map((group) => group.GroupName).sort(),
    memberships,
  };
}

/** The claims of a JWT (its signature is checked by the services' verifier, not here). */
function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

const expectedMemberships = (users: LocalUser[]) =>
  Object.fromEntries(users.map((user) => [user.username, [...user.groups].sort()]));

test('when the pool is ensured twice, then the second call finds the same pool, client, groups and users', async (t) => {
  const { standIns, cognito } = t.context;
  const users = localUsers({});
  const first = await ensureUserPool({ ...where(standIns), users });
  const before = await poolContents(cognito, first);
  const second = await ensureUserPool({ ...where(standIns), users });
  t.deepEqual(second, first, 'the same pool id, client id and keys address');
  t.deepEqual(await findUserPool(where(standIns)), first);
  const after = await poolContents(cognito, second);
  t.deepEqual(after, before, 'nothing was added by the second call');
  t.deepEqual(after.pools, [[first.userPoolId, 'shop-users']]);
  t.deepEqual(after.clients, [[first.clientId, 'shop-web']]);
  t.deepEqual(after.groups, Object.values(accessGroups).sort());
  t.deepEqual(after.memberships, expectedMemberships(users));
});

test('when the pool was ensured again, then every user still signs in with a token naming its groups', async (t) => {
  const { standIns } = t.context;
  const users = localUsers({});
  const pool = await ensureUserPool({ ...where(standIns), users });
  for (const user of users) {
    const tokens = await signIn({ ...where(standIns), pool }, user.username, user.password);
    const claims = claimsOf(tokens.accessToken);
    t.is(claims.token_use, 'access', user.username);
    t.is(claims.username ?? claims['cognito:username'], user.username);
    t.deepEqual([...((claims['cognito:groups'] as string[] | undefined) ?? [])].sort(), [...user.groups].sort());
  }
});

test('when passwords and groups change between runs, then the existing users are brought up to date', async (t) => {
  const { standIns, cognito } = t.context;
  const original = localUsers({});
  const changed = localUsers({ LOCAL_SHOPPER_PASSWORD: 'Changed-pass-2' }).map((user) =>
    // The staff user leaves inventory staff; the shopper joins it.
    user.username === 'staff'
      ? { ...user, groups: [] }
      : user.username === 'shopper'
        ? { ...user, groups: [accessGroups.inventoryStaff] }
        : user,
  );
  const pool = await ensureUserPool({ ...where(standIns), users: changed });
  t.deepEqual(pool, await findUserPool(where(standIns)), 'still the same pool');
  t.deepEqual((await poolContents(cognito, pool)).memberships, expectedMemberships(changed));
  const shopper = await signIn({ ...where(standIns), pool }, 'shopper', 'Changed-pass-2');
  t.deepEqual(claimsOf(shopper.accessToken)['cognito:groups'], [accessGroups.inventoryStaff]);
  const oldPassword = original.find((user) => user.username === 'shopper')?.password ?? '';
  await t.throwsAsync(signIn({ ...where(standIns), pool }, 'shopper', oldPassword), {
    name: 'NotAuthorizedException',
  });
  const staff = await signIn({ ...where(standIns), pool }, 'staff', 'Staff-pass-1');
  t.is(claimsOf(staff.accessToken)['cognito:groups'], undefined, 'the staff user is in no group now');

  await ensureUserPool({ ...where(standIns), users: original });
  t.deepEqual((await poolContents(cognito, pool)).memberships, expectedMemberships(original), 'and back');
});
