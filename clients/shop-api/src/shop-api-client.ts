import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './shop-api.generated.js';

/** A client of the platform's API: `GET`, `POST`, `PUT`, `PATCH`, `DELETE` of the contract's paths. */
export type ShopApiClient = Client<paths>;

export interface ShopApiClientOptions {
  /**
   * Where the API is, before its `/api/...` paths: an origin such as `http://127.0.0.1:8080`, or
   * `''` (the default) for the page's own origin, which only a browser can resolve.
   */
  baseUrl?: string;
  /** The fetch that sends each request; the global one when not given (tests pass their own). */
  fetch?: (request: Request) => Promise<Response>;
  /** A bearer access token, sent with every request when given. */
  token?: string | undefined;
}

const readOnlyMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Each write carries an `Idempotency-Key` (a fresh one unless the call gave its own), so a write
 * that is sent twice, by a retrying proxy or a double submit of the same request, applies once.
 */
const idempotencyKeys: Middleware = {
  onRequest({ request }) {
    if (readOnlyMethods.has(request.method) || request.headers.has('Idempotency-Key')) return undefined;
    request.headers.set('Idempotency-Key', crypto.randomUUID());
    return request;
  },
};

/**
 * A typed client of the platform's HTTP API, built on openapi-fetch from the types generated from
 * the contract: paths, parameters, bodies and answers are checked against the contract at compile
 * time. Answers come back as `{ data, error, response }`; an answer that is not a success has the
 * problem+json body in `error`, and a request that never got an answer rejects.
 */
export function createShopApiClient(options: ShopApiClientOptions = {}): ShopApiClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? '',
    ...(options.fetch ? { fetch: options.fetch } : {}),
    headers: {
      Accept: 'application/json',
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
    },
  });
  client.use(idempotencyKeys);
  return client;
}
