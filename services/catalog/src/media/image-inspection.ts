import sharp, { type Metadata } from 'sharp';

// Every upload is new bytes: libvips' operation cache would only hold memory between them.
sharp.cache(false);

/** The formats a product image may be uploaded in, as the bytes (not the name) say. */
export const allowedImageFormats = ['jpeg', 'png', 'webp', 'avif'] as const;
export type ImageFormat = (typeof allowedImageFormats)[number];

export interface ImageLimits {
  maxBytes: number;
  /** Width × height; checked from the header, before any pixel is decoded. */
  maxPixels: number;
}

export const defaultImageLimits: ImageLimits = { maxBytes: 10 * 1024 * 1024, maxPixels: 40_000_000 };

/** Why an upload is not an image the storefront may show. */
export type ImageRefusal = 'too-large' | 'not-an-image' | 'format-not-allowed' | 'too-many-pixels' | 'damaged';

export type ImageInspection =
  | { ok: true; format: ImageFormat; width: number; height: number; bytes: number }
  | { ok: false; refusal: ImageRefusal; detail: string };

const refused = (refusal: ImageRefusal, detail: string): ImageInspection => ({ ok: false, refusal, detail });

/**
 * Decides from an upload's bytes whether it is an image the storefront may show: its size, what
 * the bytes are (libvips reads the signature, so a text file named `.png` or an SVG is found out),
 * its pixel count from the header (a decompression bomb is refused before it is decoded), and a
 * full decode (a truncated or damaged file is refused). The bytes themselves are never served:
 * only variants re-encoded from the decoded pixels are, so nothing else a file carries (metadata,
 * a second format's payload) reaches a shopper.
 */
export async function inspectImage(bytes: Buffer, limits: ImageLimits = defaultImageLimits): Promise<ImageInspection> {
  if (bytes.length > limits.maxBytes) {
    return refused('too-large', `the file has ${bytes.length} bytes; at most ${limits.maxBytes} are allowed`);
  }
  let header: Metadata;
  try {
    header = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    return refused('not-an-image', 'the file is not an image');
  }
  // libvips reports AVIF as HEIF with AV1 compression; HEIF with HEVC (HEIC) is not allowed.
  const format = header.format === 'heif' && header.compression === 'av1' ? 'avif' : String(header.format);
  if (!(allowedImageFormats as readonly string[]).includes(format)) {
    return refused('format-not-allowed', `${format} images are not allowed; use JPEG, PNG, WebP or AVIF`);
  }
  const width = header.width ?? 0;
  const height = header.height ?? 0;
  if (width * height > limits.maxPixels) {
    return refused(
      'too-many-pixels',
      `the image has ${width} × ${height} pixels; at most ${limits.maxPixels} are allowed`,
    );
  }
  try {
    await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'truncated' }).raw().toBuffer();
  } catch {
    return refused('damaged', 'the image is truncated or damaged');
  }
  return { ok: true, format: format as ImageFormat, width, height, bytes: bytes.length };
}

export interface ImageVariant {
  width: number;
  height: number;
  contentType: 'image/webp';
  body: Buffer;
}

/**
 * The sizes the storefront serves: WebP at each of `widths` no wider than the original (never
 * enlarged), oriented as the camera said, with no metadata (EXIF, GPS, ICC beyond sRGB) kept.
 */
export async function imageVariants(
  bytes: Buffer,
  widths: readonly number[],
  maxPixels = defaultImageLimits.maxPixels,
) {
  const decoded = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'truncated' }).rotate();
  const { width: originalWidth = 0 } = await decoded.metadata();
  const wanted = [...new Set(widths.map((width) => Math.min(width, originalWidth)))].sort((a, b) => a - b);
  return Promise.all(
    wanted.map(async (width): Promise<ImageVariant> => {
      const { data, info } = await decoded
        .clone()
        .resize({ width, withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, contentType: 'image/webp', body: data };
    }),
  );
}
