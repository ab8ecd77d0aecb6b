import type { operations } from '@shop/api-client';

/** The query parameters of `GET /api/products/search`, as the generated client types them. */
export type SearchRequest = NonNullable<operations['searchProducts']['parameters']['query']>;
export type SearchSort = NonNullable<SearchRequest['sort']>;

/** The orders a shopper can choose, in the order the page offers them. */
export const searchSorts: ReadonlyArray<{ value: SearchSort; label: string }> = [
  { value: 'relevance', label: 'Best match' },
  { value: 'price-asc', label: 'Price: low to high' },
  { value: 'price-desc', label: 'Price: high to low' },
  { value: 'newest', label: 'Newest first' },
];

/** The longest query text the API takes. */
export const maxQueryLength = 200;

/** The path of the storefront's search results. */
export const searchPath = '/search';

/**
 * What a search asks for, as its page's query string holds it: the words (empty matches every
 * product) and the filters. Paging is not part of it; a shared address starts at the first page.
 */
export interface SearchState {
  q: string;
  category?: string | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  inStock: boolean;
  sort: SearchSort;
}

const sortValues = new Set<string>(searchSorts.map((sort) => sort.value));

function isSort(value: string | null): value is SearchSort {
  return value !== null && sortValues.has(value);
}

/** A price from the address: a number of 0 or more, or nothing when it is blank or not a number. */
export function priceOf(text: string | null | undefined): number | undefined {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '') return undefined;
  const price = Number(trimmed);
  return Number.isFinite(price) && price >= 0 ? price : undefined;
}

/** The search a page's query string describes; anything it cannot read is left at its default. */
export function searchStateOf(query: URLSearchParams): SearchState {
  const sort = query.get('sort');
  return {
    q: (query.get('q') ?? '').trim(),
    category: query.get('category')?.trim() || undefined,
    minPrice: priceOf(query.get('minPrice')),
    maxPrice: priceOf(query.get('maxPrice')),
    inStock: query.get('inStock') === 'true',
    sort: isSort(sort) ? sort : 'relevance',
  };
}

/** The query string of a search: `q` always (so the address reads as a search), the rest when set. */
export function searchQueryOf(state: SearchState): URLSearchParams {
  const query = new URLSearchParams({ q: state.q });
  if (state.category) query.set('category', state.category);
  if (state.minPrice !== undefined) query.set('minPrice', String(state.minPrice));
  if (state.maxPrice !== undefined) query.set('maxPrice', String(state.maxPrice));
  if (state.inStock) query.set('inStock', 'true');
  if (state.sort !== 'relevance') query.set('sort', state.sort);
  return query;
}

/** The shareable address of a search's results. */
export function searchUrl(state: SearchState): string {
  return `${searchPath}?${searchQueryOf(state).toString()}`;
}

/** The API request of one page of a search; what is not set is left out rather than sent empty. */
export function searchRequestOf(
  state: SearchState,
  page: { limit: number; cursor?: string | undefined },
): SearchRequest {
  const request: SearchRequest = { limit: page.limit };
  if (state.q) request.q = state.q;
  if (state.category) request.category = state.category;
  if (state.minPrice !== undefined) request.minPrice = state.minPrice;
  if (state.maxPrice !== undefined) request.maxPrice = state.maxPrice;
  if (state.inStock) request.inStock = true;
  if (state.sort !== 'relevance') request.sort = state.sort;
  if (page.cursor) request.cursor = page.cursor;
  return request;
}

/** Whether any filter narrows the search (the words aside). */
export function hasFilters(state: SearchState): boolean {
  return state.category !== undefined || state.minPrice !== undefined || state.maxPrice !== undefined || state.inStock;
}

/** A price facet's range: `from` is included, `to` excluded; the last range has no `to`. */
export interface PriceRange {
  from: number;
  to?: number | undefined;
}

/**
 * The filter that selects exactly one price range. `maxPrice` is inclusive and prices have at most
 * two decimals, so the range up to `to` ends one cent below it.
 */
export function priceRangeFilter(range: PriceRange): { minPrice: number; maxPrice: number | undefined } {
  return {
    minPrice: range.from,
    maxPrice: range.to === undefined ? undefined : Math.round((range.to - 0.01) * 100) / 100,
  };
}

/** Whether the search's price filter is exactly this range. */
export function isPriceRangeSelected(state: SearchState, range: PriceRange): boolean {
  const filter = priceRangeFilter(range);
  return state.minPrice === filter.minPrice && state.maxPrice === filter.maxPrice;
}

const amountFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

/**
 * A price range as a shopper reads it. Products are priced in their own currencies and a range
 * applies to each, so the bounds are amounts without a currency sign.
 */
export function priceRangeLabel(range: PriceRange): string {
  if (range.to === undefined) return `${amountFormat.format(range.from)} and up`;
  if (range.from === 0) return `Under ${amountFormat.format(range.to)}`;
  return `${amountFormat.format(range.from)} to ${amountFormat.format(range.to)}`;
}

/** A facet's visible text, which is also its accessible name: the value and how many match. */
export function facetText(label: string, count: number): string {
  return `${label} (${count})`;
}

/** What the results announce: how many match, and how many of them are shown so far. */
export function resultsSummary(total: number, shown: number): string {
  if (total === 0) return 'No products match.';
  const found = total === 1 ? '1 product found' : `${total} products found`;
  return shown < total ? `${found}, showing ${shown}` : found;
}
