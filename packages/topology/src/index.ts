export type { Route } from './route-table.js';
export { matchRoute, routeTable } from './route-table.js';
export type {
  HttpServiceName,
  HttpServiceSpec,
  KclWorkerSpec,
  MetricsPortSetting,
  PortSetting,
  ProcessSpec,
  RouteSpec,
} from './service-specs.js';
export { analyticsWorker, httpServiceSpecs, httpServices, searchIndexer } from './service-specs.js';
