import test from 'ava';
import sharp from 'sharp';
import { defaultImageLimits, imageVariants, inspectImage } from '../src/media/image-inspection.js';

const photo = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 120, b: 40 } } });

test('when the bytes are a JPEG, PNG, WebP or AVIF image, then it passes with its format and size', async (t) => {
  for (const [format, bytes] of [
    ['jpeg', await photo(320, 200).jpeg().toBuffer()],
    ['png', await photo(320, 200).png().toBuffer()],
    ['webp', await photo(320, 200).webp().toBuffer()],
    ['avif', await photo(320, 200).avif().toBuffer()],
  ] as const) {
    t.like(await inspectImage(bytes), { ok: true, format, width: 320, height: 200, bytes: bytes.length }, format);
  }
});

test('when the bytes are not an allowed image, then it is refused with the reason, whatever the name said', async (t) => {
  const svg = Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>',
  );
  t.like(await inspectImage(svg), { ok: false, refusal: 'format-not-allowed' });
  t.like(await inspectImage(Buffer.from('this is a text file named photo.png')), {
    ok: false,
    refusal: 'not-an-image',
  });
  t.like(await inspectImage(Buffer.from('<!doctype html><html><script>alert(1)</script></html>')), {
    ok: false,
    refusal: 'not-an-image',
  });
  t.like(await inspectImage(await photo(40, 40).gif().toBuffer()), { ok: false, refusal: 'format-not-allowed' });
});

test('when an image is damaged, too large or has too many pixels, then it is refused before its pixels are decoded', async (t) => {
  const jpeg = await photo(800, 600).jpeg().toBuffer();
  t.like(await inspectImage(jpeg.subarray(0, Math.floor(jpeg.length / 2))), { ok: false, refusal: 'damaged' });
  t.like(await inspectImage(jpeg, { ...defaultImageLimits, maxBytes: jpeg.length - 1 }), {
    ok: false,
    refusal: 'too-large',
  });
  // A decompression bomb: 50 megapixels of one colour fit in a few hundred kilobytes of PNG.
  const bomb = await photo(10_000, 5_000).png({ compressionLevel: 9 }).toBuffer();
  t.true(bomb.length < defaultImageLimits.maxBytes);
  const verdict = await inspectImage(bomb);
  t.like(verdict, { ok: false, refusal: 'too-many-pixels' });
  t.regex(verdict.ok ? '' : verdict.detail, /10000 × 5000/);
});

test('when variants are made, then they are WebP at each width up to the original, without the metadata', async (t) => {
  const withGps = await photo(1000, 500)
    .jpeg()
    .withExif({ IFD0: { Copyright: 'shop' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
    .toBuffer();
  t.truthy((await sharp(withGps).metadata()).exif, 'the original carries EXIF');
  const variants = await imageVariants(withGps, [200, 600, 1200]);
  t.deepEqual(
    variants.map(({ width, height, contentType }) => ({ width, height, contentType })),
    [
      { width: 200, height: 100, contentType: 'image/webp' },
      { width: 600, height: 300, contentType: 'image/webp' },
      { width: 1000, height: 500, contentType: 'image/webp' },
    ],
  );
  for (const variant of variants) {
    const metadata = await sharp(variant.body).metadata();
    t.is(metadata.format, 'webp');
    t.is(metadata.exif, undefined, 'no EXIF (nor GPS) in what is served');
  }
});
