import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { pipeline, Readable } from 'node:stream';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ObservedResponse } from '@shop/contracts';
import { awsClientConfig, type Logger, problemContentType, webContentSecurityPolicy } from '@shop/platform';
import { type HttpServiceName, matchRoute } from '@shop/topology';
import { createProxyServer, type ProxyServer } from 'http-proxy-3';
import { probeHttp } from './http-probe.js';
import { serveStaticFile } from './static-file-responder.js';

export type ServiceName = HttpServiceName;

export interface GatewayOptions {
  /** Base URL of each service this gateway can reach, e.g. `{ catalog: 'http://127.0.0.1:3001' }`. */
  targets: Partial<Record<ServiceName, string>>;
  /** Directory of the static site served for paths no route matches; none when omitted. */
  webRoot?: string;
  /**
   * The site's run-time configuration, answered at `/config.json` (in AWS a file the deployment
   * writes next to the build), and the origins its pages may call besides this one.
   */
  web?: { config: Record<string, unknown>; connectSources?: string[] };
  logger?: Logger;
  /** How long `/readyz` waits for each service's own `/readyz`. */
  readinessTimeoutMs?: number;
  /** How long a proxied request may wait for the service's answer. */
  proxyTimeoutMs?: number;
  /**
   * Checks each answer a service gives against the API contract (`createResponseChecker` of
   * @shop/contracts) and reports what is wrong; tests turn it on, so every answer they see is checked.
   */
  contractCheck?: { check: (observed: ObservedResponse) => string[]; report: (violation: string) => void };
  /**
   * Product media on moto's S3, standing in for CloudFront's `/media/*` and the upload bucket's
   * own URL: `GET /media/...` reads the media bucket, `POST /uploads` is a presigned upload form.
   */
  media?: { s3Endpoint: string; region: string; uploadBucket: string; mediaBucket: string };
}

/** An upload form of the largest file allowed (10 MB) with its fields fits in this. */
const largestUploadForm = 11 * 1024 * 1024;

/** What S3 answers when a key is not there: `NoSuchKey` to a GET, `NotFound` to a HEAD. */
const isMissing = (error: unknown) => ['NoSuchKey', 'NotFound'].includes((error as { name?: string }).name ?? '');

/**
 * Answers `GET|HEAD /media/<key>` from the media bucket: the file with its type and caching, or a
 * 404. The bucket is private, as in AWS, where CloudFront reads it with signed requests (origin
 * access control); moto refuses an unsigned read of an object (403), so this reads with a client.
 */
async function serveMedia(
  req: IncomingMessage,
  res: ServerResponse,
  media: { s3: S3Client; mediaBucket: string },
  path: string,
): Promise<void> {
  const object = { Bucket: media.mediaBucket, Key: path.slice(1) };
  let answer: HeadObjectCommandOutput | GetObjectCommandOutput;
  try {
    answer =
      req.method === 'HEAD'
        ? await media.s3.send(new HeadObjectCommand(object))
        : await media.s3.send(new GetObjectCommand(object));
  } catch (error) {
    if (isMissing(error)) return sendProblem(res, 404, `No such file: ${path}`, path);
    return sendProblem(res, 502, 'The media store did not answer', path);
  }
  res.writeHead(200, {
    'Content-Type': answer.ContentType ?? 'application/octet-stream',
    ...(answer.ContentLength !== undefined ? { 'Content-Length': answer.ContentLength } : {}),
    'Cache-Control': answer.CacheControl ?? 'public, max-age=31536000, immutable',
    ...(answer.ETag ? { ETag: answer.ETag } : {}),
    'X-Content-Type-Options': 'nosniff',
  });
  // pipeline ends both sides when either fails (the store's stream breaks, the client goes away).
  if ('Body' in answer && answer.Body instanceof Readable) pipeline(answer.Body, res, () => {});
  else res.end();
}

/** Answers larger than this are passed on unchecked (no answer of the API comes near it). */
const largestCheckedBody = 1024 * 1024;

function sendJson(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': `${contentType}; charset=utf-8`,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function sendProblem(
  res: ServerResponse,
  status: number,
  detail: string,
  instance: string,
  headers: Record<string, string> = {},
): void {
  for (const [name, value] of Object.entries(headers)) if (!res.headersSent) res.setHeader(name, value);
  sendJson(
    res,
    status,
    { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, instance },
    problemContentType,
  );
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0] || '/';
}

/**
 * Checks a copy of each answer of the API as it streams to the client, once it is complete. Only
 * the routed API paths are the contract's: the upload store's answer to a form at `/uploads` is
 * S3's own (moto's 204), not an operation of the contract.
 */
function checkAnswersAgainstContract(
  proxy: ProxyServer,
  contractCheck: NonNullable<GatewayOptions['contractCheck']>,
): void {
  proxy.on('proxyRes', (proxyRes, req) => {
    if (!matchRoute(pathOf(req))) return;
    const chunks: Buffer[] = [];
    let size = 0;
    proxyRes.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= largestCheckedBody) chunks.push(chunk);
    });
    proxyRes.on('end', () => {
      if (size > largestCheckedBody) return;
      const violations = contractCheck.check({
        method: req.method ?? 'GET',
        path: pathOf(req),
        status: proxyRes.statusCode ?? 0,
        contentType: proxyRes.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      });
      for (const violation of violations) contractCheck.report(violation);
    });
  });
}

