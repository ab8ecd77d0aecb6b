export type { CatalogTableOptions, TableProduct } from './catalog-table.reader.js';
export { CatalogTableReader } from './catalog-table.reader.js';
export type { Projection } from './product-index-projector.js';
export { indexWriteOf, ProductIndexProjector } from './product-index-projector.js';
export type { CheckReport, ProductIndexRebuildDeps, ReindexReport } from './product-index-rebuild.js';
export { ProductIndexRebuild } from './product-index-rebuild.js';
export type {
  IndexedProduct,
  IndexedState,
  IndexWrite,
  ProductSearchRepositoryOptions,
  RefusedWrite,
  SearchHit,
  SearchQuery,
  SearchResult,
  SearchSort,
} from './product-search.repository.js';
export {
  IndexWriteError,
  ProductSearchRepository,
  priceRangeBounds,
  productIndexBody,
} from './product-search.repository.js';
export type { SearchClientOptions, SearchSigning } from './search-client.js';
export { createSearchClient } from './search-client.js';
export { searchConfig } from './search-config.js';
