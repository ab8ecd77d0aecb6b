import type { components } from './shop-api.generated.js';

type Schemas = components['schemas'];

/** A product as the catalog answers it. */
export type Product = Schemas['Product'];
/** A product as a client creates (POST) or replaces (PUT) it. */
export type ProductInput = Schemas['ProductInput'];
export type ProductPage = Schemas['ProductPage'];
/** A product image: its alt text and its WebP sizes under `/media/`, for `srcset`. */
export type ProductImage = Schemas['ProductImage'];
/** The presigned form to send an image file with, before attaching it. */
export type ImageUpload = Schemas['ImageUpload'];
/** The type an image file may be declared with when its upload is asked for. */
export type ImageContentType = Schemas['ImageContentType'];
/** A product as search finds it, with the units available. */
export type SearchItem = Schemas['SearchItem'];
export type SearchResults = Schemas['SearchResults'];
export type Currency = Schemas['Currency'];
export type StockLevel = Schemas['StockLevel'];
export type StockLevelPage = Schemas['StockLevelPage'];
/** One change of a product's stock, as the history lists it. */
export type Adjustment = Schemas['Adjustment'];
export type AdjustmentInput = Schemas['AdjustmentInput'];
export type AdjustmentPage = Schemas['AdjustmentPage'];
/** Why the stock changes, as an adjustment names it. */
export type AdjustmentReason = Schemas['AdjustmentReason'];
export type ThresholdInput = Schemas['ThresholdInput'];
/** One line of a dashboard chart. */
export type ChartSeries = Schemas['ChartSeries'];
export type DashboardMetrics = Schemas['DashboardMetrics'];
/** A behaviour event the storefront reports with `POST /api/events`. */
export type BehaviourEvent = Schemas['BehaviourEvent'];
/** An RFC 9457 problem, the body of every answer that is not a success. */
export type Problem = Schemas['Problem'];
/** A field at fault in a 422's `errors`, e.g. `price` or `supplier.email`. */
export type FieldError = Schemas['FieldError'];

// Every reason of the contract, in its order, and no other: a reason added to or dropped from
// AdjustmentReason fails the type check here until this list follows.
const reasons = { restock: true, sale: true, return: true, correction: true, damage: true } satisfies Record<
  AdjustmentReason,
  true
>;

/** The reasons an adjustment can give, as a list for a form to offer. */
export const adjustmentReasons = Object.keys(reasons) as AdjustmentReason[];

// Every image type of the contract, in its order, and no other (as for the reasons above).
const contentTypes = { 'image/jpeg': true, 'image/png': true, 'image/webp': true, 'image/avif': true } satisfies Record<
  ImageContentType,
  true
>;

/** The types an image file may have, as a file input's `accept` or a check before an upload. */
export const imageContentTypes = Object.keys(contentTypes) as ImageContentType[];

/**
 * The contract's limits on product images, for a form to check before anything is sent: a file's
 * bytes (`ImageUploadRequest.size`), images a product holds (`ProductImages`) and alt text's
 * characters (`ImageAlt`, in code points).
 */
export const imageLimits = { maxBytes: 10_485_760, maxImages: 10, maxAltLength: 300 } as const;
