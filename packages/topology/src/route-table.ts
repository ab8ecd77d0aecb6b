import { type HttpServiceName, httpServiceSpecs, type RouteSpec } from './service-specs.js';

/** One route of a service, with the service it goes to. */
export interface Route extends RouteSpec {
  service: HttpServiceName;
}

/**
 * Which service answers which paths: every service's routes, in priority order. The local gateway
 * routes with it and the CDK app turns it into ALB listener rules, one per route.
 */
export const routeTable: readonly Route[] = httpServiceSpecs
  .flatMap((spec) => spec.routes.map((route): Route => ({ service: spec.name, ...route })))
  .sort((a, b) => a.priority - b.priority);

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

const compiled = routeTable.map((route) => ({ route, patterns: route.pathPatterns.map(patternToRegExp) }));

/** The route for a request path, as the ALB would choose it; undefined when none matches. */
export function matchRoute(path: string): Route | undefined {
  return compiled.find(({ patterns }) => patterns.some((pattern) => pattern.test(path)))?.route;
}
