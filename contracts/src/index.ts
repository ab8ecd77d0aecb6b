export type { OpenApiDocument } from './api-document.js';
export { apiDocument, contractFiles, readContract } from './api-document.js';
