import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  findFreePort,
  nodeChildCommand,
  type ServiceName,
  type SignedIn,
  type StandIns,
  type SupervisedChild,
  serviceEnv,
  startSearchIndexer,
  superviseChild,
  type UserPool,
  waitForHttp,
} from '@shop/local-stack';
import { startStandInsWithUsers } from '@shop/testing';
import { httpServices } from '@shop/topology';

import type { NamedProcess } from './rss-growth.js';

export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Resident memory of a process in MB, 0 when it is gone. */
export function rssMb(pid: number | undefined): number {
  if (pid === undefined || !existsSync(`/proc/${pid}/status`)) return 0;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
}

/** One sample of the resident memory of every process, by name. */
export function sampleRss(processes: readonly NamedProcess[]): Record<string, number> {
  return Object.fromEntries(processes.map(({ name, pid }) => [name, rssMb(pid)]));
}

/** The stand-ins plus whatever service processes a scenario starts on them. */
export class BenchStack {
  private readonly children: SupervisedChild[] = [];

  private constructor(
    readonly standIns: StandIns,
    readonly userPool: UserPool,
    private readonly signIn: (username: string) => Promise<SignedIn>,
  ) {}

  /**
   * The stand-ins (moto included: the services verify tokens of its user pool) and the local users;
   * with `search`, the OpenSearch node too, which the services are then given.
   */
  static async start(options: { search?: boolean } = {}): Promise<BenchStack> {
    // The node's heap fixed at its maximum from the start, as OpenSearch's own settings have it
    // (Xms = Xmx), so its memory is measured at its working size, not while the heap grows.
    const { standIns, pool, signIn } = await startStandInsWithUsers(
      options.search ? { search: true, searchHeap: { initial: '512m', max: '512m' } } : {},
    );
    return new BenchStack(standIns, pool, signIn);
  }

  /** An Authorization header value for a local user (admin, staff or shopper). */
  async bearer(username: string): Promise<string> {
    return `Bearer ${(await this.signIn(username)).accessToken}`;
  }

  get env(): Record<string, string> {
    return {
      ...serviceEnv(this.standIns, this.userPool),
      LOG_LEVEL: 'warn',
      // The load comes from one address, far beyond any per-client limit; the limiter still runs.
      RATE_LIMIT_PER_SECOND: '1000000000',
      RATE_LIMIT_BURST: '1000000000',
      USER_RATE_LIMIT_PER_SECOND: '1000000000',
      USER_RATE_LIMIT_BURST: '1000000000',
      GROUP_RATE_LIMITS: '',
      ...(this.standIns.searchEndpoint ? { SEARCH_ENDPOINT: this.standIns.searchEndpoint } : {}),
    };
  }

  /**
   * Starts a Node script as a process on a free port (passed as `portEnv`), with the stack's
   * environment and `env`; resolves once `readyPath` answers.
   */
  async startProcess(
    name: string,
    script: string,
    portEnv: string,
    readyPath: string,
    env: Record<string, string> = {},
  ) {
    const port = await findFreePort();
    const metricsPort = await findFreePort();
    const { command, args } = nodeChildCommand(join(repositoryRoot, script), { tsx: true });
    const child = superviseChild({
      name,
      command,
      args,
      cwd: repositoryRoot,
      env: { ...this.env, ...env, [portEnv]: String(port), METRICS_PORT: String(metricsPort) },
      logFile: join(this.standIns.dataDir, 'logs', `${name}.log`),
    });
    this.children.push(child);
    child.onUnexpectedExit(() => console.error(`${name} exited during the benchmark:\n${child.tail()}`));
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}${readyPath}`, 30_000, { signal: child.exitSignal }).catch((error: unknown) => {
      throw new Error(`${name} did not start: ${(error as Error).message}\n${child.tail()}`);
    });
    return { url, child, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` };
  }

  /** A service as its own process, started from its spec's entry point on a free port; resolves once it is ready. */
  startService(name: ServiceName, env: Record<string, string> = {}) {
    const spec = httpServices[name];
    return this.startProcess(name, spec.entryPoint, spec.port.env, '/readyz', env);
  }

  /** The local gateway (the ALB's stand-in) as its own process in front of the given services. */
  async startGateway(targets: Partial<Record<ServiceName, string>>) {
    const env = Object.fromEntries(
      Object.entries(targets).map(([service, url]) => [`${service.toUpperCase()}_URL`, url ?? '']),
    );
    return this.startProcess('gateway', 'bench/src/bench-gateway-server.ts', 'GATEWAY_PORT', '/readyz', env);
  }

  /** A search indexer (its KCL daemon and record processors) writing the stand-ins' node, stopped with the stack. */
  startSearchIndexer(): SupervisedChild {
    const child = startSearchIndexer({
      standIns: this.standIns,
      workerId: 'bench-indexer',
      logDir: join(this.standIns.dataDir, 'logs'),
      env: { LOG_LEVEL: 'warn', KCL_APPLICATION_NAME: `bench-search-indexer-${Date.now()}` },
    });
    this.children.push(child);
    child.onUnexpectedExit(() => console.error(`the search indexer exited during the benchmark:\n${child.tail()}`));
    return child;
  }

  /** Every process of the stack by name: the bench itself, the stand-ins and what was started on them. */
  processes(): NamedProcess[] {
    const { dynamodb, kinesis, moto, search } = this.standIns.processes;
    return [
      { name: 'bench', pid: process.pid },
      ...this.children.map((child) => ({ name: child.name, pid: child.pid })),
      { name: 'dynalite', pid: dynamodb.pid },
      { name: 'kinesalite', pid: kinesis.pid },
      ...(moto ? [{ name: 'moto', pid: moto.pid }] : []),
      ...(search ? [{ name: 'opensearch', pid: search.pid }] : []),
    ];
  }

  async stop(): Promise<void> {
    await Promise.all(this.children.map((child) => child.stop()));
    await this.standIns.stop();
  }
}
