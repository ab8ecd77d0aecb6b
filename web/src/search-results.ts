import type { components } from '@shop/api-client';
import { ApiProblem, answerOf, publicApi } from './api-client.js';
import { h } from './dom.js';
import { categoryLabel } from './formatting.js';
import { productCard } from './product-card.js';
import {
  facetText,
  hasFilters,
  isPriceRangeSelected,
  priceOf,
  priceRangeFilter,
  priceRangeLabel,
  resultsSummary,
  type SearchSort,
  type SearchState,
  searchQueryOf,
  searchRequestOf,
  searchSorts,
  searchStateOf,
  searchUrl,
} from './search-query.js';

type SearchResults = components['schemas']['SearchResults'];
type SearchItem = components['schemas']['SearchItem'];

const pageSize = 12;
/** The most results a history entry is shown with again (the API's page limit is 100). */
const maxRestoredItems = 96;
const unavailableText = 'Search is unavailable right now, try again shortly';

/** What a history entry remembers beyond its address: how many results "More results" had shown. */
interface EntryState {
  searchShown?: number;
}

function shownBefore(): number {
  const shown = (history.state as EntryState | null)?.searchShown;
  return typeof shown === 'number' ? Math.min(Math.max(shown, pageSize), maxRestoredItems) : pageSize;
}

function fieldError(id: string): HTMLElement {
  return h('p', { class: 'field-error', id, hidden: true });
}

function errorText(error: unknown): string {
  if (error instanceof ApiProblem && error.status === 503) return unavailableText;
  return error instanceof Error ? error.message : 'Something went wrong.';
}

/** The filters beside the results: sort, in stock only, the category and price facets, a price range. */
function searchFilters() {
  const sortSelect = h(
    'select',
    { id: 'search-sort', name: 'sort' },
    ...searchSorts.map((sort) => h('option', { value: sort.value }, sort.label)),
  );
  const inStockBox = h('input', { type: 'checkbox', id: 'search-in-stock', name: 'inStock' });
  const priceInput = (id: string, name: string) =>
    h('input', { type: 'number', id, name, min: 0, step: '0.01', inputmode: 'decimal', class: 'price-input' });
  const controls = {
    sortSelect,
    inStockBox,
    sortError: fieldError('sort-error'),
    categoryList: h('ul', { class: 'facet-list', id: 'category-facets' }),
    categoryError: fieldError('category-error'),
    priceList: h('ul', { class: 'facet-list', id: 'price-facets' }),
    minInput: priceInput('search-min-price', 'minPrice'),
    maxInput: priceInput('search-max-price', 'maxPrice'),
    priceError: fieldError('price-error'),
  };
  const form = h(
    'form',
    { class: 'search-filters', 'aria-labelledby': 'filters-heading', novalidate: true },
    h('h2', { id: 'filters-heading' }, 'Filters'),
    h(
      'div',
      { class: 'field', 'data-field': 'sort' },
      h('label', { for: sortSelect.id }, 'Sort by'),
      sortSelect,
      controls.sortError,
    ),
    h('div', { class: 'checkbox-field' }, inStockBox, h('label', { for: inStockBox.id }, 'In stock only')),
    h('fieldset', { class: 'facet-group' }, h('legend', {}, 'Category'), controls.categoryList, controls.categoryError),
    h(
      'fieldset',
      { class: 'facet-group' },
      h('legend', {}, 'Price'),
      controls.priceList,
      h(
        'div',
        { class: 'price-range' },
        h('div', { class: 'field' }, h('label', { for: controls.minInput.id }, 'Min price'), controls.minInput),
        h('div', { class: 'field' }, h('label', { for: controls.maxInput.id }, 'Max price'), controls.maxInput),
        h('button', { type: 'submit' }, 'Apply price'),
      ),
      controls.priceError,
    ),
  );
  return { form, ...controls };
}

