import './styles.css';
import type { Product } from '@shop/api-client';
import { answerOf, publicApi, staffApi } from './api-client.js';
import { byId, h } from './dom.js';
import { errorNotice } from './form-errors.js';
import { categoryLabel, formatMoney } from './formatting.js';
import { deleteProduct, productForm } from './product-admin.js';
import { sessionBar } from './session-bar.js';
import { signInForm } from './sign-in-form.js';
import { currentSession, type StaffSession, staffGroups } from './staff-session.js';
import { stockDesk } from './stock-desk.js';

const main = byId('main');
const lowStockRefreshMs = 5000;

function staffConsole(session: StaffSession): void {
  const isAdmin = session.groups.includes(staffGroups.catalogAdmin);
  const isStaff = session.groups.includes(staffGroups.inventoryStaff);
  const token = session.accessToken;
  const api = staffApi(token);
  const workspace = h('div', { id: 'workspace', class: 'workspace', tabindex: '-1' });
  const productsBody = h('div', {}, h('p', { class: 'status' }, 'Loading products…'));
  const lowStockBody = h('div', {});
  const cursors: Array<string | undefined> = [undefined];

  const open = (content: HTMLElement) => {
    workspace.replaceChildren(content);
    workspace.scrollIntoView({ block: 'start' });
    content.querySelector<HTMLElement>('input, select, textarea, button')?.focus();
  };

  const openStock = (product: Product) => open(stockDesk(token, product, () => void loadLowStock()));

  const openEditor = async (product?: Product) => {
    if (!product) {
      open(productForm(token, saved));
      return;
    }
    const { data, etag } = await answerOf(
      publicApi.GET('/api/products/{id}', { params: { path: { id: product.id } } }),
    );
    open(productForm(token, saved, { product: data, etag }));
  };

  const saved = (product: Product) => {
    workspace.replaceChildren(h('p', { class: 'notice success', role: 'status' }, `Saved "${product.name}".`));
    void loadProducts(cursors.length - 1);
  };

  const productRow = (product: Product) =>
    h(
      'tr',
      { 'data-product-id': product.id },
      h('th', { scope: 'row' }, product.name),
      h('td', {}, categoryLabel(product.category)),
      h('td', { class: 'number' }, formatMoney(product.price, product.currency)),
      h(
        'td',
        { class: 'actions' },
        isStaff ? h('button', { type: 'button', onclick: () => openStock(product) }, 'Stock') : null,
        isAdmin ? h('button', { type: 'button', onclick: () => void openEditor(product) }, 'Edit') : null,
        isAdmin
          ? h(
              'button',
              {
                type: 'button',
                class: 'danger',
                onclick: async () => {
                  try {
                    if (await deleteProduct(token, product)) {
                      workspace.replaceChildren(
                        h('p', { class: 'notice success', role: 'status' }, `Deleted "${product.name}".`),
                      );
                      await loadProducts(cursors.length - 1);
                    }
                  } catch (error) {
                    workspace.replaceChildren(errorNotice(error));
                  }
                },
              },
              'Delete',
            )
          : null,
      ),
    );

  async function loadProducts(pageIndex: number): Promise<void> {
    const cursor = cursors[pageIndex];
    try {
      const { data: page } = await answerOf(
        publicApi.GET('/api/products', { params: { query: { limit: 20, cursor } } }),
      );
      cursors.length = pageIndex + 1;
      if (page.nextCursor) cursors.push(page.nextCursor);
      productsBody.replaceChildren(
        page.items.length === 0
          ? h('p', { class: 'empty-state' }, 'No products yet.')
          : h(
              'table',
              { class: 'products' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ...['Name', 'Category', 'Price', 'Actions'].map((title) => h('th', { scope: 'col' }, title)),
                ),
              ),
              h('tbody', {}, ...page.items.map(productRow)),
            ),
        h(
          'nav',
          { class: 'pager', 'aria-label': 'Product pages' },
          pageIndex > 0
            ? h('button', { type: 'button', onclick: () => void loadProducts(pageIndex - 1) }, '← Previous')
            : null,
          page.nextCursor
            ? h('button', { type: 'button', onclick: () => void loadProducts(pageIndex + 1) }, 'Next →')
            : null,
        ),
      );
    } catch (error) {
      productsBody.replaceChildren(errorNotice(error));
    }
  }

  async function loadLowStock(): Promise<void> {
    if (!isStaff) return;
    try {
      const { data: page } = await answerOf(
        api.GET('/api/inventory', { params: { query: { lowStock: true, limit: 50 } } }),
      );
      if (page.items.length === 0) {
        lowStockBody.replaceChildren(h('p', { class: 'empty-state' }, 'Nothing is low on stock.'));
        return;
      }
      // The list holds stock levels; the names come from the catalog, one read per product.
      const products = await Promise.all(
        page.items.map((stock) =>
          answerOf(publicApi.GET('/api/products/{id}', { params: { path: { id: stock.productId } } })).then(
            (answer) => answer.data,
            () => undefined,
          ),
        ),
      );
      lowStockBody.replaceChildren(
        h(
          'ul',
          { class: 'low-stock', id: 'low-stock-list' },
          ...page.items.map((stock, index) => {
            const product = products[index];
            return h(
              'li',
              {},
              h('span', { class: 'product-name' }, product?.name ?? stock.productId),
              ` ${stock.available} available (threshold ${stock.lowStockThreshold}) `,
              product ? h('button', { type: 'button', onclick: () => openStock(product) }, 'Stock') : null,
            );
          }),
        ),
      );
    } catch (error) {
      lowStockBody.replaceChildren(errorNotice(error));
    }
  }

  main.replaceChildren(
    sessionBar(session, 'console'),
    h('h1', {}, 'Staff console'),
    !isAdmin && !isStaff
      ? h('p', { class: 'notice' }, 'This account has no staff role: ask an administrator for access.')
      : h(
          'div',
          { class: 'console' },
          h(
            'section',
            { 'aria-labelledby': 'products-title' },
            h('h2', { id: 'products-title' }, 'Products'),
            isAdmin ? h('button', { type: 'button', onclick: () => void openEditor() }, 'New product') : null,
            productsBody,
          ),
          workspace,
          isStaff
            ? h(
                'section',
                { 'aria-labelledby': 'low-stock-title' },
                h('h2', { id: 'low-stock-title' }, 'Low stock'),
                h('p', { class: 'hint' }, 'Products at or below their threshold; updates every few seconds.'),
                h('button', { type: 'button', onclick: () => void loadLowStock() }, 'Refresh'),
                lowStockBody,
              )
            : null,
        ),
  );
  void loadProducts(0);
  // The list follows stock changes a moment after they are made, so it is read again while open.
  const refreshLowStock = async () => {
    if (!document.hidden) await loadLowStock();
    setTimeout(refreshLowStock, lowStockRefreshMs);
  };
  void refreshLowStock();
}

function start(): void {
  const session = currentSession();
  if (session) {
    staffConsole(session);
    return;
  }
  document.title = 'Staff sign-in · Shop';
  main.replaceChildren(
    signInForm(() => {
      document.title = 'Staff console · Shop';
      start();
    }),
  );
  byId('username').focus();
}

start();
