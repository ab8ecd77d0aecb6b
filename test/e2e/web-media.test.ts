import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import type { Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { type Browser, launchBrowser } from './browser.js';
import { freePorts, startPlatform } from './local-platform.js';

type Platform = Awaited<ReturnType<typeof startPlatform>>;
interface ApiImage {
  id: string;
  alt: string;
  width: number;
  height: number;
  sizes: Array<{ width: number; url: string }>;
}

const test = anyTest as TestFn<{
  platform: Platform;
  browser: Browser;
  page: Page & { problems: string[] };
  dataDir: string;
  productId: string;
  files: { side: string; sole: string; fakePng: string; notes: string };
}>;

const productName = 'Ridge trail shoe';
const sideAlt = 'The ridge trail shoe from the side, in blue';
const soleAlt = 'The sole of the ridge trail shoe, with deep lugs';
const editedAlt = 'The ridge trail shoe from the side, in blue, laced';

/** A real photo-like JPEG: noise keeps it large enough (about a megabyte) for the upload to take a few progress events. */
function noisyJpeg(width: number, height: number, background: { r: number; g: number; b: number }) {
  return sharp({
    create: { width, height, channels: 3, background, noise: { type: 'gaussian', mean: 128, sigma: 40 } },
  })
    .jpeg({ quality: 90 })
    .toBuffer();
}

test.before(async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'shop-web-media-e2e-'));
  const files = {
    side: join(dataDir, 'trail-side.jpg'),
    sole: join(dataDir, 'trail-sole.jpg'),
    // Named as a PNG, so the browser declares it image/png; only the bytes tell it is text.
    fakePng: join(dataDir, 'photo.png'),
    notes: join(dataDir, 'notes.txt'),
  };
  Object.assign(t.context, { dataDir, files });
  await writeFile(files.side, await noisyJpeg(1600, 1200, { r: 40, g: 90, b: 200 }));
  await writeFile(files.sole, await noisyJpeg(900, 600, { r: 120, g: 80, b: 40 }));
  await writeFile(files.fakePng, 'This is a text file, not a picture.\n');
  await writeFile(files.notes, 'Some notes.\n');
  // Each part goes into the context as soon as it runs, so that after.always stops it should a later step fail.
  t.context.platform = await startPlatform(await freePorts(), dataDir);
  t.context.browser = await launchBrowser();
  t.context.page = await t.context.browser.newPage();
  const created = await fetch(`${t.context.platform.gateway}/api/products`, {
    method: 'POST',
    headers: await t.context.platform.writeHeaders('admin'),
    body: JSON.stringify({ name: productName, description: 'Grips on wet rock.', price: 89, category: 'footwear' }),
  });
  if (created.status !== 201) throw new Error(`seeding failed: ${created.status} ${await created.text()}`);
  t.context.productId = ((await created.json()) as { id: string }).id;
});

test.after.always(async (t) => {
  await t.context.browser?.close();
  try {
    // Rejects when the gateway saw an answer outside the contract; the data goes all the same.
    await t.context.platform?.stop();
  } finally {
    if (t.context.dataDir) await rm(t.context.dataDir, { recursive: true, force: true });
  }
});

test.afterEach((t) => {
  const problems = t.context.page.problems.splice(0);
  t.deepEqual(problems, [], 'no console errors, CSP refusals, script errors, dialogs or failed requests');
});

async function signIn(page: Page, gateway: string): Promise<void> {
  await page.goto(`${gateway}/staff`);
  await page.getByLabel('User name').fill('admin');
  await page.getByLabel('Password').fill('Admin-pass-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#signed-in-user', { hasText: 'admin' }).waitFor();
}

/** Opens the product's editor in the staff console; its Images section. */
async function openImages(page: Page, gateway: string): Promise<Locator> {
  await page.goto(`${gateway}/staff`);
  await page
    .locator('tr', { has: page.locator('th', { hasText: productName }) })
    .getByRole('button', { name: 'Edit' })
    .click();
  const section = page.locator('section.image-admin');
  await section.getByRole('heading', { name: 'Images' }).waitFor();
  return section;
}

