import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { AppState } from './app-context.js';

/**
 * OpenAPI matches a concrete path before a templated one (and a path with fewer templates first), so `PUT /api/products/search` is a method
 * the search resource lacks (405 with its `Allow`), not a write to a product whose id is `search`.
 * The routers alone would hand it to `/api/products/:id`, since a later router's templated path also
 * matches it.
 */
export function concretePathsFirst(routers: ReadonlyArray<Router<AppState>>): Middleware<AppState> {
  const routes = routers.flatMap((router) => router.stack.filter((layer) => layer.methods.length > 0));
  return async (ctx, next) => {
    const matching = routes.filter((layer) => layer.match(ctx.path));
    // The most concrete paths that match: fewest path parameters (`/images/order` before `/images/:imageId`).
    const fewest = Math.min(...matching.map((layer) => layer.paramNames.length));
    const layers = matching.filter((layer) => layer.paramNames.length === fewest);
    if (layers.length === 0 || layers.some((layer) => layer.methods.includes(ctx.method))) {
      await next();
      return;
    }
    ctx.set('Allow', [...new Set(layers.flatMap((layer) => layer.methods))].join(', '));
    if (ctx.method === 'OPTIONS') {
      ctx.status = 200;
      ctx.body = '';
      return;
    }
    ctx.status = 405;
  };
}
