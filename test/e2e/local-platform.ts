import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findFreePorts } from '@shop/local-stack';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const portVariables = [
  'GATEWAY_PORT',
  'CATALOG_PORT',
  'INVENTORY_PORT',
  'CATALOG_METRICS_PORT',
  'INVENTORY_METRICS_PORT',
  'ANALYTICS_METRICS_PORT',
  'DYNAMODB_PORT',
  'KINESIS_PORT',
  'MOTO_PORT',
  'SEARCH_PORT',
  'SEARCH_TRANSPORT_PORT',
] as const;

export type Ports = Record<(typeof portVariables)[number], number>;

export async function freePorts(): Promise<Ports> {
  const ports = await findFreePorts(portVariables.length);
  return Object.fromEntries(portVariables.map((name, index) => [name, ports[index]])) as Ports;
}

const run = promisify(execFile);

/** A bearer access token for a local user, from `npm run token -- <username>` as the README shows (its last line). */
export async function tokenFor(username: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run('npm', ['run', 'token', '--', username], { cwd: root, env });
  const token = stdout.trim().split('\n').at(-1) ?? '';
  if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) throw new Error(`npm run token printed no token:\n${stdout}`);
  return token;
}

/** `npm start` as a newcomer runs it (the same entry point), on the given ports and data dir. */
export async function startPlatform(ports: Ports, dataDir: string, extraEnv: Record<string, string> = {}) {
  // The gateway checks every answer the tests receive against the OpenAPI contract.
  // Searches may wait longer than in production: the suites keep both cores busy beside the engine.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    CONTRACT_CHECK: 'true',
    SEARCH_TIMEOUT_MS: '10000',
    ...extraEnv,
  };
  for (const [name, port] of Object.entries(ports)) env[name] = String(port);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(root, 'deploy/local/src/main.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const ready = new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      output.push(line);
      if (/\bready\b/.test(line)) resolve();
    });
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => output.push(line));
    child.once('exit', (code) =>
      reject(new Error(`npm start exited with ${code} before ready:\n${output.join('\n')}`)),
    );
    setTimeout(() => reject(new Error(`npm start not ready in 120 s:\n${output.join('\n')}`)), 120_000).unref();
  });
  await ready;
  return {
    child,
    output,
    gateway: `http://127.0.0.1:${ports.GATEWAY_PORT}`,
    /** Runs `npm run <script> -- <args>` against this platform (its ports); resolves with stdout. */
    async npmRun(script: string, args: string[]): Promise<string> {
      return (await run('npm', ['run', script, '--', ...args], { cwd: root, env })).stdout;
    },
    /** A bearer access token of `username` (a local user), from `npm run token` against this platform. */
    async token(username: string): Promise<string> {
      return tokenFor(username, env);
    },
    /** Headers of a JSON write as `username` (a local user), with a token from `npm run token`. */
    async writeHeaders(username: string): Promise<Record<string, string>> {
      return { 'content-type': 'application/json', authorization: `Bearer ${await tokenFor(username, env)}` };
    },
    /** Resolves with the exit code; rejects when the gateway saw an answer the contract does not allow. */
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      let code = child.exitCode;
      if (code === null) {
        child.kill(signal);
        [code] = (await once(child, 'exit')) as [number | null];
      }
      const violations = output.filter((line) => line.startsWith('contract violation: '));
      if (violations.length > 0) throw new Error(`answers outside the API contract:\n${violations.join('\n')}`);
      return code;
    },
  };
}
