import Router from '@koa/router';
import type { AppState } from './app-context.js';

/** A named readiness check: resolves when the dependency answers, rejects otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

export interface HealthOptions {
  checks: Record<string, ReadinessCheck>;
  /** True once the process is shutting down; readiness then fails so load balancers drain it. */
  isDraining?: () => boolean;
  timeoutMs?: number;
}

function withTimeout(check: ReadinessCheck, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    check().then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** `GET /healthz` (the process answers) and `GET /readyz` (its dependencies answer, not draining). */
export function healthRoutes(options: HealthOptions): Router<AppState> {
  const router = new Router<AppState>();
  const timeoutMs = options.timeoutMs ?? 2000;
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    if (options.isDraining?.()) {
      ctx.status = 503;
      ctx.body = { status: 'draining' };
      return;
    }
    const names = Object.keys(options.checks);
    const results = await Promise.allSettled(
      names.map((name) => withTimeout(options.checks[name] as ReadinessCheck, timeoutMs)),
    );
    const checks: Record<string, string> = {};
    results.forEach((result, index) => {
      checks[names[index] as string] =
        result.status === 'fulfilled' ? 'ok' : `failing: ${(result.reason as Error).message}`;
    });
    const ready = results.every((result) => result.status === 'fulfilled');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not ready', checks };
  });
  return router;
}
