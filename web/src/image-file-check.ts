import { type ImageContentType, imageContentTypes, imageLimits } from '@shop/api-client';

/** The file input's `accept`: the four types the API takes. */
export const imageAccept = imageContentTypes.join(',');

/** The four types as people name them. */
export const imageTypeNames = 'JPEG, PNG, WebP or AVIF';

/** `10485760` → `10 MB`, `11010048` → `10.5 MB`. */
export function megabytes(bytes: number): string {
  return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
}

function isImageContentType(type: string): type is ImageContentType {
  return (imageContentTypes as readonly string[]).includes(type);
}

/**
 * Why a chosen file cannot be uploaded, before anything is sent (its type as the browser names it
 * from the file's name, its size), or undefined when it may be. The API checks the bytes again once
 * uploaded, so a file whose name lies is refused there.
 */
export function imageFileRefusal(file: { name: string; type: string; size: number } | undefined): string | undefined {
  if (!file) return 'Choose an image file to upload.';
  if (!isImageContentType(file.type)) {
    return `${file.name} is not a ${imageTypeNames} image${file.type ? ` (it is ${file.type})` : ''}.`;
  }
  if (file.size === 0) return `${file.name} is empty.`;
  if (file.size > imageLimits.maxBytes) {
    // Rounded up, so a file just over the limit never reads as the limit itself.
    const size = Math.ceil((file.size / (1024 * 1024)) * 10) / 10;
    return `${file.name} has ${size} MB; an image may have at most ${megabytes(imageLimits.maxBytes)}.`;
  }
  return undefined;
}

/** Why alt text cannot be sent (none, or too long in characters as the API counts them), or undefined. */
export function altTextRefusal(alt: string): string | undefined {
  if (alt.trim() === '') return 'Describe what the image shows, for people who cannot see it.';
  const length = [...alt].length;
  if (length > imageLimits.maxAltLength) {
    return `Alt text may have at most ${imageLimits.maxAltLength} characters; this has ${length}.`;
  }
  return undefined;
}

/** The type to declare for a file that passed `imageFileRefusal`. */
export function declaredType(file: { type: string }): ImageContentType {
  if (!isImageContentType(file.type)) throw new TypeError(`${file.type} is not an image type the API takes`);
  return file.type;
}
