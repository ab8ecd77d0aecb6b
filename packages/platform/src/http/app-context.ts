import type { RouterContext } from '@koa/router';
import type Koa from 'koa';
import type { Principal } from '../auth/access-token-verifier.js';
import type { Logger } from '../logging/logger.js';

/** What the app kit puts on `ctx.state` for every request. */
export interface AppState {
  requestId: string;
  /** The process logger; lines about this request carry `requestId`. */
  log: Logger;
  /** Set by the idempotency middleware: an id reserved for the resource this request creates. */
  reservedId?: string;
  /** True when this request took over a key whose first request died; it may have applied already. */
  reservedIdReused?: boolean;
  /** Set by `requireGroup`: the verified caller of a write. */
  principal?: Principal;
}

export type AppContext = Koa.ParameterizedContext<AppState>;
export type AppRouterContext = RouterContext<AppState>;
export type AppMiddleware = Koa.Middleware<AppState>;
