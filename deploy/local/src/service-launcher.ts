import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpServices } from '@shop/topology';
import { nodeChildCommand, type SupervisedChild, superviseChild } from './child-supervisor.js';
import type { ServiceName } from './gateway-server.js';
import { waitForHttp } from './http-probe.js';
import { type UserPool, userPoolEnv } from './local-user-pool.js';
import { findFreePort } from './port-finder.js';
import type { StandIns } from './stand-in-launcher.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The environment a service process needs to run on the stand-ins and verify the local pool's tokens. */
export function serviceEnv(standIns: StandIns, pool: UserPool): Record<string, string> {
  return {
    BIND_HOST: '127.0.0.1',
    AWS_REGION: standIns.region,
    DYNAMODB_ENDPOINT: standIns.dynamoDbEndpoint,
    KINESIS_ENDPOINT: standIns.kinesisEndpoint,
    // Inventory's staff dashboard reads the analytics metrics from moto's CloudWatch.
    ...(standIns.motoEndpoint ? { CLOUDWATCH_ENDPOINT: standIns.motoEndpoint } : {}),
    // Catalog's product images: uploads and checked sizes in moto's S3.
    ...(standIns.motoEndpoint && standIns.mediaBuckets
      ? {
          S3_ENDPOINT: standIns.motoEndpoint,
          UPLOAD_BUCKET: standIns.mediaBuckets.upload,
          MEDIA_BUCKET: standIns.mediaBuckets.media,
        }
      : {}),
    // Catalog's storefront search reads the product index on the OpenSearch node.
    ...(standIns.searchEndpoint ? { SEARCH_ENDPOINT: standIns.searchEndpoint } : {}),
    TABLE_NAME: standIns.tableName,
    STREAM_NAME: standIns.streamName,
    ...userPoolEnv(pool),
  };
}

export interface ServiceProcessOptions {
  name: ServiceName;
  standIns: StandIns;
  pool: UserPool;
  /** A free port by default; a restart keeps it. */
  port?: number;
  env?: Record<string, string>;
  logFile?: string;
  readyTimeoutMs?: number;
}

/** A service running as its own process, as in production, e.g. for tests that kill it. */
export interface ServiceProcess {
  url: string;
  port: number;
  metricsUrl: string;
  readonly child: SupervisedChild;
  /** Starts it again on the same port (after it died or was killed). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a service process on the stand-ins; resolves once its `/readyz` answers 200. */
export async function startServiceProcess(options: ServiceProcessOptions): Promise<ServiceProcess> {
  const spec = httpServices[options.name];
  const port = options.port ?? (await findFreePort());
  const metricsPort = await findFreePort();
  const url = `http://127.0.0.1:${port}`;
  const launch = async () => {
    const child = superviseChild({
      name: `${options.name} service`,
      ...nodeChildCommand(join(repoRoot, spec.entryPoint), { tsx: true }),
      cwd: repoRoot,
      env: {
        ...serviceEnv(options.standIns, options.pool),
        LOG_LEVEL: 'warn',
        METRICS_PORT: String(metricsPort),
        DRAIN_DELAY_MS: '0',
        ...options.env,
        [spec.port.env]: String(port),
      },
      logFile: options.logFile ?? join(options.standIns.dataDir, 'logs', `${options.name}.log`),
    });
    const timeoutMs = options.readyTimeoutMs ?? 60_000;
    await waitForHttp(`${url}/readyz`, timeoutMs, { signal: child.exitSignal }).catch(async (error: unknown) => {
      await child.stop();
      throw new Error(`${options.name} did not become ready: ${(error as Error).message}\n${child.tail()}`);
    });
    return child;
  };
  let child = await launch();
  return {
    url,
    port,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    get child() {
      return child;
    },
    async restart() {
      await child.stop();
      child = await launch();
    },
    async stop() {
      await child.stop();
    },
  };
}
