/** Every event type on the stream: producers emit them, the analytics fleet recognises them. */
export const productEventTypes = {
  created: 'shop.catalog.product.created.v1',
  updated: 'shop.catalog.product.updated.v1',
  deleted: 'shop.catalog.product.deleted.v1',
  mediaChanged: 'shop.catalog.product.media-changed.v1',
} as const;

export const stockEventTypes = {
  adjusted: 'shop.inventory.stock.adjusted.v1',
  low: 'shop.inventory.stock.low.v1',
  replenished: 'shop.inventory.stock.replenished.v1',
  thresholdChanged: 'shop.inventory.stock.threshold-changed.v1',
  reservationCreated: 'shop.inventory.reservation.created.v1',
  reservationCommitted: 'shop.inventory.reservation.committed.v1',
  reservationReleased: 'shop.inventory.reservation.released.v1',
  reservationExpired: 'shop.inventory.reservation.expired.v1',
} as const;

/**
 * What shoppers do on the storefront, reported by the browser. The version is part of the type:
 * a changed shape gets a new type, so consumers of the old one keep working.
 */
export const behaviourEventTypes = {
  productViewed: 'shop.web.product.viewed.v1',
} as const;

export const knownEventTypes: ReadonlySet<string> = new Set([
  ...Object.values(productEventTypes),
  ...Object.values(stockEventTypes),
  ...Object.values(behaviourEventTypes),
]);
