import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Router from '@koa/router';
import type { AppState } from './app-context.js';
import { webContentSecurityPolicy } from './web-content-security-policy.js';

const require = createRequire(import.meta.url);
const swaggerUi = dirname(require.resolve('swagger-ui-dist/package.json'));

/** The page's files: Swagger UI's bundle and styles from npm, and the page's start script. */
const assetFiles: Record<string, { type: string; path: string | URL }> = {
  'swagger-ui-bundle.js': { type: 'text/javascript', path: join(swaggerUi, 'swagger-ui-bundle.js') },
  'swagger-ui.css': { type: 'text/css', path: join(swaggerUi, 'swagger-ui.css') },
  'api-reference.js': { type: 'text/javascript', path: new URL('./api-reference/api-reference.js', import.meta.url) },
};
const pagePath = new URL('./api-reference/index.html', import.meta.url);

// Read on first request, not at import: every process that imports the platform would otherwise
// load Swagger UI's 1.5 MB bundle at start, and only catalog serves it.
const loaded = new Map<string, Buffer>();
function read(name: string, path: string | URL): Buffer {
  let body = loaded.get(name);
  if (!body) {
    body = readFileSync(path);
    loaded.set(name, body);
  }
  return body;
}

export interface ApiReferenceOptions {
  /** The OpenAPI document to publish; read once, on the first request. */
  document: () => object;
}

/**
 * `GET /api/openapi.json` (the OpenAPI document) and `GET /api/docs` (Swagger UI over it, served
 * from this process, no CDN). The page gets the site's CSP instead of the API's `default-src
 * 'none'`; its "try it" calls go to the same origin, so they work wherever the page is served.
 */
export function apiReferenceRoutes(options: ApiReferenceOptions): Router<AppState> {
  const router = new Router<AppState>();
  let json: string | undefined;
  router.get('/api/openapi.json', (ctx) => {
    json ??= JSON.stringify(options.document());
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.type = 'application/json';
    ctx.body = json;
  });
  router.get('/api/docs', (ctx) => {
    ctx.set('Content-Security-Policy', webContentSecurityPolicy());
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = read('index.html', pagePath);
  });
  router.get('/api/docs/:file', (ctx) => {
    const name = ctx.params.file ?? '';
    const file = Object.hasOwn(assetFiles, name) ? assetFiles[name] : undefined;
    if (!file) return;
    ctx.set('Cache-Control', 'public, max-age=3600');
    ctx.type = file.type;
    ctx.body = read(name, file.path);
  });
  return router;
}