async function productImages(platform: Platform, id: string): Promise<ApiImage[]> {
  const response = await fetch(`${platform.gateway}/api/products/${id}`);
  return ((await response.json()) as { images: ApiImage[] }).images;
}

const text = async (locator: Locator) => (await locator.textContent()) ?? '';

/**
 * Waits until the image has loaded its file (a lazy image once it is near the viewport) and
 * answers the file the browser chose from its srcset.
 */
async function loadedSource(page: Page, image: Locator): Promise<string> {
  await image.scrollIntoViewIfNeeded();
  await page.waitForFunction(
    (element) => {
      const shown = element as unknown as { complete: boolean; naturalWidth: number };
      return shown.complete && shown.naturalWidth > 0;
    },
    await image.elementHandle(),
  );
  return image.evaluate((element) => (element as unknown as { currentSrc: string }).currentSrc);
}

/** Records each value the upload's progress bar takes, in `window.progressSeen` (this package has no DOM types). */
const recordProgress = `(() => {
  const seen = [];
  window.progressSeen = seen;
  new MutationObserver(() => {
    const bar = document.querySelector('.upload-progress progress');
    if (bar && seen.at(-1) !== bar.value) seen.push(bar.value);
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
})()`;

async function uploadImage(section: Locator, file: string, alt: string): Promise<void> {
  await section.getByLabel('Image file').setInputFiles(file);
  await section.locator('form.image-upload-form').getByLabel('Alt text').fill(alt);
  await section.getByRole('button', { name: 'Upload image' }).click();
}

test.serial(
  'when an admin uploads JPEGs in the staff console, then the progress finishes, the images are listed, and alt text and order can be changed',
  async (t) => {
    const { platform, browser, page, productId, files } = t.context;
    await signIn(page, platform.gateway);
    const section = await openImages(page, platform.gateway);
    t.regex(await text(section.locator('.image-count')), /^0 of 10 images/);
    t.is(await section.getByLabel('Image file').getAttribute('accept'), 'image/jpeg,image/png,image/webp,image/avif');

    // The bar follows the bytes sent: record every value it takes on the way.
    await page.evaluate(recordProgress);
    // Over loopback the file would go in one step; at 1 MB/s it takes about a second, in steps.
    const devtools = await browser.context.newCDPSession(page);
    await devtools.send('Network.enable');
    const throttle = (uploadThroughput: number) =>
      devtools.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput,
      });
    await throttle(1024 * 1024);
    await uploadImage(section, files.side, sideAlt);
    const message = section.locator('.upload-message');
    await message.filter({ hasText: 'Added trail-side.jpg as image 1.' }).waitFor({ timeout: 60_000 });
    await throttle(-1);
    await devtools.detach();
    t.is(await message.getAttribute('aria-live'), 'polite');
    const progress = section.locator('.upload-progress progress');
    t.is(await progress.evaluate((bar) => (bar as unknown as { value: number }).value), 100, 'the bar finished');
    t.is(await text(section.locator('.upload-progress label')), 'Uploading trail-side.jpg');
    const seen = (await page.evaluate('window.progressSeen')) as number[];
    t.log(`the bar showed ${seen.join(', ')}`);
    t.is(seen.at(-1), 100);
    t.true(
      seen.some((value) => value > 0 && value < 100),
      'the bar showed the bytes sent on the way, not only the start and the end',
    );
    t.true(
      seen.every((value, index) => index === 0 || value >= (seen[index - 1] ?? 0)),
      `rising: ${seen.join(', ')}`,
    );

    const first = section.locator('.image-list li').first();
    const thumbnail = first.locator('img.image-thumbnail');
    t.is(await thumbnail.getAttribute('alt'), sideAlt);
    t.regex((await thumbnail.getAttribute('src')) ?? '', /^\/media\/[0-9A-Z]{26}\/[0-9A-Z]{26}\/200\.webp$/);
    t.is(await thumbnail.getAttribute('width'), '200');
    t.is(await thumbnail.getAttribute('height'), '150');
    t.regex(await loadedSource(page, thumbnail), /\/200\.webp$/, 'the thumbnail loads');

    await uploadImage(section, files.sole, soleAlt);
    await message.filter({ hasText: 'Added trail-sole.jpg as image 2.' }).waitFor({ timeout: 60_000 });
    t.is(await section.locator('.image-list li').count(), 2);
    t.is(await section.getByLabel('Image file').inputValue(), '', 'the form is ready for the next file');

    // Alt text: edited in place and saved.
    await first.getByLabel('Alt text').fill(editedAlt);
    await first.getByRole('button', { name: 'Save alt text' }).click();
    await section.getByRole('status').filter({ hasText: 'Saved the alt text of image 1.' }).waitFor();
    t.is((await productImages(platform, productId))[0]?.alt, editedAlt);

    // Order, by keyboard: the second image moves earlier, and focus stays on that image.
    const [side, sole] = await productImages(platform, productId);
    await section.locator('.image-list li').nth(1).getByRole('button', { name: 'Move earlier' }).focus();
    await page.keyboard.press('Enter');
    await section.getByRole('status').filter({ hasText: 'Moved the image earlier: it is image 1 of 2 now.' }).waitFor();
    t.deepEqual(
      (await productImages(platform, productId)).map((image) => image.id),
      [sole?.id, side?.id],
    );
    t.deepEqual(
      await section
        .locator('.image-list img.image-thumbnail')
        .evaluateAll((images) => images.map((image) => image.getAttribute('alt'))),
      [soleAlt, editedAlt],
    );
    t.is(await page.evaluate("document.activeElement?.closest('li')?.dataset.imageId"), sole?.id);
    t.true(await section.locator('.image-list li').first().getByRole('button', { name: 'Move earlier' }).isDisabled());
    await browser.screenshot(page, 'staff-images');

    // The image writes moved the product's version on; the form's save still applies, with its If-Match.
    await page.locator('form.product-form').getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(`Saved "${productName}".`).waitFor();
    t.is((await productImages(platform, productId)).length, 2, 'a save of the form keeps the images');
  },
);

