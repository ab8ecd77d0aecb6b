// `npm run token -- <username>`: signs a local user in against the running platform's user pool
// (InitiateAuth, as a client does) and prints a bearer access token as the last line.
import { ConfigError, loadConfig } from '@shop/platform';
import { localStackConfig } from './local-stack.config.js';
import { findUserPool, localUsers, signIn } from './local-user-pool.js';

function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

async function main(): Promise<void> {
  const username = process.argv[2];
  let users: ReturnType<typeof localUsers>;
  let config: ReturnType<typeof loadConfig<typeof localStackConfig>>;
  try {
    users = localUsers();
    config = loadConfig(localStackConfig);
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const names = users.map((user) => user.username).join(', ');
  if (!username || username.startsWith('-')) fail(`usage: npm run token -- <username>  (one of: ${names})`);
  const user = users.find((candidate) => candidate.username === username);
  if (!user) fail(`unknown local user "${username}"; the local users are ${names}`);

  const endpoint = `http://127.0.0.1:${config.motoPort}`;
  const pool = await findUserPool({ endpoint, region: config.region }).catch((error: unknown) =>
    fail(`cannot reach the local user pool at ${endpoint} (${(error as Error).message}); is \`npm start\` running?`),
  );
  if (!pool) fail(`no local user pool at ${endpoint}; is \`npm start\` running (with MOTO_PORT=${config.motoPort})?`);
  const tokens = await signIn({ endpoint, region: config.region, pool }, user.username, user.password).catch(
    (error: unknown) => fail(`signing in as ${user.username} failed: ${(error as Error).message}`),
  );
  const groups = user.groups.length > 0 ? user.groups.join(', ') : 'no groups';
  console.error(`access token for ${user.username} (${groups}), valid ${tokens.expiresInSeconds} s:`);
  console.log(tokens.accessToken);
}

main().catch((error: unknown) => fail(String(error)));
