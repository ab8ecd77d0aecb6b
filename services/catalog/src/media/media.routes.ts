import Router from '@koa/router';
import { requestValidation } from '@shop/contracts';
import {
  type AccessTokenVerifier,
  type AppState,
  accessGroups,
  formatEtag,
  type IdempotencyRepository,
  idempotency,
  isId,
  NotFoundError,
  parseIfMatch,
  requireGroup,
  ServiceUnavailableError,
} from '@shop/platform';
import type { Context } from 'koa';
import type { Product } from '../products/product.js';
import { toView } from '../products/product-view.js';
import type { MediaService } from './media.service.js';
import type { UploadContentType } from './upload-post.js';

function pathId(raw: string | undefined, what: 'Product' | 'Image'): string {
  if (!isId(raw)) throw new NotFoundError(`${what} not found`);
  return raw;
}

function answerProduct(ctx: Context, product: Product, status = 200): void {
  ctx.status = status;
  ctx.set('ETag', formatEtag(product.version));
  ctx.body = toView(product);
}

export interface MediaRoutesDeps {
  /** Absent where the service has no buckets: every image operation answers 503. */
  media: MediaService | undefined;
  idempotencyRepository: IdempotencyRepository;
  auth: AccessTokenVerifier;
}

/** `/api/products/{id}/images`: a catalog admin's uploads and the product's images. */
export function mediaRoutes({ media: configured, idempotencyRepository, auth }: MediaRoutesDeps): Router<AppState> {
  const media = configured as MediaService;
  const router = new Router<AppState>({ prefix: '/api/products/:id/images' });
  router.use(async (_ctx, next) => {
    if (!configured) throw new ServiceUnavailableError('Product media is not configured on this service', 60);
    await next();
  });
  const admin = requireGroup(auth, accessGroups.catalogAdmin);
  const idempotent = idempotency({ repository: idempotencyRepository, scope: 'catalog' });
  const contract = requestValidation();
  const uploadInput = contract.body<{ contentType: UploadContentType; size: number }>('createImageUpload');
  const attachInput = contract.body<{ uploadId: string; alt: string }>('attachProductImage');
  const orderInput = contract.body<{ ids: string[] }>('reorderProductImages');
  const altInput = contract.body<{ alt: string }>('updateProductImage');

  router.post('/uploads', admin, async (ctx) => {
    const productId = pathId(ctx.params.id, 'Product');
    const upload = await media.requestUpload(productId, uploadInput(ctx.request.body));
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = upload;
  });

  router.post('/', admin, idempotent, async (ctx) => {
    const productId = pathId(ctx.params.id, 'Product');
    const product = await media.attach(productId, attachInput(ctx.request.body), parseIfMatch(ctx.get('if-match')));
    ctx.set('Location', `/api/products/${productId}`);
    answerProduct(ctx, product, 201);
  });

  router.put('/order', admin, idempotent, async (ctx) => {
    const productId = pathId(ctx.params.id, 'Product');
    const { ids } = orderInput(ctx.request.body);
    answerProduct(ctx, await media.reorder(productId, ids, parseIfMatch(ctx.get('if-match'))));
  });

  router.patch('/:imageId', admin, idempotent, async (ctx) => {
    const productId = pathId(ctx.params.id, 'Product');
    const imageId = pathId(ctx.params.imageId, 'Image');
    const { alt } = altInput(ctx.request.body);
    answerProduct(ctx, await media.updateAlt(productId, imageId, alt, parseIfMatch(ctx.get('if-match'))));
  });

  router.delete('/:imageId', admin, idempotent, async (ctx) => {
    const productId = pathId(ctx.params.id, 'Product');
    const imageId = pathId(ctx.params.imageId, 'Image');
    answerProduct(ctx, await media.remove(productId, imageId, parseIfMatch(ctx.get('if-match'))));
  });

  return router;
}
