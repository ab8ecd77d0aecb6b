import type { analyticsWorker, HttpServiceName, searchIndexer } from '@shop/topology';

export type ServiceName = HttpServiceName;

/** The components that run on EC2, each on a fleet, role and log group of its own. */
export type ComponentName = ServiceName | (typeof analyticsWorker)['name'] | (typeof searchIndexer)['name'];

/** The prefix of a component's construct ids: `catalog` gives `CatalogRole`, `search-indexer` `SearchIndexerRole`. */
export function componentTitle(name: ComponentName): string {
  return name
    .split('-')
    .map((word) => `${word.charAt(0).toUpperCase()}${word.slice(1)}`)
    .join('');
}
