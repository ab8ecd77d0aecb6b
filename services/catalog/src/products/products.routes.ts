import Router from '@koa/router';
import { requestValidation } from '@shop/contracts';
import {
  type AccessTokenVerifier,
  type AppState,
  accessGroups,
  decodeCursor,
  encodeCursor,
  formatEtag,
  type IdempotencyRepository,
  idempotency,
  idSchema,
  isId,
  NotFoundError,
  type Page,
  parseIfMatch,
  requireGroup,
} from '@shop/platform';
import Joi from 'joi';
import { bodyPriceErrors, type ProductInput, type ProductPatch } from './product.js';
import { type ProductView, toView } from './product-view.js';
import type { ProductsService } from './products.service.js';

const cursorSchema = Joi.object({ id: idSchema().required() });

function productId(raw: string | undefined): string {
  if (!isId(raw)) throw new NotFoundError('Product not found');
  return raw;
}

export interface ProductsRoutesDeps {
  products: ProductsService;
  idempotencyRepository: IdempotencyRepository;
  auth: AccessTokenVerifier;
}

/** `/api/products`: reads are public; writes need a catalog admin. Parse, validate, call the service, shape the reply. */
export function productsRoutes({ products, idempotencyRepository, auth }: ProductsRoutesDeps): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/products' });
  const admin = requireGroup(auth, accessGroups.catalogAdmin);
  const idempotent = idempotency({ repository: idempotencyRepository, scope: 'catalog' });
  const contract = requestValidation();
  const listQuery = contract.query<{ limit: number; cursor?: string; category?: string }>('listProducts');
  const createInput = contract.body<ProductInput>('createProduct', [bodyPriceErrors]);
  const replaceInput = contract.body<ProductInput>('replaceProduct', [bodyPriceErrors]);
  const patchInput = contract.body<ProductPatch>('updateProduct', [bodyPriceErrors]);

  router.get('/', async (ctx) => {
    const query = listQuery({ ...ctx.query });
    const afterId = query.cursor !== undefined ? decodeCursor(query.cursor, cursorSchema).id : undefined;
    const { items, hasMore } = await products.list({
      limit: query.limit,
      ...(afterId ? { afterId } : {}),
      ...(query.category ? { category: query.category } : {}),
    });
    const last = items.at(-1);
    const page: Page<ProductView> = {
      items: items.map(toView),
      nextCursor: hasMore && last ? encodeCursor({ id: last.id }) : null,
    };
    ctx.body = page;
  });

  router.post('/', admin, idempotent, async (ctx) => {
    const input = createInput(ctx.request.body);
    const product = await products.create(input, ctx.state.reservedId);
    ctx.status = 201;
    ctx.set('Location', `/api/products/${product.id}`);
    ctx.set('ETag', formatEtag(product.version));
    ctx.body = toView(product);
  });

  router.get('/:id', async (ctx) => {
    const product = await products.get(productId(ctx.params.id));
    ctx.set('ETag', formatEtag(product.version));
    ctx.body = toView(product);
  });

  router.put('/:id', admin, idempotent, async (ctx) => {
    const id = productId(ctx.params.id);
    const input = replaceInput(ctx.request.body);
    const product = await products.replace(id, input, parseIfMatch(ctx.get('if-match')));
    ctx.set('ETag', formatEtag(product.version));
    ctx.body = toView(product);
  });

  router.patch('/:id', admin, idempotent, async (ctx) => {
    const id = productId(ctx.params.id);
    const patch = patchInput(ctx.request.body);
    const product = await products.patch(id, patch, parseIfMatch(ctx.get('if-match')));
    ctx.set('ETag', formatEtag(product.version));
    ctx.body = toView(product);
  });

  router.delete('/:id', admin, idempotent, async (ctx) => {
    await products.delete(productId(ctx.params.id), parseIfMatch(ctx.get('if-match')));
    ctx.status = 204;
  });

  return router;
}
