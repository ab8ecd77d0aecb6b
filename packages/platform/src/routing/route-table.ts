/**
 * Which service answers which paths. Defined once: the local gateway routes with it and the CDK
 * app turns it into ALB listener rules. Patterns use ALB path-pattern syntax (`*` any characters,
 * `?` one character, case-sensitive).
 */
export interface Route {
  service: 'catalog' | 'inventory';
  pathPatterns: string[];
  /** ALB rule priority; lower wins. */
  priority: number;
}

export const routeTable: readonly Route[] = [
  // The platform's OpenAPI document and its interactive reference (one document for every service).
  { service: 'catalog', pathPatterns: ['/api/openapi.json', '/api/docs', '/api/docs/*'], priority: 5 },
  { service: 'catalog', pathPatterns: ['/api/products', '/api/products/*'], priority: 10 },
  { service: 'inventory', pathPatterns: ['/api/inventory', '/api/inventory/*'], priority: 20 },
  // Behaviour events from the storefront (product views); catalog puts them on the stream.
  { service: 'catalog', pathPatterns: ['/api/events'], priority: 30 },
  // The staff dashboard's reads of the analytics metrics in CloudWatch.
  { service: 'inventory', pathPatterns: ['/api/dashboard', '/api/dashboard/*'], priority: 40 },
];

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

const compiled = routeTable
  .slice()
  .sort((a, b) => a.priority - b.priority)
  .map((route) => ({ route, patterns: route.pathPatterns.map(patternToRegExp) }));

/** The route for a request path, as the ALB would choose it; undefined when none matches. */
export function matchRoute(path: string): Route | undefined {
  return compiled.find(({ patterns }) => patterns.some((pattern) => pattern.test(path)))?.route;
}
