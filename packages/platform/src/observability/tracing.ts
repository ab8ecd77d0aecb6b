import { createRequire } from 'node:module';
import type * as XRay from 'aws-xray-sdk-core';
import type Koa from 'koa';
import { environmentSetsXrayDaemon } from '../config/common-config.js';
import { routeTemplate } from '../http/request-context.middleware.js';
import type { Logger } from '../logging/logger.js';

// The only module that knows the tracing vendor (AWS X-Ray, whose SDKs reach end of support on
// 2027-02-25): callers see trace headers as opaque strings, so a move to OpenTelemetry stays here.

export interface TracingOptions {
  /** Name of the segment each request or background unit of work records, e.g. 'catalog'. */
  serviceName: string;
  /** Share of new traces recorded, 0..1; a caller's sampling decision is always kept. 0.05 by default. */
  samplingRate?: number;
  /** `host:port` of the X-Ray daemon (UDP); AWS_XRAY_DAEMON_ADDRESS, set by the daemon sidecar, wins. */
  daemonAddress?: string;
  /** False turns every function of this module into a pass-through. */
  enabled?: boolean;
  /** Receives the SDK's own messages (routine ones at debug); its console logger otherwise. */
  logger?: Logger;
}

type XRaySdk = typeof XRay;

/** The subset of a request the X-Ray sampling rules match on. */
interface SampleRequest {
  host?: string;
  httpMethod?: string;
  urlPath?: string;
  serviceName: string;
}

interface Tracer {
  sdk: XRaySdk;
  serviceName: string;
}

const traceHeaderName = 'X-Amzn-Trace-Id';
const traceIdPattern = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const spanIdPattern = /^[0-9a-f]{16}$/;

// Loading the SDK creates its cls-hooked namespace, which installs a process-wide async hook; a
// process with tracing off should not pay for that, so the SDK is loaded only once tracing is on.
const requireModule = createRequire(import.meta.url);
let tracer: Tracer | undefined;

function loadSdk(): XRaySdk {
  return requireModule('aws-xray-sdk-core') as XRaySdk;
}

function sdkLogger(logger: Logger): XRay.Logger {
  const forward = (level: 'debug' | 'warn' | 'error') => (message: unknown, detail?: unknown) =>
    logger[level](
      { component: 'aws-xray', ...(detail instanceof Error ? { err: detail } : detail ? { detail } : {}) },
      String(message),
    );
  // The SDK reports routine events (a call made outside any trace, a setting applied) at info.
  return { debug: forward('debug'), info: forward('debug'), warn: forward('warn'), error: forward('error') };
}

/** Turns tracing on (or off) for the process; calling it again applies the new options. */
export function configureTracing(options: TracingOptions): void {
  if (options.enabled === false) {
    tracer = undefined;
    return;
  }
  const samplingRate = options.samplingRate ?? 0.05;
  if (!(samplingRate >= 0 && samplingRate <= 1)) throw new RangeError('samplingRate must be between 0 and 1');
  const sdk = loadSdk();
  if (options.logger) sdk.setLogger(sdkLogger(options.logger));
  sdk.enableAutomaticMode();
  // Work outside a request (startup, the outbox relay) is untraced by design, not an error.
  sdk.setContextMissingStrategy((message) => sdk.getLogger().debug(message));
  // The SDK refuses (with a warning) to override the environment variable; skip asking it to.
  if (!environmentSetsXrayDaemon()) sdk.setDaemonAddress(options.daemonAddress ?? '127.0.0.1:2000');
  // Local rules make the configured rate the rate, and stop the SDK polling the daemon for rules.
  sdk.middleware.disableCentralizedSampling();
  sdk.middleware.setSamplingRules({ version: 2, default: { fixed_target: 0, rate: samplingRate } });
  tracer = { sdk, serviceName: options.serviceName };
}

// Trace headers come from callers: a malformed root or parent starts a fresh trace rather than
// reach the daemon (or our response header) verbatim.
function parseTraceHeader(sdk: XRaySdk, header: string | undefined) {
  const data = sdk.utils.processTraceData(header);
  if (!data.root || !traceIdPattern.test(data.root)) return {};
  return {
    root: data.root,
    parent: data.parent && spanIdPattern.test(data.parent) ? data.parent : undefined,
    sampled: data.sampled === '1' ? true : data.sampled === '0' ? false : undefined,
  };
}

function shouldSample(sdk: XRaySdk, request: SampleRequest): boolean {
  // The typings leave out the active sampler; after disableCentralizedSampling it applies the local rules.
  const { sampler } = sdk.middleware as unknown as { sampler: { shouldSample(request: SampleRequest): unknown } };
  return Boolean(sampler.shouldSample(request));
}

