export type { components, operations, paths } from './shop-api.generated.js';
export { createShopApiClient, type ShopApiClient, type ShopApiClientOptions } from './shop-api-client.js';
export type * from './shop-api-schemas.js';
export { adjustmentReasons, imageContentTypes, imageLimits } from './shop-api-schemas.js';