test.serial(
  'when an admin picks a file that is no image, then why it is refused shows next to the file, from the browser or from the API',
  async (t) => {
    const { platform, page, files, productId } = t.context;
    const section = await openImages(page, platform.gateway);
    const fileInput = section.getByLabel('Image file');
    const message = section.locator('.upload-message');

    // Refused before anything is sent: no alt text, then a type the API does not take.
    await fileInput.setInputFiles(files.side);
    await section.getByRole('button', { name: 'Upload image' }).click();
    const altError = section.locator('.image-upload-form [data-field="alt"] .field-error');
    await altError.waitFor();
    t.regex(await text(altError), /Describe what the image shows/);
    await uploadImage(section, files.notes, 'Some notes');
    await message.filter({ hasText: 'notes.txt is not a JPEG, PNG, WebP or AVIF image (it is text/plain).' }).waitFor();
    t.is(await fileInput.getAttribute('aria-invalid'), 'true');
    t.is(await fileInput.getAttribute('aria-describedby'), await message.getAttribute('id'));

    // Named photo.png, so the browser calls it image/png: the API reads the bytes and refuses it.
    await uploadImage(section, files.fakePng, 'A photo');
    await message
      .filter({ hasText: 'The uploaded file was refused: the file is not an image' })
      .waitFor({ timeout: 60_000 });
    t.is(await fileInput.getAttribute('aria-invalid'), 'true');
    const failed = page.problems.splice(0);
    t.deepEqual(failed, [`422 POST /api/products/${productId}/images`], 'only the attach failed, as it should');
    t.is((await productImages(platform, productId)).length, 2, 'nothing was attached');
    t.is(await section.locator('.image-list li').count(), 2);
  },
);

