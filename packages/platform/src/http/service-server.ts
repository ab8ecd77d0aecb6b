import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';

/** The deadlines of a service's HTTP server; only `requestTimeoutMs` is required. */
export interface ServerDeadlines {
  /** Longest a client may take to send a whole request, headers and body; it gets 408 after. */
  requestTimeoutMs: number;
  /** Longest a client may take to send the headers; the request timeout, at most 10 s, by default. */
  headersTimeoutMs?: number;
  /**
   * How long an idle keep-alive connection stays open; 65 s by default, longer than the ALB's idle
   * timeout (60 s), so the balancer, not the service, closes idle connections.
   */
  keepAliveTimeoutMs?: number;
}

/**
 * Node's server options for `deadlines`. Node looks for requests past their deadline only every
 * `connectionsCheckingInterval` (30 s by default), which would let a stalled client keep its socket
 * up to 30 s past the deadline; here it looks at least every second, and at half the headers
 * deadline when that is shorter.
 */
export function serverOptions(deadlines: ServerDeadlines): ServerOptions {
  const requestTimeout = deadlines.requestTimeoutMs;
  const headersTimeout = Math.min(deadlines.headersTimeoutMs ?? 10_000, requestTimeout);
  return {
    requestTimeout,
    headersTimeout,
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.ceil(headersTimeout / 2))),
  };
}

/**
 * The HTTP server a service listens with: slow or stalled clients (slowloris) are answered 408 and
 * cut off once they pass the headers or request deadline, and idle keep-alive connections are kept
 * past the load balancer's idle timeout.
 */
export function createServiceServer(handler: RequestListener, deadlines: ServerDeadlines): Server {
  const server = createServer(serverOptions(deadlines), handler);
  server.keepAliveTimeout = deadlines.keepAliveTimeoutMs ?? 65_000;
  return server;
}
