import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiDocument } from '@shop/contracts';
import anyTest, { type TestFn } from 'ava';
import type { Locator, Page } from 'playwright-core';
import { type Browser, launchBrowser } from './browser.js';
import { freePorts, startPlatform } from './local-platform.js';

type Platform = Awaited<ReturnType<typeof startPlatform>>;
const test = anyTest as TestFn<{
  platform: Platform;
  browser: Browser;
  page: Page & { problems: string[] };
  dataDir: string;
}>;

const xssName = '<img src=x onerror=alert(1)>';

test.before(async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'shop-web-e2e-'));
  const platform = await startPlatform(await freePorts(), dataDir, {
    ANALYTICS_WINDOW_SECONDS: '5',
    METRICS_NAMESPACE: `ShopWeb${Date.now()}`,
  });
  const browser = await launchBrowser();
  t.context = { platform, browser, page: await browser.newPage(), dataDir };
  // Fourteen products in two categories: more than one storefront page of twelve.
  const admin = await platform.writeHeaders('admin');
  for (let n = 1; n <= 14; n += 1) {
    const response = await fetch(`${platform.gateway}/api/products`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        name: `Seed item ${String(n).padStart(2, '0')}`,
        description: `Seeded product ${n}`,
        price: n + 0.5,
        category: n % 2 === 0 ? 'garden' : 'kitchen',
      }),
    });
    if (response.status !== 201) throw new Error(`seeding failed: ${response.status} ${await response.text()}`);
  }
});

test.after.always(async (t) => {
  await t.context.browser?.close();
  await t.context.platform?.stop();
  if (t.context.dataDir) await rm(t.context.dataDir, { recursive: true, force: true });
});

test.afterEach((t) => {
  const problems = t.context.page.problems.splice(0);
  t.deepEqual(problems, [], 'no console errors, CSP refusals, script errors, dialogs or failed requests');
});

/** Takes the failed requests a step meant to cause off the page's list, and checks they happened. */
function expectFailedRequests(
  t: { deepEqual: (a: unknown, b: unknown) => void },
  page: { problems: string[] },
  expected: RegExp[],
) {
  const matched = expected.map((pattern) => {
    const index = page.problems.findIndex((problem) => pattern.test(problem));
    return index === -1 ? undefined : page.problems.splice(index, 1)[0];
  });
  t.deepEqual(
    matched.map((problem) => problem !== undefined),
    expected.map(() => true),
  );
}

async function signIn(page: Page, gateway: string, username: string, password: string): Promise<void> {
  await page.goto(`${gateway}/staff`);
  const signOut = page.getByRole('button', { name: 'Sign out' });
  if (await signOut.isVisible()) await signOut.click();
  await page.getByLabel('User name').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#signed-in-user', { hasText: username }).waitFor();
}

/** The element's text as the DOM holds it (empty when the element has none). */
const text = async (locator: Locator) => (await locator.textContent()) ?? '';

const cardNames = (page: Page) => page.locator('#product-grid .product-name').allTextContents();

test.serial(
  'when a shopper browses the storefront, then products page by cursor, filter by category, and the page runs under a strict CSP',
  async (t) => {
    const { platform, browser, page } = t.context;
    const response = await page.goto(`${platform.gateway}/`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    t.regex(csp, /script-src 'self'(;|$)/);
    t.notRegex(csp, /unsafe-inline|unsafe-eval/);
    await page.locator('#product-grid').waitFor();
    const first = await cardNames(page);
    t.is(first.length, 12);
    await browser.screenshot(page, 'storefront');

    await page.getByRole('link', { name: 'Next page →' }).click();
    await page.waitForURL(/cursor=/);
    await page.locator('#product-grid').waitFor();
    const second = await cardNames(page);
    t.is(second.length, 2);
    t.deepEqual(
      [...first, ...second].sort(),
      Array.from({ length: 14 }, (_, index) => `Seed item ${String(index + 1).padStart(2, '0')}`),
      'the two pages hold every product once',
    );
    await page.getByRole('button', { name: '← Previous page' }).click();
    await page.locator('#product-grid').waitFor();
    t.deepEqual(await cardNames(page), first);

    await page.getByLabel('Category').selectOption('garden');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/category=garden/);
    await page.locator('#product-grid').waitFor();
    t.is((await cardNames(page)).length, 7);
    t.deepEqual([...new Set(await page.locator('#product-grid .category').allTextContents())], ['Garden']);

    // Keyboard: the first stop skips to the content, and every product is a link reached by Tab.
    await page.keyboard.press('Tab');
    t.is(await page.evaluate('document.activeElement?.textContent'), 'Skip to content');
    t.is(await page.locator('#product-grid a.product-card').count(), 7);
  },
);

