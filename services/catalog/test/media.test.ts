import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { serveOnStandIns } from '@shop/testing';
import anyTest, { type TestFn } from 'ava';
import sharp from 'sharp';
import { createApp } from '../src/app.js';
import { createS3Client } from '../src/media/media-storage.js';
import { productBody } from './catalog-harness.js';

// Catalog with its media on moto's S3 (the same buckets npm start makes), end to end: the
// presigned POST is sent to moto as a browser would, then attached and checked from its bytes.
const startCatalogWithMedia = () =>
  serveOnStandIns('catalog', createApp, (_kit, standIns) => ({
    media: {
      s3: createS3Client({ region: standIns.region, endpoint: standIns.motoEndpoint ?? '' }),
      buckets: { uploadBucket: standIns.mediaBuckets?.upload ?? '', mediaBucket: standIns.mediaBuckets?.media ?? '' },
    },
  }));
type Catalog = Awaited<ReturnType<typeof startCatalogWithMedia>>;
const test = anyTest as TestFn<{ catalog: Catalog; s3: S3Client }>;

test.before(async (t) => {
  t.context.catalog = await startCatalogWithMedia();
  const { standIns } = t.context.catalog;
  t.context.s3 = createS3Client({ region: standIns.region, endpoint: standIns.motoEndpoint ?? '' });
});
test.after.always(async (t) => {
  t.context.s3?.destroy();
  await t.context.catalog?.stop();
});

const photo = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 30, g: 110, b: 200 } } })
    .withExif({ IFD0: { Copyright: 'Shop' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 0/1' } })
    .jpeg()
    .toBuffer();

async function newProduct(catalog: Catalog): Promise<string> {
  const { body } = await catalog.requestAs('admin', 'POST', '/api/products', productBody());
  return body.id;
}

/** Asks for an upload and sends the file as the presigned form says; the upload's id. */
async function upload(catalog: Catalog, productId: string, bytes: Buffer, contentType = 'image/jpeg') {
  const asked = await catalog.requestAs('admin', 'POST', `/api/products/${productId}/images/uploads`, {
    contentType,
    size: bytes.length,
  });
  if (asked.status !== 201) throw new Error(`upload refused: ${JSON.stringify(asked.body)}`);
  const form = new FormData();
  for (const [name, value] of Object.entries(asked.body.fields as Record<string, string>)) form.append(name, value);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }));
  const sent = await fetch(asked.body.url, { method: 'POST', body: form });
  if (sent.status >= 300) throw new Error(`the upload form was refused: ${sent.status} ${await sent.text()}`);
  return asked.body as {
    uploadId: string;
    method: string;
    url: string;
    fields: Record<string, string>;
    expiresAt: string;
  };
}

const attach = (catalog: Catalog, productId: string, body: unknown, headers: Record<string, string> = {}) =>
  catalog.requestAs('admin', 'POST', `/api/products/${productId}/images`, body, headers);

async function mediaObject(t: { context: { s3: S3Client; catalog: Catalog } }, url: string) {
  const object = await t.context.s3.send(
    new GetObjectCommand({ Bucket: t.context.catalog.standIns.mediaBuckets?.media, Key: url.slice(1) }),
  );
  return { bytes: Buffer.from((await object.Body?.transformToByteArray()) ?? []), object };
}

async function exists(s3: S3Client, Bucket: string | undefined, Key: string): Promise<boolean> {
  return s3.send(new HeadObjectCommand({ Bucket, Key })).then(
    () => true,
    () => false,
  );
}

