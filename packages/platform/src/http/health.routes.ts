import Router from '@koa/router';
import type { Logger } from '../logging/logger.js';
import type { AppState } from './app-context.js';

/** A named readiness check: resolves when the dependency answers, rejects otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

export interface HealthOptions {
  checks: Record<string, ReadinessCheck>;
  /** True once the process is shutting down; readiness then fails so load balancers drain it. */
  isDraining?: () => boolean;
  /** How long each check may take before it counts as failing; 2 s by default. */
  timeoutMs?: number;
  /** Where the reason a check failed is written; the answer itself names only the check. */
  logger?: Logger;
}

/** A check's state as `/readyz` shows it: no error text, which could name hosts, tables or keys. */
type CheckState = 'ok' | 'failing' | 'timed out';

const timedOut = Symbol('timed out');

/** Runs `check` for at most `timeoutMs`: resolves with its state and, when it failed, the reason. */
async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<{ state: CheckState; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof timedOut>((resolve) => {
    timer = setTimeout(() => resolve(timedOut), timeoutMs);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(check), deadline]);
    return outcome === timedOut ? { state: 'timed out' } : { state: 'ok' };
  } catch (error) {
    return { state: 'failing', error };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `GET /healthz` (the process answers) and `GET /readyz` (its dependencies answer, not draining).
 * A failing or slow check makes `/readyz` 503 naming the check; why it failed goes to the log.
 */
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
    const results = await Promise.all(names.map((name) => runCheck(options.checks[name] as ReadinessCheck, timeoutMs)));
    const checks: Record<string, CheckState> = {};
    results.forEach(({ state, error }, index) => {
      const name = names[index] as string;
      checks[name] = state;
      if (state !== 'ok') {
        options.logger?.warn({ check: name, state, timeoutMs, err: error }, 'readiness check failed');
      }
    });
    const ready = results.every(({ state }) => state === 'ok');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not ready', checks };
  });
  return router;
}
