import test from 'ava';
import { matchRoute, routeTable } from '../src/index.js';

test('when a path is routed, then the ALB patterns of the route table decide', (t) => {
  t.is(matchRoute('/api/products')?.service, 'catalog');
  t.is(matchRoute('/api/products/01H00000000000000000000000')?.service, 'catalog');
  t.is(matchRoute('/api/openapi.json')?.service, 'catalog');
  t.is(matchRoute('/api/docs/index.css')?.service, 'catalog');
  t.is(matchRoute('/api/events')?.service, 'catalog');
  t.is(matchRoute('/api/inventory')?.service, 'inventory');
  t.is(matchRoute('/api/inventory/01H00000000000000000000000/adjustments')?.service, 'inventory');
  t.is(matchRoute('/api/dashboard')?.service, 'inventory');
  t.is(matchRoute('/api/productsX'), undefined);
  t.is(matchRoute('/api/openapiXjson'), undefined, 'a dot in a pattern is a dot');
  t.is(matchRoute('/API/products'), undefined, 'patterns are case-sensitive, as on the ALB');
  t.is(matchRoute('/'), undefined);
});

test('when the route table is built from the services, then it is in priority order and no two routes share a priority', (t) => {
  const priorities = routeTable.map((route) => route.priority);
  t.deepEqual(
    priorities,
    [...priorities].sort((a, b) => a - b),
  );
  t.is(new Set(priorities).size, priorities.length, 'an ALB listener takes each priority once');
});
