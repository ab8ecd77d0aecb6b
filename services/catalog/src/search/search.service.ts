import { decodeCursor, encodeCursor, isId, ServiceUnavailableError, ValidationError } from '@shop/platform';
import type { ProductSearchRepository, SearchHit, SearchQuery, SearchSort } from '@shop/product-index';
import Joi from 'joi';

/** A search as the storefront asks it (the contract's query parameters, already valid one by one). */
export type SearchRequest = Omit<SearchQuery, 'text' | 'after'> & { q?: string; cursor?: string };

export interface SearchResults {
  items: SearchHit[];
  total: number;
  facets: {
    category: Array<{ value: string; count: number }>;
    price: Array<{ from: number; to?: number; count: number }>;
  };
  nextCursor: string | null;
}

const cursorSchema = Joi.object({
  sort: Joi.string().valid('relevance', 'price-asc', 'price-desc', 'newest').required(),
  after: Joi.string().max(1024).required(),
});

const invalidCursor = () => new ValidationError([{ field: 'cursor', message: 'cursor is not a valid page cursor' }]);

// A page cursor carries the sort it was made for and the last item's sort values.
function afterOf(cursor: string, sort: SearchSort): Array<string | number> {
  const position = decodeCursor<{ sort: string; after: string }>(cursor, cursorSchema);
  if (position.sort !== sort) throw invalidCursor();
  let after: unknown;
  try {
    after = JSON.parse(position.after);
  } catch {
    throw invalidCursor();
  }
  // Every sort is a number (score, price or creation time) and then the id.
  if (!Array.isArray(after) || after.length !== 2) throw invalidCursor();
  const [value, id] = after as unknown[];
  if (typeof value !== 'number' || !Number.isFinite(value) || typeof id !== 'string' || !isId(id)) {
    throw invalidCursor();
  }
  return [value, id];
}

/**
 * Storefront search over the product index. The index is a read model: when the engine cannot
 * answer in time, search answers 503 and nothing else in the service is affected.
 */
export class SearchService {
  /** Without a repository (no engine configured), every search is a 503. */
  constructor(private readonly repository: ProductSearchRepository | undefined) {}

  async search(request: SearchRequest): Promise<SearchResults> {
    if (request.minPrice !== undefined && request.maxPrice !== undefined && request.minPrice > request.maxPrice) {
      throw new ValidationError([{ field: 'minPrice', message: 'minPrice must not be above maxPrice' }]);
    }
    const after = request.cursor === undefined ? undefined : afterOf(request.cursor, request.sort);
    if (!this.repository) throw new ServiceUnavailableError('Search is not configured on this instance', 30);
    const result = await this.repository
      .search({
        ...(request.q !== undefined ? { text: request.q } : {}),
        ...(request.category !== undefined ? { category: request.category } : {}),
        ...(request.minPrice !== undefined ? { minPrice: request.minPrice } : {}),
        ...(request.maxPrice !== undefined ? { maxPrice: request.maxPrice } : {}),
        ...(request.inStock !== undefined ? { inStock: request.inStock } : {}),
        sort: request.sort,
        limit: request.limit,
        ...(after ? { after } : {}),
      })
      .catch((error: unknown) => {
        throw new ServiceUnavailableError('Search is unavailable; retry shortly', 5, { cause: error });
      });
    return {
      items: result.hits,
      total: result.total,
      facets: { category: result.categories, price: result.prices },
      nextCursor: result.nextAfter
        ? encodeCursor({ sort: request.sort, after: JSON.stringify(result.nextAfter) })
        : null,
    };
  }
}