test('when an admin uploads a photo and attaches it, then the product carries its WebP sizes, stripped of metadata, with a media-changed event', async (t) => {
  const { catalog } = t.context;
  const productId = await newProduct(catalog);
  const bytes = await photo(1600, 1000);
  const asked = await upload(catalog, productId, bytes);
  t.is(asked.method, 'POST');
  t.regex(asked.uploadId, /^[0-9A-HJKMNP-TV-Z]{26}$/);
  t.true(Date.parse(asked.expiresAt) > Date.now());
  t.is(asked.fields.key, `uploads/${productId}/${asked.uploadId}`);

  const attached = await attach(
    catalog,
    productId,
    { uploadId: asked.uploadId, alt: 'A blue shoe' },
    { 'if-match': '"1"' },
  );
  t.is(attached.status, 201, JSON.stringify(attached.body));
  t.is(attached.headers.get('etag'), '"2"');
  const [image] = attached.body.images;
  t.like(image, { alt: 'A blue shoe', width: 1200, height: 750 });
  t.deepEqual(
    image.sizes.map((size: { width: number }) => size.width),
    [200, 600, 1200],
  );
  for (const size of image.sizes) {
    t.is(size.url, `/media/${productId}/${image.id}/${size.width}.webp`);
    const { bytes: file, object } = await mediaObject(t, size.url);
    t.is(object.ContentType, 'image/webp');
    t.is(object.CacheControl, 'public, max-age=31536000, immutable');
    const metadata = await sharp(file).metadata();
    t.is(metadata.format, 'webp');
    t.is(metadata.width, size.width);
    t.is(metadata.exif, undefined, 'no EXIF (or GPS) in a served size');
  }
  t.false(
    await exists(t.context.s3, catalog.standIns.mediaBuckets?.upload, asked.fields.key ?? ''),
    'the upload is deleted',
  );
  const read = await catalog.request('GET', `/api/products/${productId}`);
  t.deepEqual(read.body.images, attached.body.images);

  const events = await catalog.eventsOf(productId, (all) => all.length >= 2);
  t.deepEqual(
    events.map((event) => event.type),
    ['shop.catalog.product.created.v1', 'shop.catalog.product.media-changed.v1'],
  );
  t.deepEqual((events[1]?.data as { product: { images: unknown } } | undefined)?.product.images, attached.body.images);

  const again = await attach(catalog, productId, { uploadId: asked.uploadId, alt: 'Again' });
  t.is(again.status, 422, 'an upload is attached once');
});

test('when the uploaded bytes are not an allowed image, then attaching is a 422 naming why and the upload is deleted', async (t) => {
  const { catalog, s3 } = t.context;
  const productId = await newProduct(catalog);
  const svg = Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><script>alert(1)</script></svg>',
  );
  const jpeg = await photo(800, 600);
  const truncated = jpeg.subarray(0, Math.floor(jpeg.length / 2));
  for (const [what, bytes, reason] of [
    ['a text file named .png', Buffer.from('just text, named photo.png'), /not an image/],
    ['an HTML file', Buffer.from('<!doctype html><html><script>alert(1)</script></html>'), /not an image/],
    ['an SVG', svg, /svg images are not allowed/],
    ['a truncated JPEG', truncated, /truncated or damaged/],
  ] as const) {
    const asked = await upload(catalog, productId, bytes, 'image/png');
    const response = await attach(catalog, productId, { uploadId: asked.uploadId, alt: 'Nothing' });
    t.is(response.status, 422, what);
    t.is(response.headers.get('content-type'), 'application/problem+json');
    t.regex(response.body.detail, reason, what);
    t.false(await exists(s3, catalog.standIns.mediaBuckets?.upload, asked.fields.key ?? ''), `${what}: upload deleted`);
  }
  const product = await catalog.request('GET', `/api/products/${productId}`);
  t.deepEqual(product.body.images, []);
  t.is(product.body.version, 1, 'nothing was written');
});

test('when an upload was never made, is of another product, or the request is malformed, then it is a 422 and nothing changes', async (t) => {
  const { catalog } = t.context;
  const productId = await newProduct(catalog);
  const other = await newProduct(catalog);
  const path = `/api/products/${productId}/images/uploads`;
  for (const body of [
    { contentType: 'image/gif', size: 100 },
    { contentType: 'image/svg+xml', size: 100 },
    { contentType: 'image/jpeg', size: 10 * 1024 * 1024 + 1 },
    { contentType: 'image/jpeg', size: 0 },
    { contentType: 'image/jpeg' },
  ]) {
    const response = await catalog.requestAs('admin', 'POST', path, body);
    t.is(response.status, 422, JSON.stringify(body));
  }
  const notMade = await catalog.requestAs('admin', 'POST', path, { contentType: 'image/jpeg', size: 1000 });
  const never = await attach(catalog, productId, { uploadId: notMade.body.uploadId, alt: 'Never sent' });
  t.is(never.status, 422);
  t.regex(never.body.detail, /never uploaded/);
  const elsewhere = await upload(catalog, other, await photo(300, 200));
  const wrongProduct = await attach(catalog, productId, { uploadId: elsewhere.uploadId, alt: 'Not mine' });
  t.is(wrongProduct.status, 422);
  const good = await upload(catalog, productId, await photo(300, 200));
  for (const body of [
    { uploadId: good.uploadId },
    { uploadId: good.uploadId, alt: 'x'.repeat(301) },
    { uploadId: good.uploadId, alt: '' },
  ]) {
    t.is((await attach(catalog, productId, body)).status, 422, JSON.stringify(body).slice(0, 60));
  }
  t.is((await catalog.request('GET', `/api/products/${productId}`)).body.version, 1);
  t.is(
    (await attach(catalog, productId, { uploadId: good.uploadId, alt: 'Fine' })).status,
    201,
    'the upload is still usable',
  );
  t.is((await catalog.request('POST', path, { contentType: 'image/jpeg', size: 10 })).status, 401);
  t.is((await catalog.requestAs('staff', 'POST', path, { contentType: 'image/jpeg', size: 10 })).status, 403);
});