/** Checks an `<img>` of a product image: srcset of every size, sizes, lazy, async, its box and alt text. */
async function checkProductImage(t: ExecutionContext<unknown>, image: Locator, expected: ApiImage) {
  t.is(await image.getAttribute('srcset'), expected.sizes.map((size) => `${size.url} ${size.width}w`).join(', '));
  t.regex((await image.getAttribute('sizes')) ?? '', /\S/);
  t.is(await image.getAttribute('loading'), 'lazy');
  t.is(await image.getAttribute('decoding'), 'async');
  t.is(await image.getAttribute('width'), String(expected.width));
  t.is(await image.getAttribute('height'), String(expected.height));
  t.is(await image.getAttribute('alt'), expected.alt);
}

test.serial(
  'when a product has images, then the storefront grid, the product page and the search results show them from /media/ with srcset',
  async (t) => {
    const { platform, browser, page, productId } = t.context;
    const images = await productImages(platform, productId);
    const [first] = images;
    if (!first) throw new Error('the product has no images');

    await page.goto(`${platform.gateway}/?category=footwear`);
    const card = page.locator('#product-grid .product-card', { hasText: productName });
    const cardImage = card.locator('img.card-image');
    await cardImage.waitFor();
    t.is(await card.locator('img').count(), 1, 'the card shows the first image only');
    await checkProductImage(t, cardImage, first);
    const cardSource = await loadedSource(page, cardImage);
    t.true(cardSource.startsWith(`${platform.gateway}/media/${productId}/${first.id}/`), cardSource);
    await browser.screenshot(page, 'storefront-images');

    await card.click();
    await page.waitForURL(new RegExp(`/products/${productId}$`));
    const gallery = page.locator('.product-detail .product-gallery img');
    await gallery.first().waitFor();
    t.is(await gallery.count(), images.length, 'the product page shows every image');
    for (const [index, image] of images.entries()) await checkProductImage(t, gallery.nth(index), image);
    for (const index of images.keys()) {
      const source = await loadedSource(page, gallery.nth(index));
      t.true(source.startsWith(`${platform.gateway}/media/${productId}/`), source);
    }
    await browser.screenshot(page, 'product-page-images');

    // Search is a read model the stream fills a moment after each change, images included.
    const deadline = Date.now() + 90_000;
    const result = page.locator('#search-results .product-card', { hasText: productName }).locator('img');
    for (;;) {
      await page.goto(`${platform.gateway}/search?q=${encodeURIComponent('ridge trail')}`);
      await page.locator('#search-status').filter({ hasNotText: 'Searching…' }).waitFor();
      if ((await result.count()) > 0 && (await result.getAttribute('alt')) === first.alt) break;
      if (Date.now() > deadline) break;
      await page.waitForTimeout(1000);
    }
    await checkProductImage(t, result, first);
    t.true((await loadedSource(page, result)).includes(`/media/${productId}/${first.id}/`));
  },
);

test.serial(
  'when an admin removes an image, then it leaves the list, the product and /media/, and focus stays in the section',
  async (t) => {
    const { platform, page, productId } = t.context;
    const [kept, removed] = await productImages(platform, productId);
    if (!kept || !removed) throw new Error('the product has fewer than two images');
    const section = await openImages(page, platform.gateway);
    // The browser of these tests accepts every confirm().
    await section.locator(`[data-image-id="${removed.id}"]`).getByRole('button', { name: 'Remove' }).click();
    await section.getByRole('status').filter({ hasText: 'Removed image 2.' }).waitFor();
    t.is(await section.locator('.image-list li').count(), 1);
    t.is(await section.locator('.image-list img').getAttribute('alt'), kept.alt);
    t.is(await page.evaluate('document.activeElement?.id'), 'images-title');
    t.regex(await text(section.locator('.image-count')), /^1 of 10 images/);
    t.deepEqual(
      (await productImages(platform, productId)).map((image) => image.id),
      [kept.id],
    );
    for (const size of removed.sizes) {
      t.is((await fetch(`${platform.gateway}${size.url}`)).status, 404, `${size.url} is deleted`);
    }
  },
);
