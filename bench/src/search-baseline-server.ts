// The baseline search is measured against: a bare node:http handler that reads the same query
// parameters and sends the same query to the same node through the same index module, with no
// gateway hop, no Koa, no contract validation and no cursor handling.
import { createServer } from 'node:http';
import { createSearchClient, ProductSearchRepository, type SearchSort } from '@shop/product-index';

const port = Number(process.env.BASELINE_PORT);
const repository = new ProductSearchRepository({
  client: createSearchClient({ endpoint: process.env.SEARCH_ENDPOINT ?? '', timeoutMs: 5_000 }),
  alias: process.env.SEARCH_INDEX ?? 'products',
});

createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://baseline');
  if (url.pathname === '/healthz') {
    response.writeHead(200).end('{"status":"ok"}');
    return;
  }
  const query = url.searchParams;
  const number = (name: string) => (query.has(name) ? Number(query.get(name)) : undefined);
  try {
    const result = await repository.search({
      ...(query.get('q') ? { text: query.get('q') as string } : {}),
      ...(query.get('category') ? { category: query.get('category') as string } : {}),
      ...(number('minPrice') !== undefined ? { minPrice: number('minPrice') } : {}),
      ...(number('maxPrice') !== undefined ? { maxPrice: number('maxPrice') } : {}),
      inStock: query.get('inStock') === 'true',
      sort: (query.get('sort') as SearchSort | null) ?? 'relevance',
      limit: number('limit') ?? 20,
    });
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        items: result.hits,
        total: result.total,
        facets: { category: result.categories, price: result.prices },
      }),
    );
  } catch (error) {
    response.writeHead(503).end(String(error));
  }
}).listen(port, '127.0.0.1');
