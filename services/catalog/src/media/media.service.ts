import {
  ConflictError,
  type IfMatch,
  type Logger,
  NotFoundError,
  newId,
  type ProductImage,
  ServiceUnavailableError,
  ValidationError,
} from '@shop/platform';
import type { Product } from '../products/product.js';
import type { ProductsService } from '../products/products.service.js';
import { imageVariants, inspectImage } from './image-inspection.js';
import { type MediaStorage, mediaPath } from './media-storage.js';
import type { UploadContentType } from './upload-post.js';
import type { UploadsRepository } from './uploads.repository.js';

/** A product shows at most this many images. */
export const maxImagesPerProduct = 10;

/** The widths of the WebP sizes written for every image (never wider than the original). */
export const imageWidths = [200, 600, 1200] as const;

/** How long a presigned upload may be used. */
const uploadExpiresSeconds = 10 * 60;

export interface MediaServiceDeps {
  products: ProductsService;
  uploads: UploadsRepository;
  storage: MediaStorage;
  logger: Logger;
  /** Images decoded at once; decoding is CPU- and memory-bound, so a few at a time. */
  concurrency?: number;
  /** Attaches that may wait for a turn; beyond them an attach answers 503 with Retry-After. */
  queueLimit?: number;
  now?: () => Date;
}

const tooManyImages = () =>
  new ValidationError(
    [{ field: 'images', message: `a product has at most ${maxImagesPerProduct} images` }],
    `The product already has ${maxImagesPerProduct} images`,
  );

const refusedFile = (reason: string) =>
  new ValidationError([{ field: 'uploadId', message: reason }], `The uploaded file was refused: ${reason}`);

/** What processing an upload came to. */
type Processed = { image: ProductImage } | { refused: string } | { missing: true };

const imageNotFound = () => new NotFoundError('Image not found');

/** Product images: uploads straight to S3, checked and resized before anything is attached or served. */
export class MediaService {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly now: () => Date;

