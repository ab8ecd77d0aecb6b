export type { OpenApiDocument } from './api-document.js';
export { apiDocument, contractFiles, readContract } from './api-document.js';
export type { BreakingChange } from './contract-compatibility.js';
export { breakingChanges, majorVersion, releasedContract } from './contract-compatibility.js';
export type {
  EventCheck,
  EventData,
  EventViolation,
  ShopEvent,
  ShopEventOf,
  ShopEventType,
} from './event-schemas.js';
export {
  assertShopEvent,
  checkEvent,
  EventContractError,
  eventContractFolder,
  eventSchemaFile,
  eventTypesWithSchemas,
} from './event-schemas.js';
export type * from './event-types.generated.js';
export { formatGeneratedSource } from './generated-source.js';
export type { BodyRule, RequestReader, RequestValidation, RequestVerdict } from './request-validation.js';
export { createRequestChecker, createRequestValidation, requestValidation } from './request-validation.js';
export type { ObservedResponse } from './response-checker.js';
export { createResponseChecker } from './response-checker.js';