function openSegment(
  active: Tracer,
  name: string,
  traceHeader: string | undefined,
  request: Omit<SampleRequest, 'serviceName'>,
): XRay.Segment {
  const incoming = parseTraceHeader(active.sdk, traceHeader);
  const segment = new active.sdk.Segment(name, incoming.root, incoming.parent);
  if (!(incoming.sampled ?? shouldSample(active.sdk, { ...request, serviceName: name }))) segment.notTraced = true;
  return segment;
}

function asRecordedError(error: unknown): Error | string {
  return error instanceof Error ? error : String(error);
}

/**
 * Records one segment per request, continuing the caller's `X-Amzn-Trace-Id`; AWS SDK calls made
 * while the request runs become its subsegments. Goes first, before the platform's kit.
 */
export function tracingMiddleware(): Koa.Middleware {
  return async (ctx, next) => {
    const active = tracer;
    if (!active) return next();
    const { sdk } = active;
    const segment = openSegment(active, active.serviceName, ctx.get(traceHeaderName), {
      host: ctx.host,
      httpMethod: ctx.method,
      urlPath: ctx.path,
    });
    const http = new sdk.middleware.IncomingRequestData(ctx.req);
    // Koa's view honours the app's proxy trust (the SDK reads X-Forwarded-For as is); the query
    // string is left out since it may carry what does not belong in traces.
    Object.assign(http.request, {
      url: ctx.href.split('?', 1)[0],
      client_ip: ctx.ip,
      x_forwarded_for: ctx.ips.length > 0 || undefined,
    });
    segment.addIncomingRequestData(http);
    ctx.set(traceHeaderName, `Root=${segment.trace_id};Sampled=${segment.notTraced ? 0 : 1}`);

    let escaped: unknown;
    let closed = false;
    // On the response's end, not after `next()`: Koa writes the body (and answers errors that
    // escape every middleware) only after the middleware chain has finished.
    const close = () => {
      if (closed) return;
      closed = true;
      const status = ctx.res.statusCode;
      http.close(ctx.res);
      if (status === 429) segment.addThrottleFlag();
      if (status >= 500) segment.addFaultFlag();
      else if (status >= 400) segment.addErrorFlag();
      segment.addAnnotation('route', routeTemplate(ctx));
      segment.close(escaped !== undefined && status >= 500 ? asRecordedError(escaped) : undefined);
    };
    ctx.res.once('finish', close);
    ctx.res.once('close', close);

    const namespace = sdk.getNamespace();
    // As the SDK's own Koa and Express middleware do, so stream listeners also see the segment.
    namespace.bindEmitter(ctx.req);
    namespace.bindEmitter(ctx.res);
    try {
      // Promises created while next() runs inherit this context, so it survives every `await`.
      await namespace.runAndReturn(() => {
        sdk.setSegment(segment);
        return next();
      });
    } catch (error) {
      escaped = error;
      throw error;
    }
  };
}

/** Adds tracing to an AWS SDK v3 client: each call made inside a trace is recorded as a subsegment. */
export function traceAwsClient<T extends { middlewareStack: { use: unknown; remove: unknown }; config: unknown }>(
  client: T,
): T {
  return tracer ? tracer.sdk.captureAWSv3Client(client) : client;
}

/** The trace header of the work in progress (`Root=…;Parent=…;Sampled=…`), to carry in published events. */
export function currentTraceHeader(): string | undefined {
  if (!tracer) return undefined;
  const current = tracer.sdk.getSegment();
  if (!current) return undefined;
  const segment = current instanceof tracer.sdk.Subsegment ? current.segment : current;
  return `Root=${segment.trace_id};Parent=${current.id};Sampled=${segment.notTraced ? 0 : 1}`;
}

/**
 * Runs background work as a segment named `name`, continuing `traceHeader` (e.g. from an event)
 * or starting a trace; an error the work throws is recorded and rethrown.
 */
export async function withTrace<T>(name: string, traceHeader: string | undefined, work: () => Promise<T>): Promise<T> {
  const active = tracer;
  if (!active) return work();
  const segment = openSegment(active, name, traceHeader, {});
  let result: T;
  try {
    result = await active.sdk.getNamespace().runAndReturn(() => {
      active.sdk.setSegment(segment);
      return work();
    });
  } catch (error) {
    segment.close(asRecordedError(error));
    throw error;
  }
  segment.close();
  return result;
}
