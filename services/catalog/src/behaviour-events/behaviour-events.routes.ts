import Router from '@koa/router';
import { requestValidation } from '@shop/contracts';
import { type AppState, type RateLimitOptions, rateLimit } from '@shop/platform';
import type { BehaviourEventsService } from './behaviour-events.service.js';

/** A body `recordBehaviourEvent` accepts (the contract's `BehaviourEvent`). */
interface ProductViewedInput {
  type: 'product-viewed';
  version: 1;
  productId: string;
}

export interface BehaviourEventsRoutesDeps {
  events: BehaviourEventsService;
  /** Per client, on top of the service-wide limit. */
  rateLimit: RateLimitOptions;
}

/**
 * `/api/events`: behaviour events the storefront sends with `navigator.sendBeacon`, one per
 * request. Public, so it has its own tighter per-client limit, checked before anything else.
 */
export function behaviourEventsRoutes({ events, rateLimit: limit }: BehaviourEventsRoutesDeps): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/events' });
  const eventInput = requestValidation().body<ProductViewedInput>('recordBehaviourEvent');

  router.post('/', rateLimit(limit), async (ctx) => {
    const input = eventInput(ctx.request.body);
    await events.productViewed(input.productId);
    // An explicit null body is sent empty; it goes first because setting it turns the status into 204.
    ctx.body = null;
    ctx.status = 202;
  });

  return router;
}
