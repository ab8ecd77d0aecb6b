import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { accessGroups, awsClientConfig, defineConfig, loadConfig } from '@shop/platform';
import Joi from 'joi';

export const userPoolName = 'shop-users';
export const appClientName = 'shop-web';

/** The local pool as the services need it. */
export interface UserPool {
  userPoolId: string;
  clientId: string;
  /** moto serves every pool's keys under its own address; the tokens still name the AWS issuer. */
  jwksUri: string;
}

export interface LocalUser {
  username: string;
  password: string;
  groups: string[];
}

const password = (env: string, user: string, fallback: string) => ({
  env,
  doc: `Password of the local ${user} user`,
  // Cognito's default policy: 8 or more characters with upper and lower case, a digit and a symbol.
  schema: Joi.string()
    .min(8)
    .pattern(/[a-z]/)
    .pattern(/[A-Z]/)
    .pattern(/\d/)
    .pattern(/[^A-Za-z0-9]/),
  default: fallback,
});

/** The local users' passwords; every key has a documented default. */
export const localUsersConfig = defineConfig({
  admin: password('LOCAL_ADMIN_PASSWORD', 'admin', 'Admin-pass-1'),
  staff: password('LOCAL_STAFF_PASSWORD', 'staff', 'Staff-pass-1'),
  shopper: password('LOCAL_SHOPPER_PASSWORD', 'shopper', 'Shopper-pass-1'),
});

/** admin (both groups), staff (inventory staff) and shopper (no group), passwords from the environment. */
export function localUsers(env: NodeJS.ProcessEnv = process.env): LocalUser[] {
  const passwords = loadConfig(localUsersConfig, env);
  return [
    { username: 'admin', password: passwords.admin, groups: [accessGroups.catalogAdmin, accessGroups.inventoryStaff] },
    { username: 'staff', password: passwords.staff, groups: [accessGroups.inventoryStaff] },
    { username: 'shopper', password: passwords.shopper, groups: [] },
  ];
}

function cognitoClient(endpoint: string, region: string) {
  return new CognitoIdentityProviderClient(awsClientConfig({ region, endpoint }));
}

function isNamed(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}

async function findPool(client: CognitoIdentityProviderClient): Promise<UserPool | undefined> {
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListUserPoolsCommand({ MaxResults: 60, NextToken: nextToken }));
    const pool = page.UserPools?.find((candidate) => candidate.Name === userPoolName);
    if (pool?.Id) {
      const clients = await client.send(new ListUserPoolClientsCommand({ UserPoolId: pool.Id, MaxResults: 60 }));
      const app = clients.UserPoolClients?.find((candidate) => candidate.ClientName === appClientName);
      if (app?.ClientId) return { userPoolId: pool.Id, clientId: app.ClientId, jwksUri: '' };
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}

const jwksUri = (endpoint: string, userPoolId: string) => `${endpoint}/${userPoolId}/.well-known/jwks.json`;

/**
 * Creates, or finds, the local user pool in moto server: the two groups, the app client (user and
 * password sign-in, as the staff console does) and the users with their passwords and groups.
 * Safe to run again: the pool, its client and the users are kept (same ids), passwords are set
 * again, and each user ends up in exactly the groups it is given.
 */
export async function ensureUserPool(options: {
  endpoint: string;
  region: string;
  users?: LocalUser[];
}): Promise<UserPool> {
  const client = cognitoClient(options.endpoint, options.region);
  try {
    let pool = await findPool(client);
    if (!pool) {
      const created = await client.send(
        new CreateUserPoolCommand({
          PoolName: userPoolName,
          AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
          Policies: {
            PasswordPolicy: {
              MinimumLength: 8,
              RequireLowercase: true,
              RequireUppercase: true,
              RequireNumbers: true,
              RequireSymbols: true,
            },
          },
        }),
      );
      const userPoolId = created.UserPool?.Id;
      if (!userPoolId) throw new Error('moto created a user pool without an id');
      const app = await client.send(
        new CreateUserPoolClientCommand({
          UserPoolId: userPoolId,
          ClientName: appClientName,
          ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
          GenerateSecret: false,
        }),
      );
      if (!app.UserPoolClient?.ClientId) throw new Error('moto created an app client without an id');
      pool = { userPoolId, clientId: app.UserPoolClient.ClientId, jwksUri: '' };
    }
    const { userPoolId } = pool;
    for (const group of Object.values(accessGroups)) {
      await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: group })).catch((error) => {
        if (!isNamed(error, 'GroupExistsException')) throw error;
      });
    }
    for (const user of options.users ?? localUsers()) {
      const exists = await client
        .send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: user.username }))
        .then(
          () => true,
          (error) => {
            if (isNamed(error, 'UserNotFoundException')) return false;
            throw error;
          },
        );
      if (!exists) {
        await client.send(
          new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: user.username, MessageAction: 'SUPPRESS' }),
        );
      }
      await client.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: userPoolId,
          Username: user.username,
          Password: user.password,
          Permanent: true,
        }),
      );
      const { Groups: current = [] } = await client.send(
        new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: user.username }),
      );
      const currentNames = new Set(current.map((group) => group.GroupName));
      for (const group of user.groups) {
        if (currentNames.has(group)) continue;
        await client.send(
          new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: user.username, GroupName: group }),
        );
      }
      // A membership the user no longer has would still grant its writes.
      for (const group of currentNames) {
        if (group === undefined || user.groups.includes(group)) continue;
        await client.send(
          new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username: user.username, GroupName: group }),
        );
      }
    }
    return { ...pool, jwksUri: jwksUri(options.endpoint, userPoolId) };
  } finally {
    client.destroy();
  }
}

/** The local pool if `npm start` (or a test) has created it in the moto server at `endpoint`. */
export async function findUserPool(options: { endpoint: string; region: string }): Promise<UserPool | undefined> {
  const client = cognitoClient(options.endpoint, options.region);
  try {
    const pool = await findPool(client);
    return pool && { ...pool, jwksUri: jwksUri(options.endpoint, pool.userPoolId) };
  } finally {
    client.destroy();
  }
}

export interface SignedIn {
  accessToken: string;
  idToken: string;
  expiresInSeconds: number;
}

/** Signs a user in the way a client does (InitiateAuth, USER_PASSWORD_AUTH) and returns the tokens. */
export async function signIn(
  options: { endpoint: string; region: string; pool: UserPool },
  username: string,
  userPassword: string,
): Promise<SignedIn> {
  const client = cognitoClient(options.endpoint, options.region);
  try {
    const { AuthenticationResult: result } = await client.send(
      new InitiateAuthCommand({
        ClientId: options.pool.clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: username, PASSWORD: userPassword },
      }),
    );
    if (!result?.AccessToken || !result.IdToken) throw new Error(`signing in as ${username} returned no tokens`);
    return { accessToken: result.AccessToken, idToken: result.IdToken, expiresInSeconds: result.ExpiresIn ?? 0 };
  } finally {
    client.destroy();
  }
}

/** The environment a service process needs to verify the local pool's tokens. */
export function userPoolEnv(pool: UserPool): Record<string, string> {
  return {
    COGNITO_USER_POOL_ID: pool.userPoolId,
    COGNITO_CLIENT_ID: pool.clientId,
    COGNITO_JWKS_URI: pool.jwksUri,
  };
}
