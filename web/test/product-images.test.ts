import test from 'ava';
import { heightAt, imageLayouts, movedOrder, srcsetOf, thumbnailOf, widestOf } from '../src/product-images.js';

const base = '/media/01JNB31SE09XVVNZM7ZSVB5E43/01JNB4C0B5R0TQ9K2Y4W8D3F1H';
const photo = {
  width: 1200,
  height: 900,
  sizes: [
    { width: 200, url: `${base}/200.webp` },
    { width: 600, url: `${base}/600.webp` },
    { width: 1200, url: `${base}/1200.webp` },
  ],
};

test('when an image has three sizes, then srcset names each file with its width descriptor, narrowest first', (t) => {
  t.is(srcsetOf(photo), `${base}/200.webp 200w, ${base}/600.webp 600w, ${base}/1200.webp 1200w`);
});

test('when an image is narrower than 200 pixels, then its one size is the srcset, the thumbnail and the widest', (t) => {
  const icon = { width: 150, height: 100, sizes: [{ width: 150, url: `${base}/150.webp` }] };
  t.is(srcsetOf(icon), `${base}/150.webp 150w`);
  t.is(thumbnailOf(icon)?.url, `${base}/150.webp`);
  t.is(widestOf(icon)?.url, `${base}/150.webp`);
});

test('when a thumbnail is wanted, then it is the 200 size, and src is the 1200 size, whatever the order of sizes', (t) => {
  const shuffled = { sizes: [photo.sizes[1], photo.sizes[2], photo.sizes[0]].filter((size) => size !== undefined) };
  t.is(thumbnailOf(shuffled)?.width, 200);
  t.is(widestOf(shuffled)?.width, 1200);
  t.is(thumbnailOf({ sizes: [] }), undefined);
});

test('when a thumbnail is shown at 200 pixels, then its height keeps the aspect ratio, rounded and at least 1', (t) => {
  t.is(heightAt(photo, 200), 150);
  t.is(heightAt({ width: 1200, height: 901 }, 200), 150);
  t.is(heightAt({ width: 1200, height: 2 }, 200), 1);
});

test('when an image moves earlier or later, then only it and its neighbour swap places', (t) => {
  const ids = ['a', 'b', 'c', 'd'];
  t.deepEqual(movedOrder(ids, 'c', -1), ['a', 'c', 'b', 'd']);
  t.deepEqual(movedOrder(ids, 'b', 1), ['a', 'c', 'b', 'd']);
  t.deepEqual(ids, ['a', 'b', 'c', 'd'], 'the order given is left as it was');
});

test('when an image is at the end it moves towards, or not in the order, then the order stays the same', (t) => {
  const ids = ['a', 'b'];
  t.deepEqual(movedOrder(ids, 'a', -1), ['a', 'b']);
  t.deepEqual(movedOrder(ids, 'b', 1), ['a', 'b']);
  t.deepEqual(movedOrder(ids, 'z', 1), ['a', 'b']);
});

test('when a layout names its widths, then every sizes value ends with a fallback length and no condition', (t) => {
  for (const [layout, sizes] of Object.entries(imageLayouts)) {
    const last = sizes.split(',').at(-1)?.trim() ?? '';
    t.notRegex(last, /^\(/, `${layout} ends with a width for every other viewport`);
    t.regex(last, /(rem|px|vw|\))$/, `${layout} ends with a length`);
  }
});
