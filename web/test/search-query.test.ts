import test from 'ava';
import {
  facetText,
  hasFilters,
  isPriceRangeSelected,
  priceOf,
  priceRangeFilter,
  priceRangeLabel,
  resultsSummary,
  type SearchState,
  searchQueryOf,
  searchRequestOf,
  searchStateOf,
  searchUrl,
} from '../src/search-query.js';

const stateOf = (query: string) => searchStateOf(new URLSearchParams(query));

test('when the address holds a whole search, then every part of it is read', (t) => {
  t.deepEqual(stateOf('q=trail+shoe&category=running-shoes&minPrice=10&maxPrice=99.99&inStock=true&sort=price-asc'), {
    q: 'trail shoe',
    category: 'running-shoes',
    minPrice: 10,
    maxPrice: 99.99,
    inStock: true,
    sort: 'price-asc',
  });
});

test('when the address holds only words, or nothing, then the filters are off and the sort is relevance', (t) => {
  const plain = { category: undefined, minPrice: undefined, maxPrice: undefined, inStock: false, sort: 'relevance' };
  t.deepEqual(stateOf('q=lantern'), { q: 'lantern', ...plain });
  t.deepEqual(stateOf(''), { q: '', ...plain });
  t.deepEqual(stateOf('q=++&category='), { q: '', ...plain }, 'blank values are no filter');
});

test('when the address holds values the page cannot use, then they are left at their defaults', (t) => {
  const state = stateOf('minPrice=cheap&maxPrice=-3&inStock=yes&sort=popular');
  t.is(state.minPrice, undefined);
  t.is(state.maxPrice, undefined);
  t.false(state.inStock);
  t.is(state.sort, 'relevance');
});

test('when the address names a price above the other, then both are kept, so the API can say what is wrong', (t) => {
  t.like(stateOf('minPrice=100&maxPrice=10'), { minPrice: 100, maxPrice: 10 });
});

test('when a price is read, then 0 is a price and blank or negative text is none', (t) => {
  t.is(priceOf('0'), 0);
  t.is(priceOf(' 12.5 '), 12.5);
  t.is(priceOf(''), undefined);
  t.is(priceOf(null), undefined);
  t.is(priceOf('-1'), undefined);
  t.is(priceOf('Infinity'), undefined);
});

test('when a search becomes an address, then it keeps q and only what is set, and reads back the same', (t) => {
  const state: SearchState = { q: 'tea & cups', category: 'kitchen', minPrice: 0, inStock: true, sort: 'newest' };
  const query = searchQueryOf(state);
  t.is(query.toString(), 'q=tea+%26+cups&category=kitchen&minPrice=0&inStock=true&sort=newest');
  t.deepEqual(searchStateOf(query), { ...state, maxPrice: undefined });
  t.is(searchUrl({ q: '', inStock: false, sort: 'relevance' }), '/search?q=');
});

test('when a search becomes an API request, then what is not set is left out rather than sent empty', (t) => {
  t.deepEqual(searchRequestOf({ q: '', inStock: false, sort: 'relevance' }, { limit: 12 }), { limit: 12 });
  t.deepEqual(
    searchRequestOf(
      { q: 'lamp', category: 'camping', minPrice: 0, maxPrice: 50, inStock: true, sort: 'price-desc' },
      { limit: 12, cursor: 'abc' },
    ),
    {
      limit: 12,
      q: 'lamp',
      category: 'camping',
      minPrice: 0,
      maxPrice: 50,
      inStock: true,
      sort: 'price-desc',
      cursor: 'abc',
    },
  );
});

test('when filters are asked about, then the words and the sort are not filters', (t) => {
  t.false(hasFilters({ q: 'lamp', inStock: false, sort: 'price-asc' }));
  t.true(hasFilters({ q: '', inStock: true, sort: 'relevance' }));
  t.true(hasFilters({ q: '', minPrice: 0, inStock: false, sort: 'relevance' }));
  t.true(hasFilters({ q: '', category: 'garden', inStock: false, sort: 'relevance' }));
});

test('when a price range is chosen, then its upper bound, which it excludes, becomes a maximum one cent below', (t) => {
  t.deepEqual(priceRangeFilter({ from: 0, to: 50 }), { minPrice: 0, maxPrice: 49.99 });
  t.deepEqual(priceRangeFilter({ from: 50, to: 100 }), { minPrice: 50, maxPrice: 99.99 });
  t.deepEqual(priceRangeFilter({ from: 0.1, to: 0.3 }), { minPrice: 0.1, maxPrice: 0.29 });
  t.deepEqual(priceRangeFilter({ from: 500 }), { minPrice: 500, maxPrice: undefined });
});

test('when the filter is exactly a range, then that range is the one selected', (t) => {
  const state: SearchState = { q: '', minPrice: 50, maxPrice: 99.99, inStock: false, sort: 'relevance' };
  t.true(isPriceRangeSelected(state, { from: 50, to: 100 }));
  t.false(isPriceRangeSelected(state, { from: 0, to: 50 }));
  t.false(isPriceRangeSelected({ ...state, maxPrice: undefined }, { from: 50, to: 100 }));
  t.true(isPriceRangeSelected({ ...state, maxPrice: undefined }, { from: 50 }));
});

test('when a price range is labelled, then the first reads "under" and the last "and up"', (t) => {
  t.is(priceRangeLabel({ from: 0, to: 50 }), 'Under 50');
  t.is(priceRangeLabel({ from: 50, to: 100 }), '50 to 100');
  t.is(priceRangeLabel({ from: 2.5, to: 7.5 }), '2.5 to 7.5');
  t.is(priceRangeLabel({ from: 500 }), '500 and up');
});

test('when a facet is labelled, then its count is part of the text a screen reader reads', (t) => {
  t.is(facetText('Running shoes', 3), 'Running shoes (3)');
});

test('when results are summarised, then the total is told, and how many show while there are more', (t) => {
  t.is(resultsSummary(0, 0), 'No products match.');
  t.is(resultsSummary(1, 1), '1 product found');
  t.is(resultsSummary(12, 12), '12 products found');
  t.is(resultsSummary(30, 12), '30 products found, showing 12');
});
