import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's Chromium, installed by `.ci/run` (`apt-get install chromium`). */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where each run leaves its screenshots (git-ignored; the README shows copies from docs/screenshots). */
export const screenshotDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');

export interface Browser {
  context: BrowserContext;
  /** A new tab that records what would show in the console: errors, CSP refusals, dialogs. */
  newPage(): Promise<Page & { problems: string[] }>;
  screenshot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

/** Headless Chromium with a fresh profile, so no earlier run's storage or cache takes part. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`No Chromium at ${chromiumPath}: run scripts/install-system-packages.sh (or set CHROMIUM_PATH)`);
  }
  const profile = await mkdtemp(join(tmpdir(), 'shop-chromium-'));
  await mkdir(screenshotDir, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    async newPage() {
      const page = (await context.newPage()) as Page & { problems: string[] };
      page.problems = [];
      // Failed requests are recorded with their address below, not as the console's copy of them.
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
          page.problems.push(`console: ${message.text()}`);
        }
      });
      page.on('response', (response) => {
        if (response.status() >= 400) {
          page.problems.push(`${response.status()} ${response.request().method()} ${new URL(response.url()).pathname}`);
        }
      });
      page.on('pageerror', (error) => page.problems.push(`page error: ${error.message}`));
      page.on('dialog', (dialog) => {
        if (dialog.type() === 'confirm') {
          void dialog.accept();
          return;
        }
        page.problems.push(`dialog: ${dialog.type()} ${dialog.message()}`);
        void dialog.dismiss();
      });
      return page;
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
    },
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
