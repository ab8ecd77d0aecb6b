import Router from '@koa/router';
import { requestValidation } from '@shop/contracts';
import { type AccessTokenVerifier, type AppState, accessGroups, requireGroup } from '@shop/platform';
import type { MetricsDashboard } from './metrics-dashboard.js';

export interface DashboardRoutesDeps {
  dashboard: MetricsDashboard;
  auth: AccessTokenVerifier;
}

/** `/api/dashboard`: the staff dashboard's reads of the analytics metrics, for inventory staff only. */
export function dashboardRoutes({ dashboard, auth }: DashboardRoutesDeps): Router<AppState> {
  const router = new Router<AppState>({ prefix: '/api/dashboard' });
  const staff = requireGroup(auth, accessGroups.inventoryStaff);
  const metricsQuery = requestValidation().query<{ minutes: number }>('getDashboardMetrics');

  router.get('/metrics', staff, async (ctx) => {
    const { minutes } = metricsQuery({ ...ctx.query });
    ctx.body = await dashboard.read(minutes);
    // The service shares answers for as long; a browser may keep its own copy as long, no proxy may.
    ctx.set('Cache-Control', `private, max-age=${dashboard.cacheSeconds}`);
  });

  return router;
}
