import type { ProductImage } from '@shop/api-client';
import { h } from './dom.js';

type ImageSize = ProductImage['sizes'][number];

/**
 * How wide an image shows in each layout, as an `<img sizes>`: the browser picks the file from
 * `srcset` before it has laid the page out, so these follow the stylesheet's grids (main is at
 * most 72rem wide with 1.5rem padding; cards are at least 14rem with 1rem padding and gap).
 */
export const imageLayouts = {
  /** The storefront's grid: one to four columns of cards. */
  grid: '(max-width: 32rem) calc(100vw - 5rem), (max-width: 47rem) calc(50vw - 4rem), (max-width: 62rem) calc(33vw - 4rem), 15rem',
  /** The search results' grid, beside the 16rem filters once the viewport is wider than 40rem. */
  searchGrid:
    '(max-width: 32rem) calc(100vw - 5rem), (max-width: 40rem) calc(50vw - 4rem), (max-width: 49.5rem) calc(100vw - 22.5rem), (max-width: 64.5rem) calc(50vw - 12.75rem), 15rem',
  /** The product page's first image: the whole width, or three fifths of it beside the text. */
  detail: '(max-width: 48rem) calc(100vw - 3rem), min(calc(60vw - 3rem), 41rem)',
  /** The product page's further images, three to a row under the first. */
  detailMore: '(max-width: 48rem) calc(33vw - 1.5rem), min(calc(20vw - 1.5rem), 13rem)',
  /** The staff console's thumbnails. */
  thumbnail: '8rem',
} as const;

export type ImageLayout = keyof typeof imageLayouts;

/** `srcset` of an image's sizes: each file with its width, as `/media/…/200.webp 200w, …`. */
export function srcsetOf(image: Pick<ProductImage, 'sizes'>): string {
  return image.sizes.map((size) => `${size.url} ${size.width}w`).join(', ');
}

/** The narrowest size (200 pixels, or the whole image when it is smaller): a thumbnail's file. */
export function thumbnailOf(image: Pick<ProductImage, 'sizes'>): ImageSize | undefined {
  return image.sizes.reduce<ImageSize | undefined>(
    (narrowest, size) => (narrowest && narrowest.width <= size.width ? narrowest : size),
    undefined,
  );
}

/** The widest size: the `src` of browsers that ignore `srcset`, and the largest a screen asks for. */
export function widestOf(image: Pick<ProductImage, 'sizes'>): ImageSize | undefined {
  return image.sizes.reduce<ImageSize | undefined>(
    (widest, size) => (widest && widest.width >= size.width ? widest : size),
    undefined,
  );
}

/** The image's pixel size at `width` pixels wide, keeping its aspect ratio (what `height` attributes need). */
export function heightAt(image: Pick<ProductImage, 'width' | 'height'>, width: number): number {
  return Math.max(1, Math.round((image.height * width) / image.width));
}

/**
 * The order of `ids` with the image `id` moved `offset` places (-1 earlier, 1 later); the same
 * order when it is not there or already at that end.
 */
export function movedOrder(ids: readonly string[], id: string, offset: -1 | 1): string[] {
  const from = ids.indexOf(id);
  const to = from + offset;
  if (from === -1 || to < 0 || to >= ids.length) return [...ids];
  const order = [...ids];
  order.splice(from, 1);
  order.splice(to, 0, id);
  return order;
}

/**
 * A product image as the pages show it: every size in `srcset` for the layout's `sizes`, the
 * widest as `src`, its own width and height so the page does not shift while it loads, its alt
 * text, and loaded only when it comes near the viewport.
 */
export function productImage(image: ProductImage, layout: ImageLayout, className?: string): HTMLImageElement {
  const widest = widestOf(image);
  return h('img', {
    class: className,
    src: widest?.url,
    srcset: srcsetOf(image),
    sizes: imageLayouts[layout],
    width: image.width,
    height: image.height,
    alt: image.alt,
    loading: 'lazy',
    decoding: 'async',
  });
}
