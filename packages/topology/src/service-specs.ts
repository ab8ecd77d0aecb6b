/**
 * The platform's processes, described once: what each is called, which module starts it, where it
 * listens, and which paths each HTTP service answers. The services' mains take their defaults from
 * here, `npm start` and the benchmarks launch from it, and the CDK app builds the fleets, their
 * boot settings and the ALB's rules from it.
 */

/** The services behind the ALB (the gateway locally), each on a fleet of its own. */
export type HttpServiceName = 'catalog' | 'inventory';

/** A port a process listens on: the variable it reads, and the port it takes without it. */
export interface PortSetting {
  env: string;
  default: number;
}

/**
 * Where a process serves `GET /metrics` (127.0.0.1 only). Every process reads `METRICS_PORT` and
 * takes `default` without it. `npm start` runs them all on one host, so it reads one variable per
 * process instead, `localEnv`, and passes its value on as `METRICS_PORT`.
 */
export interface MetricsPortSetting {
  default: number;
  localEnv: string;
}

/** What every process of the platform has, HTTP service or worker. */
export interface ProcessSpec<Name extends string = string> {
  name: Name;
  /** The module that starts the process, relative to the repository root (the app bundle's root in AWS). */
  entryPoint: string;
  metricsPort: MetricsPortSetting;
}

/** A worker of the stream: a KCL application, whose name is also its lease table's. */
export interface KclWorkerSpec<Name extends string = string> extends ProcessSpec<Name> {
  applicationName: string;
}

/** Paths a service answers, in ALB path-pattern syntax (`*` any characters, `?` one, case-sensitive). */
export interface RouteSpec {
  pathPatterns: readonly string[];
  /** ALB rule priority, unique across every service's routes; lower wins. */
  priority: number;
}

export interface HttpServiceSpec<Name extends HttpServiceName = HttpServiceName> extends ProcessSpec<Name> {
  /** The API port, which the ALB and the gateway send requests to. */
  port: PortSetting;
  routes: readonly RouteSpec[];
}

export const httpServices: { readonly [Name in HttpServiceName]: HttpServiceSpec<Name> } = {
  catalog: {
    name: 'catalog',
    entryPoint: 'services/catalog/src/main.ts',
    port: { env: 'CATALOG_PORT', default: 3001 },
    metricsPort: { default: 9101, localEnv: 'CATALOG_METRICS_PORT' },
    routes: [
      // The platform's OpenAPI document and its interactive reference (one document for every service).
      { pathPatterns: ['/api/openapi.json', '/api/docs', '/api/docs/*'], priority: 5 },
      { pathPatterns: ['/api/products', '/api/products/*'], priority: 10 },
      // Behaviour events from the storefront (product views); catalog puts them on the stream.
      { pathPatterns: ['/api/events'], priority: 30 },
    ],
  },
  inventory: {
    name: 'inventory',
    entryPoint: 'services/inventory/src/main.ts',
    port: { env: 'INVENTORY_PORT', default: 3002 },
    metricsPort: { default: 9102, localEnv: 'INVENTORY_METRICS_PORT' },
    routes: [
      { pathPatterns: ['/api/inventory', '/api/inventory/*'], priority: 20 },
      // The staff dashboard's reads of the analytics metrics in CloudWatch.
      { pathPatterns: ['/api/dashboard', '/api/dashboard/*'], priority: 40 },
    ],
  },
};

/** The HTTP services, in the order they are started and their fleets built. */
export const httpServiceSpecs: readonly HttpServiceSpec[] = Object.values(httpServices);

/**
 * An analytics worker: the KCL daemon and its record processors. It pulls from the stream, so it
 * listens for nothing but `/metrics`; where `npm start` runs several, the next ones count up from
 * the first one's port.
 */
export const analyticsWorker: KclWorkerSpec<'analytics'> = {
  name: 'analytics',
  entryPoint: 'services/analytics/src/worker/analytics-worker.ts',
  metricsPort: { default: 9103, localEnv: 'ANALYTICS_METRICS_PORT' },
  applicationName: 'shop-analytics',
};

/**
 * The search indexer: a second KCL application on the same stream, with its own lease table
 * (`applicationName`), which keeps the product index (OpenSearch) up to date. It runs beside the
 * analytics workers, from the same workspace.
 */
export const searchIndexer: KclWorkerSpec<'search-indexer'> = {
  name: 'search-indexer',
  entryPoint: 'services/analytics/src/worker/search-indexer-worker.ts',
  metricsPort: { default: 9104, localEnv: 'SEARCH_INDEXER_METRICS_PORT' },
  applicationName: 'shop-search-indexer',
};