test.serial(
  'when an admin signs in and creates a product, then API validation shows next to the field and the product appears in the storefront',
  async (t) => {
    const { platform, browser, page } = t.context;
    await signIn(page, platform.gateway, 'admin', 'Admin-pass-1');
    t.notRegex(page.url(), /token|eyJ/, 'no token in the URL');
    t.is(await page.evaluate('localStorage.length'), 0, 'nothing kept beyond the tab');

    await page.getByRole('button', { name: 'New product' }).click();
    const form = page.locator('form.product-form');
    await form.locator('[data-field="name"] input').fill('Trail lantern');
    await form.locator('[data-field="description"] textarea').fill('Bright and light.');
    await form.locator('[data-field="price"] input').fill('12.345');
    await form.locator('[data-field="category"] input').fill('Camping Gear');
    await form.getByRole('button', { name: 'Create product' }).click();
    const priceError = form.locator('[data-field="price"] .field-error');
    await priceError.waitFor();
    t.regex(await text(priceError), /price must have at most 2 decimal places/);
    t.regex(await text(form.locator('[data-field="category"] .field-error')), /lowercase slug/);
    t.is(await form.locator('[data-field="price"] input').getAttribute('aria-invalid'), 'true');
    expectFailedRequests(t, page, [/^422 POST \/api\/products$/]);
    await browser.screenshot(page, 'staff-validation');

    await form.locator('[data-field="price"] input').fill('24.50');
    await form.locator('[data-field="category"] input').fill('camping');
    await form.getByRole('button', { name: 'Create product' }).click();
    await page.getByText('Saved "Trail lantern".').waitFor();
    await page.locator('table.products th', { hasText: 'Trail lantern' }).waitFor();
    await browser.screenshot(page, 'staff-console');

    await page.goto(`${platform.gateway}/?category=camping`);
    await page.getByRole('link', { name: /Trail lantern/ }).click();
    await page.waitForURL(/\/products\/[0-9A-Z]{26}$/);
    t.is(await text(page.locator('h1.product-name')), 'Trail lantern');
    await page.locator('.availability', { hasText: 'Out of stock' }).waitFor();
    t.regex(await text(page.locator('.product-detail .price')), /24\.50/);
  },
);

test.serial(
  'when a product is named like markup, then every page shows those characters and runs nothing',
  async (t) => {
    const { platform, browser, page } = t.context;
    await page.goto(`${platform.gateway}/staff`);
    await page.getByRole('button', { name: 'New product' }).click();
    const form = page.locator('form.product-form');
    await form.locator('[data-field="name"] input').fill(xssName);
    await form.locator('[data-field="description"] textarea').fill('<script>alert(2)</script>');
    await form.locator('[data-field="price"] input').fill('5');
    await form.locator('[data-field="category"] input').fill('camping');
    await form.getByRole('button', { name: 'Create product' }).click();
    await page.getByText(`Saved "${xssName}".`).waitFor();
    t.is(await page.locator('table.products img').count(), 0);

    await page.goto(`${platform.gateway}/?category=camping`);
    await page.locator('#product-grid').waitFor();
    t.true((await cardNames(page)).includes(xssName), 'the name shows as the characters typed');
    t.is(await page.locator('#product-grid img').count(), 0, 'no element was made from the name');
    await browser.screenshot(page, 'markup-as-text');
    await page.getByRole('link', { name: xssName }).click();
    await page.locator('h1.product-name').waitFor();
    t.is(await text(page.locator('h1.product-name')), xssName);
    t.is(await text(page.locator('.description')), '<script>alert(2)</script>');
    t.is(await page.title(), `${xssName} · Shop`);
    t.is(await page.locator('main img, main script').count(), 0);
  },
);

