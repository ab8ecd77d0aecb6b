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
  isId,
  NotFoundError,
  type Page,
  parseIfMatch,
  requireGroup,
  requireIfMatch,
} from '@shop/platform';
import type { AdjustmentInput, StockService } from './stock.service.js';
import { historyCursor, productCursor } from './stock-cursors.js';
import type { StockView } from './stock-level.js';

function productId(raw: string | undefined): string {
  if (!isId(raw)) throw new NotFoundError('Product not found');
  return raw;
}

function reservationId(raw: string | undefined): string {
  if (!isId(raw)) throw new NotFoundError('Reservation not found');
  return raw;
}

export interface StockRoutesDeps {
  stock: StockService;
  idempotencyRepository: IdempotencyRepository;
  auth: AccessTokenVerifier;
}

/**
 * `/api/inventory`: a product's stock level is public (the storefront shows availability);
 * everything else is for inventory staff. Parse, validate, call the service, shape the reply.
 */
export function stockRoutes({ stock, idempotencyRepository, auth }: StockRoutesDeps): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/inventory' });
  const staff = requireGroup(auth, accessGroups.inventoryStaff);
  const idempotent = idempotency({ repository: idempotencyRepository, scope: 'inventory' });
  const contract = requestValidation();
  const listQuery = contract.query<{ limit: number; cursor?: string; lowStock?: boolean }>('listStockLevels');
  const stocktakeInput = contract.body<{ onHand: number; note?: string }>('takeStock');
  const thresholdInput = contract.body<{ lowStockThreshold: number }>('setLowStockThreshold');
  const adjustmentInput = contract.body<AdjustmentInput>('adjustStock');
  const historyQuery = contract.query<{ limit: number; cursor?: string }>('listAdjustments');
  const reservationInput = contract.body<{ quantity: number; ttlSeconds: number }>('reserveStock');

  router.get('/', staff, async (ctx) => {
    const query = listQuery({ ...ctx.query });
    const after = query.cursor !== undefined ? decodeCursor(query.cursor, productCursor).id : undefined;
    const { items, last, hasMore } = await stock.list(query.lowStock ? 'low' : 'all', query.limit, after);
    const page: Page<StockView> = { items, nextCursor: hasMore && last ? encodeCursor({ id: last }) : null };
    ctx.body = page;
  });

  router.get('/:productId', async (ctx) => {
    const view = await stock.get(productId(ctx.params.productId));
    ctx.set('ETag', formatEtag(view.version));
    ctx.body = view;
  });

  router.put('/:productId', staff, idempotent, async (ctx) => {
    const id = productId(ctx.params.productId);
    const ifMatch = requireIfMatch(parseIfMatch(ctx.get('if-match')));
    const body = stocktakeInput(ctx.request.body);
    const view = await stock.stocktake(id, body.onHand, ifMatch, body.note);
    ctx.set('ETag', formatEtag(view.version));
    ctx.body = view;
  });

  router.patch('/:productId', staff, idempotent, async (ctx) => {
    const id = productId(ctx.params.productId);
    const body = thresholdInput(ctx.request.body);
    const view = await stock.setThreshold(id, body.lowStockThreshold, parseIfMatch(ctx.get('if-match')));
    ctx.set('ETag', formatEtag(view.version));
    ctx.body = view;
  });

  router.post('/:productId/adjustments', staff, idempotent, async (ctx) => {
    const id = productId(ctx.params.productId);
    const input = adjustmentInput(ctx.request.body);
    const result = await stock.adjust(id, input, ctx.state.reservedId, ctx.state.reservedIdReused === true);
    ctx.status = 201;
    ctx.set('Location', `/api/inventory/${id}/adjustments/${result.adjustment.id}`);
    ctx.set('ETag', formatEtag(result.stock.version));
    ctx.body = result;
  });

  router.get('/:productId/adjustments', staff, async (ctx) => {
    const id = productId(ctx.params.productId);
    const query = historyQuery({ ...ctx.query });
    const before = query.cursor !== undefined ? Number(decodeCursor(query.cursor, historyCursor).v) : undefined;
    const { items, hasMore } = await stock.history(id, query.limit, before);
    const last = items.at(-1);
    ctx.body = { items, nextCursor: hasMore && last ? encodeCursor({ v: String(last.version) }) : null };
  });

  router.post('/:productId/reservations', staff, idempotent, async (ctx) => {
    const id = productId(ctx.params.productId);
    const body = reservationInput(ctx.request.body);
    const result = await stock.reserve(id, body.quantity, body.ttlSeconds, ctx.state.reservedId);
    ctx.status = 201;
    ctx.set('Location', `/api/inventory/${id}/reservations/${result.reservation.id}`);
    ctx.body = result.reservation;
  });

  router.get('/:productId/reservations/:reservationId', staff, async (ctx) => {
    ctx.body = await stock.getReservation(productId(ctx.params.productId), reservationId(ctx.params.reservationId));
  });

  router.post('/:productId/reservations/:reservationId/commit', staff, idempotent, async (ctx) => {
    const result = await stock.commitReservation(
      productId(ctx.params.productId),
      reservationId(ctx.params.reservationId),
    );
    ctx.body = result;
  });

  router.delete('/:productId/reservations/:reservationId', staff, idempotent, async (ctx) => {
    await stock.releaseReservation(productId(ctx.params.productId), reservationId(ctx.params.reservationId));
    ctx.status = 204;
  });

  return router;
}