function facetButton(key: string, text: string, pressed: boolean, choose: () => void): HTMLElement {
  return h(
    'li',
    {},
    h(
      'button',
      {
        type: 'button',
        class: 'facet',
        'data-facet': key,
        'aria-pressed': pressed ? 'true' : 'false',
        onclick: choose,
      },
      text,
    ),
  );
}

/** Focus stays on the facet used, now drawn again; or on its group's first one when it is gone. */
function keepFocus(key: string): void {
  const group = key.slice(0, key.indexOf(':') + 1);
  const target =
    document.querySelector<HTMLElement>(`[data-facet="${CSS.escape(key)}"]`) ??
    document.querySelector<HTMLElement>(`[data-facet^="${CSS.escape(group)}"]`);
  target?.focus();
}

/**
 * The search results on the storefront (`/search?q=…`): the results with their total, the facets
 * and filters that narrow them, and "More results" for the next page. Every choice is a new
 * address, so a search can be shared, reloaded, and walked with back and forward.
 */
class SearchView {
  private readonly siteQuery = document.querySelector<HTMLInputElement>('.site-search input[name="q"]');
  private readonly heading = h('h1', { id: 'search-heading' }, 'Search');
  private readonly status = h('p', { class: 'status', role: 'status', id: 'search-status' });
  private readonly notice = h('div', { id: 'search-notice' });
  private readonly filters = searchFilters();
  private readonly grid = h('ul', { class: 'product-grid', id: 'search-results' });
  private readonly empty = h('div', { class: 'empty-state', hidden: true });
  private readonly more = h('button', { type: 'button', id: 'more-results', hidden: true }, 'More results');
  private readonly moreError = fieldError('more-error');
  private readonly results = h(
    'section',
    { class: 'search-results', 'aria-labelledby': 'search-heading' },
    this.notice,
    this.grid,
    this.empty,
    h('div', { class: 'pager' }, this.more, this.moreError),
  );
  private current = searchStateOf(new URLSearchParams(location.search));
  // Counts the searches started; an answer to any but the last is dropped.
  private sequence = 0;
  private shown = 0;
  private nextCursor: string | null = null;