test.serial(
  'when staff sell a product below its threshold, then the stock desk, the low-stock list, the history and the storefront agree',
  async (t) => {
    const { platform, browser, page } = t.context;
    await signIn(page, platform.gateway, 'staff', 'Staff-pass-1');
    t.is(await page.getByRole('button', { name: 'New product' }).count(), 0, 'staff cannot create products');
    await page
      .locator('tr', { has: page.locator('th', { hasText: 'Trail lantern' }) })
      .getByRole('button', { name: 'Stock' })
      .click();
    const desk = page.locator('.stock-desk');
    const adjust = desk.locator('form.adjust-form');
    const onHand = desk.locator('[data-stock="on-hand"]');
    await onHand.waitFor();

    await adjust.locator('[data-field="quantity"] input').fill('0');
    await adjust.getByRole('button', { name: 'Record adjustment' }).click();
    t.regex(await text(adjust.locator('[data-field="quantity"] .field-error')), /quantity must not be 0/);
    expectFailedRequests(t, page, [/^422 POST \/api\/inventory\/\w+\/adjustments$/]);

    await adjust.locator('[data-field="quantity"] input').fill('10');
    await adjust.locator('[data-field="reason"] select').selectOption('restock');
    await adjust.getByRole('button', { name: 'Record adjustment' }).click();
    await desk.locator('[data-stock="on-hand"]', { hasText: /^10$/ }).waitFor();

    const threshold = desk.locator('form.threshold-form');
    await threshold.locator('input').fill('5');
    await threshold.getByRole('button', { name: 'Set threshold' }).click();
    await desk.locator('[data-stock="threshold"]', { hasText: /^5$/ }).waitFor();

    await adjust.locator('[data-field="quantity"] input').fill('-8');
    await adjust.locator('[data-field="reason"] select').selectOption('sale');
    await adjust.locator('[data-field="note"] input').fill('Counter sale');
    await adjust.getByRole('button', { name: 'Record adjustment' }).click();
    await desk.locator('[data-stock="available"]', { hasText: /^2$/ }).waitFor();

    // The low-stock list is an index the stock flush keeps; the console reads it again every few seconds.
    await page.locator('#low-stock-list li', { hasText: 'Trail lantern' }).waitFor({ timeout: 60_000 });
    t.regex(
      await text(page.locator('#low-stock-list li', { hasText: 'Trail lantern' })),
      /2 available \(threshold 5\)/,
    );
    const history = await desk.locator('table.history tbody tr').allInnerTexts();
    t.is(history.length, 2);
    t.regex(history[0] ?? '', /-8\s+sale\s+2\s+Counter sale/);
    t.regex(history[1] ?? '', /\+10\s+restock\s+10/);
    await browser.screenshot(page, 'stock-desk');

    // Views for the dashboard, and the storefront's word on what is left.
    for (let view = 0; view < 3; view += 1) {
      await page.goto(`${platform.gateway}/?category=camping`);
      await page.getByRole('link', { name: /Trail lantern/ }).click();
      await page.locator('.availability', { hasText: 'Only 2 left' }).waitFor();
    }
    await browser.screenshot(page, 'product-page');
  },
);

test.serial(
  'when sales have been made, then the staff dashboard charts them from CloudWatch and shows the most viewed categories',
  async (t) => {
    const { platform, browser, page } = t.context;
    await page.goto(`${platform.gateway}/staff/dashboard`);
    await page.locator('#charts').waitFor();
    const unitsSold = page.locator('figure.chart', { has: page.locator('figcaption', { hasText: 'Units sold' }) });
    // The analytics fleet flushes its windows every 5 s here; the page refreshes every 5 s.
    await unitsSold.locator('svg .series').first().waitFor({ timeout: 120_000 });
    t.regex(await text(unitsSold.locator('.legend')), /camping\s+8/);
    const revenue = page.locator('figure.chart', { has: page.locator('figcaption', { hasText: 'Revenue' }) });
    await revenue.locator('svg .series').first().waitFor();
    t.regex(await text(revenue.locator('.legend')), /camping \(USD\)\s+196$/, '8 lanterns at 24.50');
    await page.locator('#top-categories li', { hasText: 'Camping' }).waitFor({ timeout: 60_000 });
    await browser.screenshot(page, 'dashboard');
  },
);

