import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** A parsed OpenAPI document, as plain JSON data. */
export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  info: Record<string, unknown>;
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, Record<string, unknown>>;
  tags?: Array<{ name: string; description?: string }>;
};

/** The shared parts (health, problems, security, headers), then each service's own operations. */
export const contractFiles = ['common.openapi.yaml', 'catalog.openapi.yaml', 'inventory.openapi.yaml'] as const;

/** What the merged document says of itself: the platform's API, not any one service's. */
const platformInfo = {
  title: 'Shop platform API',
  version: '1.0.0',
  summary: 'Products, stock, reservations and the staff dashboard of the shop platform.',
  description:
    "One document for every service behind the platform's API (the ALB in AWS, the gateway locally). " +
    'Reads of products and stock levels are public; every other operation needs a Cognito access ' +
    'token of a user in the group it names. Errors are RFC 9457 problem+json.',
  license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
};

/** Relative, so "try it" calls whichever site serves the document: the gateway, CloudFront, a test's port. */
const platformServers = [{ url: '/', description: 'this site (the local gateway, or CloudFront in AWS)' }];

/** Reads one of the contract files. */
export function readContract(file: (typeof contractFiles)[number]): OpenApiDocument {
  return parse(readFileSync(new URL(`../openapi/${file}`, import.meta.url), 'utf8')) as OpenApiDocument;
}

/** `value` with every reference into a sibling contract file turned into a local one. */
function localRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(localRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      key === '$ref' && typeof item === 'string' ? item.replace(/^\.\/[\w.-]+\.yaml#/, '#') : localRefs(item),
    ]),
  );
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>, where: string): void {
  for (const [name, item] of Object.entries(source)) {
    if (name in target) throw new Error(`${where}.${name} is defined by more than one contract file`);
    target[name] = item;
  }
}

/**
 * The platform's whole HTTP contract as one self-contained OpenAPI 3.1 document: the contract
 * files merged, their references to each other made local. Two files defining the same path or
 * component is an error, so no file can silently replace another's definition.
 */
export function apiDocument(): OpenApiDocument {
  const documents = contractFiles.map((file) => localRefs(readContract(file)) as OpenApiDocument);
  const [first] = documents;
  const paths: Record<string, Record<string, unknown>> = {};
  const components: Record<string, Record<string, unknown>> = {};
  const tags: Array<{ name: string; description?: string }> = [];
  for (const document of documents) {
    mergeInto(paths, document.paths, 'paths');
    for (const [section, entries] of Object.entries(document.components ?? {})) {
      components[section] ??= {};
      mergeInto(components[section], entries, `components.${section}`);
    }
    tags.push(...(document.tags ?? []).filter((tag) => !tags.some((known) => known.name === tag.name)));
  }
  return { openapi: first?.openapi ?? '3.1.0', info: platformInfo, servers: platformServers, tags, paths, components };
}
