import './styles.css';
import type { Product } from '@shop/api-client';
import { answerOf, publicApi, staffApi } from './api-client.js';
import { byId, h } from './dom.js';
import { errorNotice } from './form-errors.js';
import { categoryLabel, formatMoney } from './formatting.js';
import { imageAdmin } from './image-admin.js';
import { deleteProduct, type EditedProduct, productForm } from './product-admin.js';
import { sessionBar } from './session-bar.js';
import { signInForm } from './sign-in-form.js';
import { currentSession, type StaffSession, staffGroups } from './staff-session.js';
import { stockDesk } from './stock-desk.js';

const main = byId('main');
const lowStockRefreshMs = 5000;

/** A page of products as a table, with a row each made by `row`. */
function productsTable(items: Product[], row: (product: Product) => HTMLElement): HTMLElement {
  if (items.length === 0) return h('p', { class: 'empty-state' }, 'No products yet.');
  return h(
    'table',
    { class: 'products' },
    h(
      'thead',
      {},
      h('tr', {}, ...['Name', 'Category', 'Price', 'Actions'].map((title) => h('th', { scope: 'col' }, title))),
    ),
    h('tbody', {}, ...items.map(row)),
  );
}

/** One product's row, with the actions the user's roles allow. */
function productTableRow(
  product: Product,
  roles: { isAdmin: boolean; isStaff: boolean },
  actions: {
    openStock: (product: Product) => void;
    edit: (product: Product) => void;
    remove: (product: Product) => void;
  },
): HTMLElement {
  const button = (label: string, onclick: () => void, className?: string) =>
    h('button', { type: 'button', onclick, ...(className ? { class: className } : {}) }, label);
  return h(
    'tr',
    { 'data-product-id': product.id },
    h('th', { scope: 'row' }, product.name),
    h('td', {}, categoryLabel(product.category)),
    h('td', { class: 'number' }, formatMoney(product.price, product.currency)),
    h(
      'td',
      { class: 'actions' },
      roles.isStaff ? button('Stock', () => actions.openStock(product)) : null,
      roles.isAdmin ? button('Edit', () => actions.edit(product)) : null,
      roles.isAdmin ? button('Delete', () => actions.remove(product), 'danger') : null,
    ),
  );
}

/** Previous and next buttons for the page at `pageIndex`. */
function pager(pageIndex: number, hasNext: boolean, load: (pageIndex: number) => void): HTMLElement {
  return h(
    'nav',
    { class: 'pager', 'aria-label': 'Product pages' },
    pageIndex > 0 ? h('button', { type: 'button', onclick: () => load(pageIndex - 1) }, '← Previous') : null,
    hasNext ? h('button', { type: 'button', onclick: () => load(pageIndex + 1) }, 'Next →') : null,
  );
}

/** The low-stock list: each level with its product's name (when the catalog still has it). */
function lowStockList(
  items: ReadonlyArray<{ productId: string; available: number; lowStockThreshold: number }>,
  products: ReadonlyArray<Product | undefined>,
  openStock: (product: Product) => void,
): HTMLElement {
  return h(
    'ul',
    { class: 'low-stock', id: 'low-stock-list' },
    ...items.map((stock, index) => {
      const product = products[index];
      return h(
        'li',
        {},
        h('span', { class: 'product-name' }, product?.name ?? stock.productId),
        ` ${stock.available} available (threshold ${stock.lowStockThreshold}) `,
        product ? h('button', { type: 'button', onclick: () => openStock(product) }, 'Stock') : null,
      );
    }),
  );
}

/** The products low on stock, read now, as the list shows them. */
async function lowStockView(api: ReturnType<typeof staffApi>, openStock: (product: Product) => void) {
  const { data: page } = await answerOf(
    api.GET('/api/inventory', { params: { query: { lowStock: true, limit: 50 } } }),
  );
  if (page.items.length === 0) return h('p', { class: 'empty-state' }, 'Nothing is low on stock.');
  // The list holds stock levels; the names come from the catalog, one read per product.
  const products = await Promise.all(
    page.items.map((stock) =>
      answerOf(publicApi.GET('/api/products/{id}', { params: { path: { id: stock.productId } } })).then(
        (answer) => answer.data,
        () => undefined,
      ),
    ),
  );
  return lowStockList(page.items, products, openStock);
}

/** The console's sections for what the user may do: products for all staff, low stock for inventory staff. */
function consoleLayout(
  roles: { isAdmin: boolean; isStaff: boolean },
  parts: { productsBody: HTMLElement; workspace: HTMLElement; lowStockBody: HTMLElement },
  actions: { newProduct: () => void; refreshLowStock: () => void },
): HTMLElement {
  if (!roles.isAdmin && !roles.isStaff) {
    return h('p', { class: 'notice' }, 'This account has no staff role: ask an administrator for access.');
  }
  return h(
    'div',
    { class: 'console' },
    h(
      'section',
      { 'aria-labelledby': 'products-title' },
      h('h2', { id: 'products-title' }, 'Products'),
      roles.isAdmin ? h('button', { type: 'button', onclick: actions.newProduct }, 'New product') : null,
      parts.productsBody,
    ),
    parts.workspace,
    roles.isStaff
      ? h(
          'section',
          { 'aria-labelledby': 'low-stock-title' },
          h('h2', { id: 'low-stock-title' }, 'Low stock'),
          h('p', { class: 'hint' }, 'Products at or below their threshold; updates every few seconds.'),
          h('button', { type: 'button', onclick: actions.refreshLowStock }, 'Refresh'),
          parts.lowStockBody,
        )
      : null,
  );
}

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
    const edited: EditedProduct = { product: data, etag };
    open(h('div', { class: 'product-editor' }, productForm(token, saved, edited), imageAdmin(token, edited)));
  };

  const saved = (product: Product) => {
    workspace.replaceChildren(h('p', { class: 'notice success', role: 'status' }, `Saved "${product.name}".`));
    void loadProducts(cursors.length - 1);
  };

  const remove = async (product: Product) => {
    try {
      if (await deleteProduct(token, product)) {
        workspace.replaceChildren(h('p', { class: 'notice success', role: 'status' }, `Deleted "${product.name}".`));
        await loadProducts(cursors.length - 1);
      }
    } catch (error) {
      workspace.replaceChildren(errorNotice(error));
    }
  };

  const productRow = (product: Product) =>
    productTableRow(product, { isAdmin, isStaff }, { openStock, edit: (p) => void openEditor(p), remove });

  async function loadProducts(pageIndex: number): Promise<void> {
    const cursor = cursors[pageIndex];
    try {
      const { data: page } = await answerOf(
        publicApi.GET('/api/products', { params: { query: { limit: 20, cursor } } }),
      );
      cursors.length = pageIndex + 1;
      if (page.nextCursor) cursors.push(page.nextCursor);
      productsBody.replaceChildren(
        productsTable(page.items, productRow),
        pager(pageIndex, Boolean(page.nextCursor), (index) => void loadProducts(index)),
      );
    } catch (error) {
      productsBody.replaceChildren(errorNotice(error));
    }
  }

  async function loadLowStock(): Promise<void> {
    if (!isStaff) return;
    lowStockBody.replaceChildren(await lowStockView(api, openStock).catch(errorNotice));
  }

  main.replaceChildren(
    sessionBar(session, 'console'),
    h('h1', {}, 'Staff console'),
    consoleLayout(
      { isAdmin, isStaff },
      { productsBody, workspace, lowStockBody },
      { newProduct: () => void openEditor(), refreshLowStock: () => void loadLowStock() },
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
