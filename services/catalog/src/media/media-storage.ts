import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { awsClientConfig } from '@shop/platform';
import { defaultImageLimits } from './image-inspection.js';
import { type UploadContentType, type UploadPost, uploadPost } from './upload-post.js';

export interface MediaBuckets {
  /** Private; uploads land here and are deleted once checked (or by the bucket's lifecycle). */
  uploadBucket: string;
  /** Private; only checked, re-encoded sizes, served under `/media/` by the CDN. */
  mediaBucket: string;
  /** Where clients send the upload form instead of the bucket's own URL (the local gateway). */
  uploadUrl?: string;
}

/** What the upload held: its bytes, or why there are none to read. */
export type UploadedFile = { bytes: Buffer } | { missing: true } | { tooLarge: number };

/** Variants never change under a key (a new image gets a new id), so caches may keep them for good. */
export const mediaCacheControl = 'public, max-age=31536000, immutable';

/** An S3 client for the media buckets; path-style addressing where an endpoint (moto) is given. */
export function createS3Client(options: { region: string; endpoint?: string }): S3Client {
  return new S3Client({
    ...awsClientConfig({ region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) }),
    ...(options.endpoint ? { forcePathStyle: true } : {}),
  });
}

const uploadKey = (productId: string, uploadId: string) => `uploads/${productId}/${uploadId}`;

/** The URL path of a product image's size; its object key in the media bucket is the same without the leading slash. */
export const mediaPath = (productId: string, imageId: string, width: number) =>
  `/media/${productId}/${imageId}/${width}.webp`;

// Without s3:ListBucket (catalog's role has none) S3 answers a missing key with 403, not 404.
const isMissing = (error: unknown) => {
  const name = (error as { name?: string }).name;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return name === 'NotFound' || name === 'NoSuchKey' || status === 403;
};

/** The upload and media buckets, as catalog uses them. */
export class MediaStorage {
  constructor(
    private readonly s3: S3Client,
    private readonly buckets: MediaBuckets,
  ) {}

  async presignUpload(
    productId: string,
    uploadId: string,
    file: { contentType: UploadContentType; size: number },
    expiresSeconds: number,
  ): Promise<UploadPost> {
    const post = await uploadPost(this.s3, {
      bucket: this.buckets.uploadBucket,
      key: uploadKey(productId, uploadId),
      ...file,
      expiresSeconds,
    });
    return this.buckets.uploadUrl ? { ...post, url: this.buckets.uploadUrl } : post;
  }

  /** Reads an upload, without reading more than the size limit allows. */
  async readUpload(productId: string, uploadId: string): Promise<UploadedFile> {
    const Key = uploadKey(productId, uploadId);
    try {
      const head = await this.s3.send(new HeadObjectCommand({ Bucket: this.buckets.uploadBucket, Key }));
      const size = head.ContentLength ?? 0;
      if (size > defaultImageLimits.maxBytes) return { tooLarge: size };
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.buckets.uploadBucket, Key }));
      const bytes = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
      return bytes.length > defaultImageLimits.maxBytes ? { tooLarge: bytes.length } : { bytes };
    } catch (error) {
      if (isMissing(error)) return { missing: true };
      throw error;
    }
  }

  async deleteUpload(productId: string, uploadId: string): Promise<void> {
    await this.s3.send(
      new DeleteObjectCommand({ Bucket: this.buckets.uploadBucket, Key: uploadKey(productId, uploadId) }),
    );
  }

  async putVariant(path: string, body: Buffer): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.buckets.mediaBucket,
        Key: path.slice(1),
        Body: body,
        ContentType: 'image/webp',
        CacheControl: mediaCacheControl,
      }),
    );
  }

  /** Deletes the files behind these `/media/` paths (one call for up to 1,000). */
  async deleteMedia(paths: readonly string[]): Promise<void> {
    for (let start = 0; start < paths.length; start += 1000) {
      await this.s3.send(
        new DeleteObjectsCommand({
          Bucket: this.buckets.mediaBucket,
          Delete: { Objects: paths.slice(start, start + 1000).map((path) => ({ Key: path.slice(1) })), Quiet: true },
        }),
      );
    }
  }
}