  constructor(private readonly deps: MediaServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async requestUpload(productId: string, file: { contentType: UploadContentType; size: number }) {
    const product = await this.deps.products.get(productId);
    if ((product.images?.length ?? 0) >= maxImagesPerProduct) throw tooManyImages();
    const uploadId = newId();
    await this.deps.uploads.create({ productId, uploadId, ...file, createdAt: this.now().toISOString() });
    const post = await this.deps.storage.presignUpload(productId, uploadId, file, uploadExpiresSeconds);
    return { uploadId, ...post };
  }

  /**
   * Checks the upload's bytes, writes its sizes to the media bucket and appends the image to the
   * product. A refused file is deleted with its upload; a failure that may pass (S3, the table, a
   * 412) leaves the upload to be attached again.
   */
  async attach(productId: string, request: { uploadId: string; alt: string }, ifMatch: IfMatch): Promise<Product> {
    const { uploadId } = request;
    const product = await this.deps.products.get(productId);
    if ((product.images?.length ?? 0) >= maxImagesPerProduct) throw tooManyImages();
    const claim = await this.deps.uploads.claim(productId, uploadId);
    if ('missing' in claim) {
      throw refusedFile('no upload of this product has this id (never asked for, expired, or already attached)');
    }
    if ('busy' in claim) throw new ConflictError('This upload is being attached by another request');
    const outcome = await this.process(productId, uploadId, request.alt).catch(async (error: unknown) => {
      await this.deps.uploads.release(productId, uploadId);
      throw error;
    });
    if ('missing' in outcome) {
      await this.deps.uploads.release(productId, uploadId);
      throw new ValidationError(
        [{ field: 'uploadId', message: 'the file was never uploaded' }],
        'The file for this upload was never uploaded',
      );
    }
    if ('refused' in outcome) {
      await this.discardUpload(productId, uploadId);
      throw refusedFile(outcome.refused);
    }
    const { image } = outcome;
    const updated = await this.deps.products
      .changeImages(productId, ifMatch, (current) => {
        if ((current.images?.length ?? 0) >= maxImagesPerProduct) throw tooManyImages();
        return [...(current.images ?? []), image];
      })
      .catch(async (error: unknown) => {
        await this.removeFiles(image.sizes.map((size) => size.url));
        await this.deps.uploads.release(productId, uploadId);
        throw error;
      });
    await this.discardUpload(productId, uploadId);
    return updated;
  }

  updateAlt(productId: string, imageId: string, alt: string, ifMatch: IfMatch): Promise<Product> {
    return this.deps.products.changeImages(productId, ifMatch, (current) => {
      const images = current.images ?? [];
      if (!images.some((image) => image.id === imageId)) throw imageNotFound();
      return images.map((image) => (image.id === imageId ? { ...image, alt } : image));
    });
  }

  async remove(productId: string, imageId: string, ifMatch: IfMatch): Promise<Product> {
    let removed: ProductImage | undefined;
    const updated = await this.deps.products.changeImages(productId, ifMatch, (current) => {
      const images = current.images ?? [];
      removed = images.find((image) => image.id === imageId);
      if (!removed) throw imageNotFound();
      return images.filter((image) => image.id !== imageId);
    });
    if (removed) await this.removeFiles(removed.sizes.map((size) => size.url));
    return updated;
  }

  reorder(productId: string, ids: readonly string[], ifMatch: IfMatch): Promise<Product> {
    return this.deps.products.changeImages(productId, ifMatch, (current) => {
      const images = current.images ?? [];
      const byId = new Map(images.map((image) => [image.id, image]));
      const named = new Set(ids);
      if (ids.length !== images.length || named.size !== ids.length || ids.some((id) => !byId.has(id))) {
        throw new ValidationError(
          [{ field: 'ids', message: 'must name every image of the product exactly once' }],
          'The order must name every image of the product exactly once',
        );
      }
      return ids.map((id) => byId.get(id) as ProductImage);
    });
  }

  /** Deletes image files; a failure is logged, the product itself is already right. */
  async removeFiles(paths: readonly string[]): Promise<void> {
    if (paths.length === 0) return;
    await this.deps.storage.deleteMedia(paths).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, paths }, 'image files not deleted; they stay in the media bucket');
    });
  }

  private async process(productId: string, uploadId: string, alt: string): Promise<Processed> {
    const file = await this.deps.storage.readUpload(productId, uploadId);
    if ('missing' in file) return file;
    if ('tooLarge' in file) return { refused: `the file has ${file.tooLarge} bytes; at most 10485760 are allowed` };
    return this.inTurn(async () => {
      const inspection = await inspectImage(file.bytes);
      if (!inspection.ok) return { refused: inspection.detail };
      const imageId = newId();
      const variants = await imageVariants(file.bytes, imageWidths);
      const largest = variants.at(-1);
      if (!largest) return { refused: 'the image has no pixels' };
      const sizes = variants.map((variant) => ({
        width: variant.width,
        url: mediaPath(productId, imageId, variant.width),
      }));
      await Promise.all(
        variants.map((variant, index) => this.deps.storage.putVariant(sizes[index]?.url ?? '', variant.body)),
      );
      return { image: { id: imageId, alt, width: largest.width, height: largest.height, sizes } };
    });
  }

  /** Runs image work at most `concurrency` at a time, handing the slot straight to the next in line. */
  private async inTurn<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= (this.deps.concurrency ?? 2)) {
      if (this.waiting.length >= (this.deps.queueLimit ?? 16)) {
        throw new ServiceUnavailableError('Too many images are being processed; retry shortly', 2);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running -= 1;
    }
  }

  private async discardUpload(productId: string, uploadId: string): Promise<void> {
    await Promise.all([
      this.deps.storage.deleteUpload(productId, uploadId),
      this.deps.uploads.delete(productId, uploadId),
    ]).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, productId, uploadId }, 'upload not deleted; the bucket lifecycle removes it');
    });
  }
}