  constructor(main: HTMLElement) {
    main.replaceChildren(
      this.heading,
      this.status,
      h('div', { class: 'search-layout' }, this.filters.form, this.results),
    );
    const { form, sortSelect, inStockBox, minInput, maxInput } = this.filters;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.navigate({ ...this.current, minPrice: priceOf(minInput.value), maxPrice: priceOf(maxInput.value) });
    });
    sortSelect.addEventListener('change', () =>
      this.navigate({ ...this.current, sort: sortSelect.value as SearchSort }),
    );
    inStockBox.addEventListener('change', () => this.navigate({ ...this.current, inStock: inStockBox.checked }));
    this.more.addEventListener('click', () => void this.loadMore());
    this.siteQuery?.form?.addEventListener('submit', (event) => {
      event.preventDefault();
      // New words start a new search, as the box does on every other page.
      this.navigate({ q: this.siteQuery?.value.trim() ?? '', inStock: false, sort: 'relevance' });
    });
    window.addEventListener('popstate', () => {
      const state = searchStateOf(new URLSearchParams(location.search));
      // A history step within the page (the skip link's #main) is not a new search.
      if (searchQueryOf(state).toString() === searchQueryOf(this.current).toString()) return;
      void this.run(state, shownBefore());
    });
    // The address as it was opened, in its plain form, keeping what the entry had shown.
    history.replaceState(history.state, '', searchUrl(this.current));
    void this.run(this.current, shownBefore());
  }

  /** Goes to a search's address and shows it; `focusKey` names the facet to keep focus on. */
  private navigate(next: SearchState, focusKey?: string): void {
    const url = searchUrl(next);
    if (url === `${location.pathname}${location.search}`) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    void this.run(next, pageSize, focusKey);
  }

  private syncControls(state: SearchState): void {
    const { sortSelect, inStockBox, minInput, maxInput } = this.filters;
    sortSelect.value = state.sort;
    inStockBox.checked = state.inStock;
    minInput.value = state.minPrice === undefined ? '' : String(state.minPrice);
    maxInput.value = state.maxPrice === undefined ? '' : String(state.maxPrice);
    if (this.siteQuery && document.activeElement !== this.siteQuery) this.siteQuery.value = state.q;
    document.title = state.q ? `Search: ${state.q} · Shop` : 'Search · Shop';
    this.heading.textContent = state.q ? `Results for “${state.q}”` : 'All products';
  }

  private clearErrors(): void {
    const { categoryError, priceError, sortError, minInput, maxInput, sortSelect } = this.filters;
    this.notice.replaceChildren();
    for (const slot of [categoryError, priceError, sortError, this.moreError]) {
      slot.hidden = true;
      slot.replaceChildren();
    }
    for (const input of [minInput, maxInput, sortSelect]) {
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    }
  }

  private async run(state: SearchState, limit: number, focusKey?: string): Promise<void> {
    this.sequence += 1;
    const ticket = this.sequence;
    this.current = state;
    this.syncControls(state);
    this.clearErrors();
    this.status.textContent = 'Searching…';
    this.results.setAttribute('aria-busy', 'true');
    this.more.hidden = true;
    try {
      const { data } = await answerOf(
        publicApi.GET('/api/products/search', { params: { query: searchRequestOf(state, { limit }) } }),
      );
      if (ticket !== this.sequence) return;
      this.showResults(data);
      if (focusKey) keepFocus(focusKey);
    } catch (error) {
      if (ticket !== this.sequence) return;
      this.showProblem(error);
    } finally {
      if (ticket === this.sequence) this.results.removeAttribute('aria-busy');
    }
  }

  private showResults(data: SearchResults): void {
    this.grid.replaceChildren(...data.items.map(card));
    this.shown = data.items.length;
    this.nextCursor = data.nextCursor;
    this.more.hidden = this.nextCursor === null;
    this.grid.hidden = data.total === 0;
    this.showEmpty(data.total === 0);
    this.status.textContent = resultsSummary(data.total, this.shown);
    this.drawCategories(data.facets.category);
    this.drawPrices(data.facets.price);
  }

  private showEmpty(isEmpty: boolean): void {
    this.empty.hidden = !isEmpty;
    if (!isEmpty) {
      this.empty.replaceChildren();
      return;
    }
    const { q, sort } = this.current;
    this.empty.replaceChildren(
      h('p', {}, q ? `No products match “${q}”.` : 'No products match.'),
      hasFilters(this.current)
        ? h(
            'button',
            { type: 'button', class: 'link-button', onclick: () => this.navigate({ q, sort, inStock: false }) },
            'Clear filters',
          )
        : h('p', {}, 'Try other words, or fewer of them.'),
    );
  }

  private choose(next: SearchState, key: string): () => void {
    return () => this.navigate(next, key);
  }

  /** The category facets; without counts (the search failed), only the way back to any category. */
  private drawCategories(facets: SearchResults['facets']['category'] | undefined): void {
    const current = this.current;
    const categories = [...(facets ?? [])];
    // A chosen category that nothing matches any more still shows, so it can be seen and undone.
    if (facets && current.category && !categories.some((facet) => facet.value === current.category)) {
      categories.unshift({ value: current.category, count: 0 });
    }
    const anyKey = 'category:';
    this.filters.categoryList.replaceChildren(
      ...(current.category
        ? [facetButton(anyKey, 'Any category', false, this.choose({ ...current, category: undefined }, anyKey))]
        : []),
      ...categories.map(({ value, count }) => {
        const chosen = value === current.category;
        const key = `category:${value}`;
        const next = { ...current, category: chosen ? undefined : value };
        return facetButton(key, facetText(categoryLabel(value), count), chosen, this.choose(next, key));
      }),
    );
    if (facets && categories.length === 0) this.filters.categoryList.append(h('li', { class: 'empty-state' }, 'None'));
  }

  private drawPrices(facets: SearchResults['facets']['price']): void {
    const current = this.current;
    const anyKey = 'price:';
    const anyPrice = { ...current, minPrice: undefined, maxPrice: undefined };
    const filtered = current.minPrice !== undefined || current.maxPrice !== undefined;
    this.filters.priceList.replaceChildren(
      ...(filtered ? [facetButton(anyKey, 'Any price', false, this.choose(anyPrice, anyKey))] : []),
      ...facets.map((range) => {
        const chosen = isPriceRangeSelected(current, range);
        const key = `price:${range.from}`;
        const next = chosen ? anyPrice : { ...current, ...priceRangeFilter(range) };
        return facetButton(key, facetText(priceRangeLabel(range), range.count), chosen, this.choose(next, key));
      }),
    );
  }

  private placeError(slot: HTMLElement, message: string, inputs: HTMLElement[]): void {
    slot.append(h('span', {}, message), ' ');
    slot.hidden = false;
    for (const input of inputs) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', slot.id);
    }
  }

  /** A 422's faults go next to the filters they name; what names none goes above the results. */
  private showInvalid(problem: ApiProblem): void {
    const { priceError, categoryError, sortError, minInput, maxInput, sortSelect } = this.filters;
    const unplaced: string[] = [];
    for (const { field, message } of problem.fieldErrors) {
      if (field === 'minPrice') this.placeError(priceError, message, [minInput]);
      else if (field === 'maxPrice') this.placeError(priceError, message, [maxInput]);
      else if (field === 'category') this.placeError(categoryError, message, []);
      else if (field === 'sort') this.placeError(sortError, message, [sortSelect]);
      else unplaced.push(message);
    }
    if (unplaced.length > 0 || problem.fieldErrors.length === 0) {
      const texts = unplaced.length > 0 ? unplaced : [problem.message];
      this.notice.replaceChildren(h('div', { class: 'notice error' }, ...texts.map((text) => h('p', {}, text))));
    }
    const messages = problem.fieldErrors.map((fault) => fault.message);
    this.status.textContent = `No results: ${messages.length > 0 ? messages.join('; ') : problem.message}`;
  }

  private showProblem(error: unknown): void {
    this.grid.replaceChildren();
    this.grid.hidden = true;
    this.showEmpty(false);
    this.shown = 0;
    this.nextCursor = null;
    this.drawCategories(undefined);
    this.drawPrices([]);
    if (error instanceof ApiProblem && error.status === 422) {
      this.showInvalid(error);
      return;
    }
    const message = errorText(error);
    const retry = h('button', { type: 'button', onclick: () => void this.run(this.current, pageSize) }, 'Try again');
    this.notice.replaceChildren(h('div', { class: 'notice error' }, h('p', {}, message), retry));
    this.status.textContent = message;
  }

  private async loadMore(): Promise<void> {
    if (!this.nextCursor) return;
    const ticket = this.sequence;
    this.more.disabled = true;
    this.moreError.hidden = true;
    try {
      const { data } = await answerOf(
        publicApi.GET('/api/products/search', {
          params: { query: searchRequestOf(this.current, { limit: pageSize, cursor: this.nextCursor }) },
        }),
      );
      if (ticket !== this.sequence) return;
      const cards = data.items.map(card);
      this.grid.append(...cards);
      this.shown += data.items.length;
      this.nextCursor = data.nextCursor;
      this.more.hidden = this.nextCursor === null;
      this.status.textContent = resultsSummary(data.total, this.shown);
      history.replaceState({ searchShown: this.shown } satisfies EntryState, '', location.href);
      // Keyboard users carry on from the first new result rather than from the end of the list.
      cards[0]?.querySelector('a')?.focus();
    } catch (error) {
      if (ticket !== this.sequence) return;
      this.moreError.replaceChildren(errorText(error));
      this.moreError.hidden = false;
    } finally {
      this.more.disabled = false;
    }
  }
}

function card(item: SearchItem): HTMLElement {
  return productCard(item, { available: item.available }, 'searchGrid');
}

export function showSearch(main: HTMLElement): void {
  new SearchView(main);
}
