import test from 'ava';
import { altTextRefusal, declaredType, imageAccept, imageFileRefusal, megabytes } from '../src/image-file-check.js';

const tenMegabytes = 10 * 1024 * 1024;

test('when the file input is made, then it accepts the four image types the API takes', (t) => {
  t.is(imageAccept, 'image/jpeg,image/png,image/webp,image/avif');
});

test('when a JPEG, PNG, WebP or AVIF file of at most 10 MB is chosen, then it may be uploaded', (t) => {
  for (const type of ['image/jpeg', 'image/png', 'image/webp', 'image/avif']) {
    t.is(imageFileRefusal({ name: 'photo', type, size: tenMegabytes }), undefined, type);
  }
  t.is(declaredType({ type: 'image/png' }), 'image/png');
});

test('when no file is chosen, then the refusal asks for one', (t) => {
  t.is(imageFileRefusal(undefined), 'Choose an image file to upload.');
});

test('when a file of another type is chosen, then the refusal names the file, its type and the types allowed', (t) => {
  t.is(
    imageFileRefusal({ name: 'logo.svg', type: 'image/svg+xml', size: 10 }),
    'logo.svg is not a JPEG, PNG, WebP or AVIF image (it is image/svg+xml).',
  );
  t.is(imageFileRefusal({ name: 'notes', type: '', size: 10 }), 'notes is not a JPEG, PNG, WebP or AVIF image.');
  t.throws(() => declaredType({ type: 'image/gif' }), { instanceOf: TypeError });
});

test('when a file has more than 10 MB or none, then the refusal says how big it is and what is allowed', (t) => {
  t.is(
    imageFileRefusal({ name: 'big.jpg', type: 'image/jpeg', size: tenMegabytes + 1 }),
    'big.jpg has 10.1 MB; an image may have at most 10 MB.',
  );
  t.is(
    imageFileRefusal({ name: 'huge.jpg', type: 'image/jpeg', size: 15 * 1024 * 1024 }),
    'huge.jpg has 15 MB; an image may have at most 10 MB.',
  );
  t.is(imageFileRefusal({ name: 'empty.png', type: 'image/png', size: 0 }), 'empty.png is empty.');
  t.is(megabytes(11_010_048), '10.5 MB');
});

test('when alt text is missing or blank, then it is refused', (t) => {
  t.regex(altTextRefusal('') ?? '', /Describe what the image shows/);
  t.regex(altTextRefusal('   ') ?? '', /Describe what the image shows/);
});

test('when alt text has 300 characters, counted as code points, then it may be sent, and 301 may not', (t) => {
  t.is(altTextRefusal('x'.repeat(300)), undefined);
  t.is(altTextRefusal('🥾'.repeat(300)), undefined, 'an emoji counts once, as the API counts it');
  t.is(altTextRefusal('x'.repeat(301)), 'Alt text may have at most 300 characters; this has 301.');
});