/** Telescopes in two categories with distinct prices, some stocked: more than one page of twelve results. */
const telescopes = [
  { name: 'Brass telescope', category: 'optics', price: 240, stock: 3 },
  { name: 'Pocket telescope', category: 'optics', price: 35, stock: 0 },
  { name: 'Travel telescope', category: 'optics', price: 65, stock: 8 },
  { name: 'Refractor telescope', category: 'optics', price: 120, stock: 0 },
  { name: 'Reflector telescope', category: 'optics', price: 180, stock: 2 },
  { name: 'Solar telescope', category: 'optics', price: 95, stock: 0 },
  { name: 'Marine telescope', category: 'optics', price: 55, stock: 4 },
  { name: 'Junior telescope', category: 'stargazing', price: 20, stock: 6 },
  { name: 'Compact telescope', category: 'stargazing', price: 45, stock: 0 },
  { name: 'Dobsonian telescope', category: 'stargazing', price: 310, stock: 1 },
  { name: 'Digital telescope', category: 'stargazing', price: 150, stock: 0 },
  { name: 'Vintage telescope', category: 'stargazing', price: 75, stock: 2 },
  { name: 'Mirror telescope', category: 'stargazing', price: 85, stock: 0 },
  { name: 'Wide-field telescope', category: 'stargazing', price: 130, stock: 5 },
];

const resultNames = (page: Page) => page.locator('#search-results .product-name').allTextContents();

/**
 * Waits until the search's status reads `expected`, loading the same address again while it does
 * not: the search index is a read model that the stream fills a moment after each write (and, in
 * a platform just started, once the indexer holds its leases: up to half a minute here).
 */
async function searchUntil(page: Page, expected: RegExp, timeoutMs = 90_000): Promise<string> {
  const status = page.locator('#search-status');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await status.filter({ hasNotText: 'Searching…' }).waitFor();
    const shown = await text(status);
    if (expected.test(shown) || Date.now() > deadline) return shown;
    await page.waitForTimeout(1000);
    await page.reload();
  }
}

/** Presses Tab (or Shift+Tab) until the focused element is `target`, at most `limit` times. */
async function tabTo(page: Page, target: Locator, key: 'Tab' | 'Shift+Tab' = 'Tab', limit = 60): Promise<boolean> {
  await target.waitFor();
  for (let step = 0; step < limit; step += 1) {
    await page.keyboard.press(key);
    if (await target.evaluate((element) => element.matches(':focus'))) return true;
  }
  return false;
}

