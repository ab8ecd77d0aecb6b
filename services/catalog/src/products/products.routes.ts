import Router from '@koa/router';
import {
  type AccessTokenVerifier,
  type AppState,
  accessGroups,
  decodeCursor,
  encodeCursor,
  formatEtag,
  fromMinorUnits,
  type IdempotencyRepository,
  idempotency,
  idSchema,
  isId,
  NotFoundError,
  type Page,
  parseIfMatch,
  requireGroup,
  validate,
} from '@shop/platform';
import Joi from 'joi';
import type { Product, ProductInput, ProductPatch } from './product.js';
import { listProductsQuery, productInputSchema, productPatchSchema } from './products.schema.js';
import type { ProductsService } from './products.service.js';

/** The API view of a product: money as a decimal amount in its currency. */
export type ProductView = Omit<Product, 'priceMinor'> & { price: number };

function toView(product: Product): ProductView {
  const { priceMinor, ...rest } = product;
  return { ...rest, price: fromMinorUnits(priceMinor, product.currency) };
}

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

  router.get('/', async (ctx) => {
    const query = validate(listProductsQuery, ctx.query, { coerce: true }) as {
      limit: number;
      cursor?: string;
      category?: string;
    };
    const afterId = query.cursor ? decodeCursor(query.cursor, cursorSchema).id : undefined;
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
    const input = validate<ProductInput>(productInputSchema, ctx.request.body);
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
    const input = validate<ProductInput>(productInputSchema, ctx.request.body);
    const product = await products.replace(id, input, parseIfMatch(ctx.get('if-match')));
    ctx.set('ETag', formatEtag(product.version));
    ctx.body = toView(product);
  });

  router.patch('/:id', admin, idempotent, async (ctx) => {
    const id = productId(ctx.params.id);
    const patch = validate<ProductPatch>(productPatchSchema, ctx.request.body);
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
