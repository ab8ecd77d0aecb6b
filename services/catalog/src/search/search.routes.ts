import Router from '@koa/router';
import { requestValidation } from '@shop/contracts';
import type { AppState } from '@shop/platform';
import type { SearchRequest, SearchService } from './search.service.js';

/** `GET /api/products/search`: public. Mounted before the products routes, so `search` is never read as an id. */
export function searchRoutes({ search }: { search: SearchService }): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/products' });
  const searchQuery = requestValidation().query<SearchRequest>('searchProducts');

  router.get('/search', async (ctx) => {
    ctx.body = await search.search(searchQuery({ ...ctx.query }));
  });

  return router;
}
