import type { ServiceAppDeps } from '@shop/platform';
import { serveOnStandIns } from '@shop/testing';
import { createApp } from '../src/app.js';

/**
 * The catalog app on a random port over real stand-ins (dynalite, kinesis-local, moto's user
 * pool); `overrides` replace dependencies, e.g. the publisher.
 */
export const startCatalog = (overrides: Partial<ServiceAppDeps> = {}) =>
  serveOnStandIns('catalog', createApp, overrides);

export type Catalog = Awaited<ReturnType<typeof startCatalog>>;

let counter = 0;
/** A valid product body; `overrides` replace or add fields. */
export function productBody(overrides: Record<string, unknown> = {}) {
  counter += 1;
  return {
    name: `Trail shoe ${counter}`,
    description: 'A light shoe for rough paths',
    price: 89.99,
    ...overrides,
  };
}