test.serial(
  'when a shopper searches with a typo, then the products show with facets, filters, sorts and more results, and errors are plain',
  async (t) => {
    const { platform, browser, page } = t.context;
    const admin = await platform.writeHeaders('admin');
    for (const product of telescopes) {
      const created = await fetch(`${platform.gateway}/api/products`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({
          name: product.name,
          description: 'Sees far.',
          price: product.price,
          category: product.category,
        }),
      });
      t.is(created.status, 201);
      if (product.stock === 0) continue;
      const { id } = (await created.json()) as { id: string };
      const restock = await fetch(`${platform.gateway}/api/inventory/${id}/adjustments`, {
        method: 'POST',
        headers: admin,
        body: JSON.stringify({ quantity: product.stock, reason: 'restock' }),
      });
      t.is(restock.status, 201);
    }
    const names = (filter: (product: (typeof telescopes)[number]) => boolean) =>
      telescopes.filter(filter).map((product) => product.name);

    // The box in the header of every page; a typo still finds the telescopes.
    await page.goto(`${platform.gateway}/`);
    t.is(await page.getByRole('search', { name: 'Products' }).count(), 1);
    await page.getByRole('searchbox', { name: 'Search products' }).fill('telscope');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?q=telscope$/);
    t.is(await searchUntil(page, /^14 products found, showing 12$/), '14 products found, showing 12');
    t.is(await page.locator('h1').textContent(), 'Results for “telscope”');
    t.is(await page.locator('#search-results > li').count(), 12);
    t.is(await page.getByRole('button', { name: 'Optics (7)' }).getAttribute('aria-pressed'), 'false');
    t.is(await page.getByRole('button', { name: 'Stargazing (7)' }).count(), 1);

    // More results: the next page joins the list, and every telescope shows once.
    await page.getByRole('button', { name: 'More results' }).click();
    await page.locator('#search-status', { hasText: /^14 products found$/ }).waitFor();
    t.deepEqual((await resultNames(page)).sort(), names(() => true).sort());
    t.true(await page.getByRole('button', { name: 'More results' }).isHidden());
    const brass = page.locator('#search-results .product-card', { hasText: 'Brass telescope' });
    t.regex(await text(brass.locator('.price')), /\$240\.00/);
    t.is(await text(brass.locator('.category')), 'Optics');
    t.is(await text(brass.locator('.availability')), 'In stock');
    const pocket = page.locator('#search-results .product-card', { hasText: 'Pocket telescope' });
    t.is(await text(pocket.locator('.availability')), 'Out of stock');

    // A category facet, then a sort by price: both in the address.
    await page.getByRole('button', { name: 'Optics (7)' }).click();
    await page.waitForURL(/category=optics/);
    await page.locator('#search-status', { hasText: /^7 products found$/ }).waitFor();
    t.is(await page.getByRole('button', { name: 'Optics (7)' }).getAttribute('aria-pressed'), 'true');
    t.deepEqual([...new Set(await page.locator('#search-results .category').allTextContents())], ['Optics']);
    await page.getByLabel('Sort by').selectOption('price-asc');
    await page.waitForURL(/sort=price-asc/);
    await page.locator('#search-status', { hasText: /^7 products found$/ }).waitFor();
    const byPrice = telescopes.filter((product) => product.category === 'optics').sort((a, b) => a.price - b.price);
    t.deepEqual(
      await resultNames(page),
      byPrice.map((product) => product.name),
    );
    await browser.screenshot(page, 'search-results');

    // In stock only keeps the stocked ones; back undoes it, as the address held it.
    await page.getByLabel('In stock only').check();
    await page.waitForURL(/inStock=true/);
    t.is(await searchUntil(page, /^4 products found$/), '4 products found');
    t.deepEqual(
      await resultNames(page),
      byPrice.filter((product) => product.stock > 0).map((product) => product.name),
    );
    t.deepEqual([...new Set(await page.locator('#search-results .availability').allTextContents())], ['In stock']);
    await page.goBack();
    await page.locator('#search-status', { hasText: /^7 products found$/ }).waitFor();
    t.false(await page.getByLabel('In stock only').isChecked());
    t.is(await page.getByLabel('Sort by').inputValue(), 'price-asc');

    // A price facet: 50 up to 100, of both categories.
    await page.getByRole('button', { name: 'Any category' }).click();
    await page.locator('#search-status', { hasText: /^14 products found, showing 12$/ }).waitFor();
    await page.getByRole('button', { name: '50 to 100 (5)' }).click();
    await page.waitForURL(/minPrice=50&maxPrice=99\.99/);
    await page.locator('#search-status', { hasText: /^5 products found$/ }).waitFor();
    t.deepEqual(
      (await resultNames(page)).sort(),
      names((product) => product.price >= 50 && product.price < 100).sort(),
    );

    // A minimum above the maximum: the API's word shows next to the price filter.
    await page.getByLabel('Min price').fill('300');
    await page.getByLabel('Max price').fill('10');
    await page.getByRole('button', { name: 'Apply price' }).click();
    await page.locator('#price-error').waitFor();
    t.regex(await text(page.locator('#price-error')), /minPrice must not be above maxPrice/);
    t.is(await page.getByLabel('Min price').getAttribute('aria-invalid'), 'true');
    t.is(await page.locator('#search-results > li').count(), 0);
    expectFailedRequests(t, page, [/^422 GET \/api\/products\/search$/]);

    // The engine down: the page says so plainly, and the rest of it keeps working.
    await page.route('**/api/products/search?*', (route) =>
      route.fulfill({
        status: 503,
        headers: { 'content-type': 'application/problem+json', 'retry-after': '5' },
        body: JSON.stringify({ type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'down' }),
      }),
    );
    await page.getByRole('button', { name: 'Any price' }).click();
    await page.getByText('Search is unavailable right now, try again shortly').first().waitFor();
    t.is(await text(page.locator('#search-status')), 'Search is unavailable right now, try again shortly');
    expectFailedRequests(t, page, [/^503 GET \/api\/products\/search$/]);
    await page.unroute('**/api/products/search?*');
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('#search-status', { hasText: /^14 products found, showing 12$/ }).waitFor();
    await page.getByRole('link', { name: 'Products', exact: true }).click();
    await page.locator('#product-grid').waitFor();

    // A name like markup shows as its characters in the results too.
    await page.goto(`${platform.gateway}/search?q=onerror`);
    t.is(await searchUntil(page, /^1 product found$/), '1 product found');
    t.deepEqual(await resultNames(page), [xssName]);
    t.is(await page.locator('main img, main script').count(), 0);
  },
);

