import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { defaultImageLimits } from './image-inspection.js';

/** The declared types an upload may have; the bytes are checked again once uploaded. */
export const uploadContentTypes = ['image/jpeg', 'image/png', 'image/webp', 'image/avif'] as const;
export type UploadContentType = (typeof uploadContentTypes)[number];

export interface UploadPostOptions {
  bucket: string;
  /** The object key the service chose; the client cannot pick another. */
  key: string;
  contentType: UploadContentType;
  /** The file's size in bytes, as the client declared it: the upload must be exactly that. */
  size: number;
  expiresSeconds: number;
  now?: () => number;
}

export interface UploadPost {
  method: 'POST';
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

/**
 * A presigned POST to the private upload bucket, whose policy pins the key, the declared type and
 * the declared size (at most 10 MB), valid for `expiresSeconds`. S3 refuses anything else; moto
 * (locally) does not enforce the conditions, which is why the bytes are inspected after upload.
 */
export async function uploadPost(s3: S3Client, options: UploadPostOptions): Promise<UploadPost> {
  if (options.size < 1 || options.size > defaultImageLimits.maxBytes) {
    throw new RangeError(`an upload is 1 to ${defaultImageLimits.maxBytes} bytes`);
  }
  const now = options.now ?? Date.now;
  const { url, fields } = await createPresignedPost(s3, {
    Bucket: options.bucket,
    Key: options.key,
    Conditions: [
      { bucket: options.bucket },
      ['eq', '$key', options.key],
      ['eq', '$Content-Type', options.contentType],
      ['content-length-range', options.size, options.size],
    ],
    Fields: { 'Content-Type': options.contentType },
    Expires: options.expiresSeconds,
  });
  return { method: 'POST', url, fields, expiresAt: new Date(now() + options.expiresSeconds * 1000).toISOString() };
}