/** The gateway's `/readyz`: ready once every service it reaches answers its own `/readyz` with 200. */
async function answerReadiness(
  res: ServerResponse,
  targets: GatewayOptions['targets'],
  readinessTimeoutMs: number,
): Promise<void> {
  const entries = Object.entries(targets).filter((entry): entry is [string, string] => Boolean(entry[1]));
  const results = await Promise.all(
    entries.map(async ([name, base]) => {
      try {
        const { status } = await probeHttp(new URL('/readyz', base).href, readinessTimeoutMs);
        return [name, status === 200 ? 'ok' : `failing: status ${status}`] as const;
      } catch (error) {
        return [name, `failing: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`] as const;
      }
    }),
  );
  const checks = Object.fromEntries(results);
  const ready = results.every(([, state]) => state === 'ok');
  sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks });
}

/**
 * The local stand-in for the ALB: routes by the shared route table to each service's base URL
 * (path, query, method and headers kept; X-Forwarded-* added), answers its own `/healthz` and
 * `/readyz`, and serves the static web build for everything that is not an API path. Errors are
 * answered as problem+json; neither a client that goes away nor a service that is down can crash it.
 */
export function createGateway(options: GatewayOptions): Server {
  const { targets, webRoot, logger } = options;
  const contentSecurityPolicy = webContentSecurityPolicy({ connectSources: options.web?.connectSources ?? [] });
  const readinessTimeoutMs = options.readinessTimeoutMs ?? 1000;
  // Kept-alive upstream sockets are closed before Node's default 5 s server keep-alive timeout,
  // so a request never lands on a socket the service is just closing.
  const agent = new Agent({ keepAlive: true, maxSockets: 256, timeout: 4000 });
  const proxy = createProxyServer({ xfwd: true, agent, proxyTimeout: options.proxyTimeoutMs ?? 30_000 });
  const mediaStore = options.media && {
    s3: new S3Client({
      ...awsClientConfig({ region: options.media.region, endpoint: options.media.s3Endpoint }),
      forcePathStyle: true,
    }),
    mediaBucket: options.media.mediaBucket,
  };

  proxy.on('error', (error, req, res) => {
    const path = pathOf(req);
    logger?.warn({ err: error, method: req.method, path }, 'upstream request failed');
    if ('writeHead' in res) {
      sendProblem(res, 502, `The service behind ${path} did not answer`, path);
    } else {
      (res as Socket).destroy();
    }
  });
  // The client hung up; http-proxy has already dropped the upstream request.
  proxy.on('econnreset', () => {});
  if (options.contractCheck) checkAnswersAgainstContract(proxy, options.contractCheck);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req);
    if (path === '/healthz' && req.method === 'GET') return sendJson(res, 200, { status: 'ok' });
    if (path === '/readyz' && req.method === 'GET') return answerReadiness(res, targets, readinessTimeoutMs);

    if (mediaStore && path.startsWith('/media/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return sendProblem(res, 405, 'Media files are read-only', path, { Allow: 'GET, HEAD' });
      }
      return serveMedia(req, res, mediaStore, path);
    }
    if (options.media && path === '/uploads') {
      if (req.method !== 'POST') return sendProblem(res, 405, 'Uploads are POST forms', path, { Allow: 'POST' });
      if (Number(req.headers['content-length'] ?? Number.POSITIVE_INFINITY) > largestUploadForm) {
        return sendProblem(res, 413, `An upload form may have at most ${largestUploadForm} bytes`, path);
      }
      proxy.web(req, res, { target: `${options.media.s3Endpoint}/${options.media.uploadBucket}`, ignorePath: true });
      return;
    }
    const route = matchRoute(path);
    if (route) {
      const target = targets[route.service];
      if (!target) return sendProblem(res, 503, `The ${route.service} service is not running in this stack`, path);
      const started = Date.now();
      res.on('finish', () =>
        logger?.debug(
          { method: req.method, path, status: res.statusCode, ms: Date.now() - started, service: route.service },
          'proxied',
        ),
      );
      proxy.web(req, res, { target });
      return;
    }
    if (path === '/api' || path.startsWith('/api/')) {
      return sendProblem(res, 404, `No service serves ${path}`, path);
    }
    if (!webRoot) return sendProblem(res, 404, `No such resource: ${path}`, path);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendProblem(res, 405, 'Static files are read-only', path, { Allow: 'GET, HEAD' });
    }
    if (path === '/config.json' && options.web) {
      return sendJson(res, 200, options.web.config);
    }
    res.setHeader('Content-Security-Policy', contentSecurityPolicy);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
    const miss = await serveStaticFile(webRoot, req, res);
    if (miss) sendProblem(res, miss.status, miss.detail, path);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger?.error({ err: error, method: req.method, url: req.url }, 'gateway failed to answer');
      sendProblem(res, 500, 'The gateway failed to answer', pathOf(req));
    });
  });
  server.on('close', () => {
    agent.destroy();
    mediaStore?.s3.destroy();
  });
  return server;
}