test.serial(
  'when a shopper searches with the keyboard only, then every step is reachable and focus shows',
  async (t) => {
    const { platform, page } = t.context;
    await page.goto(`${platform.gateway}/staff/dashboard`);
    const box = page.getByRole('searchbox', { name: 'Search products' });
    t.true(await tabTo(page, box), 'the search box is in the tab order');
    await page.keyboard.type('telescope');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?q=telescope$/);
    t.is(await searchUntil(page, /^14 products found, showing 12$/), '14 products found, showing 12');

    const stargazing = page.getByRole('button', { name: 'Stargazing (7)' });
    t.true(await tabTo(page, stargazing), 'the category facets are in the tab order');
    t.not(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle'), 'none', 'focus is visible');
    await page.keyboard.press('Enter');
    await page.waitForURL(/category=stargazing/);
    await page.locator('#search-status', { hasText: /^7 products found$/ }).waitFor();
    t.true(await stargazing.evaluate((element) => element.matches(':focus')), 'focus stays on the facet');
    t.is(await stargazing.getAttribute('aria-pressed'), 'true');

    const inStock = page.getByLabel('In stock only');
    t.true(await tabTo(page, inStock, 'Shift+Tab'));
    await page.keyboard.press('Space');
    await page.waitForURL(/inStock=true/);
    await page.locator('#search-status', { hasText: /^4 products found$/ }).waitFor();

    const first = page.locator('#search-results a.product-card').first();
    t.true(await tabTo(page, first));
    const name = await text(first.locator('.product-name'));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/products\/[0-9A-Z]{26}$/);
    t.is(await text(page.locator('h1.product-name')), name);
    t.true(
      telescopes.some((product) => product.name === name && product.category === 'stargazing' && product.stock > 0),
    );
  },
);

test.serial(
  'when a developer opens /api/docs, then every operation shows with its auth, and "try it out" reads the products',
  async (t) => {
    const { platform, browser, page } = t.context;
    const response = await page.goto(`${platform.gateway}/api/docs`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    t.regex(csp, /script-src 'self'(;|$)/);
    t.notRegex(csp, /unsafe-inline|unsafe-eval/);
    const operations = Object.values(apiDocument().paths).flatMap((item) =>
      Object.entries(item).filter(([method]) => ['get', 'put', 'post', 'patch', 'delete'].includes(method)),
    );
    const secured = operations.filter(
      ([, operation]) => ((operation as { security?: unknown[] }).security ?? [{}]).length > 0,
    );
    await page.locator('.opblock').first().waitFor();
    t.is(await page.locator('.opblock').count(), operations.length, 'every operation of the contract is listed');
    t.is(await page.locator('.opblock .authorization__btn').count(), secured.length, 'each secured one shows its lock');

    const list = page.locator('.opblock-get', { has: page.locator('[data-path="/api/products"]') });
    await list.locator('.opblock-summary').click();
    await list.getByRole('button', { name: 'Try it out' }).click();
    await list.getByRole('button', { name: 'Execute' }).click();
    await list.locator('.live-responses-table .response-col_status', { hasText: '200' }).waitFor();
    t.regex(await text(list.locator('.live-responses-table .microlight').first()), /"items"/);
    await browser.screenshot(page, 'api-docs');
  },
);
