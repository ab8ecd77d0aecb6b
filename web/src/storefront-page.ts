import './styles.css';
import type { Product } from '@shop/api-client';
import { ApiProblem, answerOf, publicApi } from './api-client.js';
import { byId, h } from './dom.js';
import { categoryLabel, formatMoney } from './formatting.js';
import { availabilityBadge, productCard } from './product-card.js';
import { productImage } from './product-images.js';
import { reportProductView } from './product-views.js';
import { searchPath } from './search-query.js';
import { showSearch } from './search-results.js';

const pageSize = 12;
const main = byId('main');
const knownCategoriesKey = 'shop.categories';

function show(...content: Node[]): void {
  main.replaceChildren(...content);
}

function failure(error: unknown, retry: () => void): HTMLElement {
  const message = error instanceof ApiProblem ? error.message : 'Something went wrong.';
  return h(
    'div',
    { class: 'notice error', role: 'alert' },
    h('p', {}, message),
    h('button', { type: 'button', onclick: retry }, 'Try again'),
  );
}

/** Categories seen in this browser session, so the filter offers more than the current page. */
function rememberCategories(products: Product[], current?: string): string[] {
  const known = new Set<string>(JSON.parse(sessionStorage.getItem(knownCategoriesKey) ?? '[]') as string[]);
  for (const product of products) known.add(product.category);
  if (current) known.add(current);
  const sorted = [...known].sort();
  sessionStorage.setItem(knownCategoriesKey, JSON.stringify(sorted));
  return sorted;
}

function listingUrl(params: { category?: string | undefined; cursor?: string | undefined }): string {
  const query = new URLSearchParams();
  if (params.category) query.set('category', params.category);
  if (params.cursor) query.set('cursor', params.cursor);
  const text = query.toString();
  return text ? `/?${text}` : '/';
}

function categoryFilter(categories: string[], current: string | undefined): HTMLElement {
  const select = h(
    'select',
    { id: 'category-filter', name: 'category' },
    h('option', { value: '' }, 'All categories'),
    ...categories.map((category) =>
      h('option', { value: category, selected: category === current }, categoryLabel(category)),
    ),
  );
  return h(
    'form',
    {
      class: 'filter',
      role: 'search',
      onsubmit: (event) => {
        event.preventDefault();
        location.assign(listingUrl({ category: select.value || undefined }));
      },
    },
    h('label', { for: 'category-filter' }, 'Category'),
    select,
    h('button', { type: 'submit' }, 'Show'),
  );
}

async function showCatalog(params: URLSearchParams): Promise<void> {
  const category = params.get('category') || undefined;
  const cursor = params.get('cursor') || undefined;
  try {
    const { data: page } = await answerOf(
      publicApi.GET('/api/products', { params: { query: { limit: pageSize, category, cursor } } }),
    );
    const heading = h('h1', {}, category ? `Products: ${categoryLabel(category)}` : 'Products');
    const grid =
      page.items.length > 0
        ? h('ul', { class: 'product-grid', id: 'product-grid' }, ...page.items.map((product) => productCard(product)))
        : h('p', { class: 'empty-state' }, category ? 'No products in this category yet.' : 'No products yet.');
    const cameFromListing = document.referrer.startsWith(location.origin) && cursor !== undefined;
    const pager = h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages' },
      cursor && cameFromListing
        ? h('button', { type: 'button', class: 'link-button', onclick: () => history.back() }, '← Previous page')
        : null,
      cursor ? h('a', { href: listingUrl({ category }) }, 'First page') : null,
      page.nextCursor
        ? h('a', { href: listingUrl({ category, cursor: page.nextCursor }), rel: 'next' }, 'Next page →')
        : null,
    );
    show(heading, categoryFilter(rememberCategories(page.items, category), category), grid, pager);
  } catch (error) {
    show(failure(error, () => void showCatalog(params)));
  }
}

/** The product page's images: the first one large, any others smaller beneath it; none without images. */
function gallery(product: Product): HTMLElement | null {
  if (product.images.length === 0) return null;
  return h(
    'ul',
    { class: 'product-gallery', 'aria-label': `Images of ${product.name}` },
    ...product.images.map((image, index) =>
      h('li', {}, productImage(image, index === 0 ? 'detail' : 'detailMore', 'gallery-image')),
    ),
  );
}

async function showProduct(id: string): Promise<void> {
  let product: Product;
  try {
    product = (await answerOf(publicApi.GET('/api/products/{id}', { params: { path: { id } } }))).data;
  } catch (error) {
    if (error instanceof ApiProblem && error.status === 404) {
      document.title = 'Product not found · Shop';
      show(h('h1', {}, 'Product not found'), h('p', {}, h('a', { href: '/' }, 'Back to all products')));
      return;
    }
    show(failure(error, () => void showProduct(id)));
    return;
  }
  document.title = `${product.name} · Shop`;
  const availability = h(
    'p',
    { class: 'availability-line', 'aria-live': 'polite', id: 'availability' },
    'Checking stock…',
  );
  show(
    h(
      'nav',
      { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' },
      h('a', { href: '/' }, 'All products'),
      ' / ',
      h('a', { href: listingUrl({ category: product.category }) }, categoryLabel(product.category)),
    ),
    h(
      'article',
      { class: product.images.length > 0 ? 'product-detail has-images' : 'product-detail' },
      gallery(product),
      h(
        'div',
        { class: 'product-facts' },
        h('h1', { class: 'product-name' }, product.name),
        h('p', { class: 'price' }, formatMoney(product.price, product.currency)),
        availability,
        h('p', { class: 'description' }, product.description),
        product.sku ? h('p', { class: 'sku' }, `SKU ${product.sku}`) : null,
      ),
    ),
  );
  reportProductView(product.id);

  // Availability is live: it is read again while the page stays open and visible.
  const refresh = async () => {
    if (!document.hidden) {
      try {
        const { data: stock } = await answerOf(
          publicApi.GET('/api/inventory/{productId}', { params: { path: { productId: product.id } } }),
        );
        availability.replaceChildren(availabilityBadge(stock));
      } catch {
        if (!availability.querySelector('.availability'))
          availability.replaceChildren('Availability unknown right now');
      }
    }
    setTimeout(refresh, 10_000);
  };
  await refresh();
}

const productPath = /^\/products\/([^/]+)\/?$/.exec(location.pathname);
if (productPath?.[1]) {
  void showProduct(decodeURIComponent(productPath[1]));
} else if (location.pathname.replace(/\/$/, '') === searchPath) {
  showSearch(main);
} else {
  void showCatalog(new URLSearchParams(location.search));
}