test('when images are reordered, relabelled and removed, then each is a version, files go with their image and an eleventh is refused', async (t) => {
  const { catalog, s3 } = t.context;
  const productId = await newProduct(catalog);
  const small = await sharp({ create: { width: 120, height: 80, channels: 3, background: '#884422' } })
    .png()
    .toBuffer();
  let product: {
    images: Array<{ id: string; alt: string; sizes: Array<{ url: string; width: number }> }>;
    version: number;
  } = (await catalog.request('GET', `/api/products/${productId}`)).body;
  for (let index = 0; index < 10; index += 1) {
    const asked = await upload(catalog, productId, small, 'image/png');
    product = (await attach(catalog, productId, { uploadId: asked.uploadId, alt: `Side ${index}` })).body;
  }
  t.is(product.images.length, 10);
  t.deepEqual(
    product.images[0]?.sizes.map((size) => size.width),
    [120],
    'never enlarged',
  );
  const eleventh = await catalog.requestAs('admin', 'POST', `/api/products/${productId}/images/uploads`, {
    contentType: 'image/png',
    size: small.length,
  });
  t.is(eleventh.status, 422);

  const ids = product.images.map((image) => image.id);
  const reversed = [...ids].reverse();
  const reordered = await catalog.requestAs(
    'admin',
    'PUT',
    `/api/products/${productId}/images/order`,
    { ids: reversed },
    { 'if-match': `"${product.version}"` },
  );
  t.is(reordered.status, 200);
  t.deepEqual(
    reordered.body.images.map((image: { id: string }) => image.id),
    reversed,
  );
  for (const ids of [
    reversed.slice(1),
    [...reversed.slice(1), reversed[1]],
    [...reversed.slice(1), '01JNB31SE09XVVNZM7ZSVB5E43'],
  ]) {
    t.is((await catalog.requestAs('admin', 'PUT', `/api/products/${productId}/images/order`, { ids })).status, 422);
  }
  const stale = await catalog.requestAs(
    'admin',
    'PUT',
    `/api/products/${productId}/images/order`,
    { ids },
    { 'if-match': `"${product.version}"` },
  );
  t.is(stale.status, 412);

  const first = reversed[0] ?? '';
  const relabelled = await catalog.requestAs('admin', 'PATCH', `/api/products/${productId}/images/${first}`, {
    alt: 'Front view',
  });
  t.is(relabelled.status, 200);
  t.is(relabelled.body.images[0].alt, 'Front view');
  t.is(
    (await catalog.requestAs('admin', 'PATCH', `/api/products/${productId}/images/${first}`, { alt: '' })).status,
    422,
  );
  t.is(
    (
      await catalog.requestAs('admin', 'PATCH', `/api/products/${productId}/images/01JNB31SE09XVVNZM7ZSVB5E43`, {
        alt: 'x',
      })
    ).status,
    404,
  );

  const removedImage = relabelled.body.images[0];
  const removed = await catalog.requestAs('admin', 'DELETE', `/api/products/${productId}/images/${first}`);
  t.is(removed.status, 200);
  t.is(removed.body.images.length, 9);
  for (const size of removedImage.sizes) {
    t.false(
      await exists(s3, catalog.standIns.mediaBuckets?.media, size.url.slice(1)),
      'a removed image leaves no file',
    );
  }
  const kept = removed.body.images[0].sizes[0].url.slice(1);
  t.true(await exists(s3, catalog.standIns.mediaBuckets?.media, kept));
  t.is((await catalog.requestAs('admin', 'DELETE', `/api/products/${productId}`)).status, 204);
  t.false(await exists(s3, catalog.standIns.mediaBuckets?.media, kept), 'a deleted product leaves no file');
});
