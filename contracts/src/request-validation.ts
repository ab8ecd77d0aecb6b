import { type FieldError, ValidationError } from '@shop/platform';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { apiDocument, type OpenApiDocument } from './api-document.js';
import { addFormats } from './contract-ajv.js';

type Schema = Record<string, unknown>;
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
  $ref?: string;
}
interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

/** Reads a request's JSON body or query into the type the route works with, or throws a 422. */
export type RequestReader<T> = (value: unknown) => T;

/** A domain rule over a body as sent (what no schema keyword can say); its errors join the schema's. */
export type BodyRule = (body: unknown) => FieldError[];

export interface RequestValidation {
  /**
   * The reader of the operation's JSON body: defaults applied, nothing coerced. `rules` run on
   * every body, so one 422 names every field at fault, the schema's and the domain's.
   */
  body<T>(operationId: string, rules?: readonly BodyRule[]): RequestReader<T>;
  /** The reader of the operation's query: strings coerced to the parameters' types, defaults applied. */
  query<T>(operationId: string): RequestReader<T>;
}

const requestsKey = 'x-shop-requests';
const documentId = 'shop-api-requests.json';
const summaryKeywords = new Set(['if', 'anyOf', 'oneOf', 'allOf']);
/** The keywords whose failure a schema's `x-invalid` words explain better than ajv's message. */
const explainedKeywords = new Set(['pattern', 'format', 'enum', 'const', 'not', 'minProperties']);

function resolveParameter(document: OpenApiDocument, parameter: Parameter): Parameter {
  const name = parameter.$ref?.match(/^#\/components\/parameters\/(.+)$/)?.[1];
  if (!name) return parameter;
  const resolved = document.components?.parameters?.[name] as Parameter | undefined;
  if (!resolved) throw new Error(`the contract has no parameter ${name}`);
  return resolved;
}

/** One object schema per operation for its query: the listed parameters and nothing else. */
function querySchema(document: OpenApiDocument, parameters: Parameter[]): Schema {
  const query = parameters.map((parameter) => resolveParameter(document, parameter)).filter((p) => p.in === 'query');
  return {
    type: 'object',
    additionalProperties: false,
    properties: Object.fromEntries(query.map((parameter) => [parameter.name, parameter.schema ?? {}])),
    required: query.filter((parameter) => parameter.required).map((parameter) => parameter.name),
  };
}

/** The document with each operation's request schemas beside it, so their references resolve in it. */
function withRequestSchemas(document: OpenApiDocument): OpenApiDocument {
  const requests: Record<string, { body?: Schema; query: Schema }> = {};
  for (const item of Object.values(document.paths)) {
    const shared = (item.parameters ?? []) as Parameter[];
    for (const operation of Object.values(item) as Operation[]) {
      if (!operation?.operationId) continue;
      const body = operation.requestBody?.content?.['application/json']?.schema;
      requests[operation.operationId] = {
        ...(body ? { body } : {}),
        query: querySchema(document, [...shared, ...(operation.parameters ?? [])]),
      };
    }
  }
  return { ...document, [requestsKey]: requests };
}

const fieldOf = (instancePath: string, property?: string) =>
  [...instancePath.split('/').slice(1), ...(property === undefined ? [] : [property])]
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');

function describe(error: ErrorObject): FieldError {
  const params = error.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: unknown[] };
  if (error.keyword === 'required') {
    const field = fieldOf(error.instancePath, params.missingProperty);
    const properties = (error.parentSchema as { properties?: Record<string, Schema> } | undefined)?.properties;
    const hint = properties?.[params.missingProperty ?? '']?.['x-invalid'];
    return { field, message: typeof hint === 'string' ? `${field} is required and ${hint}` : `${field} is required` };
  }
  if (error.keyword === 'additionalProperties') {
    const field = fieldOf(error.instancePath, params.additionalProperty);
    return { field, message: `${field} is not allowed` };
  }
  const field = fieldOf(error.instancePath) || 'body';
  // A contract schema may say in words what its pattern, format, enum or `not` means.
  const explained = (error.parentSchema as Schema | undefined)?.['x-invalid'];
  if (typeof explained === 'string' && explainedKeywords.has(error.keyword))
    return { field, message: `${field} ${explained}` };
  if (error.keyword === 'enum' && params.allowedValues && params.allowedValues.length <= 10) {
    return {
      field,
      message: `${field} must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`,
    };
  }
  return { field, message: `${field} ${error.message ?? 'is not valid'}` };
}

/**
 * One error per field, the first ajv found, and only at the deepest fields at fault: summaries
 * (`anyOf`, `if`) and the other branches of an `anyOf` (`supplier` is not null) give way to what is
 * wrong inside (`supplier.email`).
 */
function fieldErrors(errors: readonly ErrorObject[]): FieldError[] {
  const specific = errors.filter((error) => !summaryKeywords.has(error.keyword));
  const byField = new Map<string, FieldError>();
  for (const error of specific.length > 0 ? specific : errors) {
    const described = describe(error);
    if (!byField.has(described.field)) byField.set(described.field, described);
  }
  const fields = [...byField.keys()];
  const inside = (outer: string, inner: string) =>
    inner !== outer && (outer === 'body' || inner.startsWith(`${outer}.`));
  return [...byField.values()].filter(({ field }) => !fields.some((other) => inside(field, other)));
}

/**
 * Request validation from the contract itself: each operation's body and query schemas compiled
 * once (JSON Schema 2020-12, string lengths in code points as the standard counts them), so that
 * what a client reads in `/api/openapi.json` is exactly what the service enforces. What no schema
 * can say (a price's decimals in its currency, a product that must exist) stays in the domain.
 */
export function createRequestValidation(document: OpenApiDocument = apiDocument()): RequestValidation {
  const extended = withRequestSchemas(document);
  const options = { allErrors: true, strict: false, verbose: true, useDefaults: true } as const;
  const bodies = addFormats(new Ajv2020({ ...options, coerceTypes: false }));
  const queries = addFormats(new Ajv2020({ ...options, coerceTypes: true }));
  bodies.addSchema(extended, documentId);
  queries.addSchema(extended, documentId);
  const requests = extended[requestsKey] as Record<string, { body?: Schema; query: Schema }>;
  const compiled = new Map<string, ValidateFunction>();

  const reader = <T>(
    ajv: Ajv2020,
    operationId: string,
    part: 'body' | 'query',
    rules: readonly BodyRule[] = [],
  ): RequestReader<T> => {
    const request = requests[operationId];
    if (!request) throw new Error(`the contract has no operation ${operationId}`);
    if (!request[part]) throw new Error(`the contract's ${operationId} takes no JSON ${part}`);
    const pointer = `${documentId}#/${requestsKey}/${operationId}/${part}`;
    const validate = compiled.get(pointer) ?? ajv.compile({ $ref: pointer });
    compiled.set(pointer, validate);
    return (value) => {
      const data = value === undefined && part === 'body' ? {} : value;
      const errors = validate(data) ? [] : fieldErrors(validate.errors ?? []);
      for (const error of rules.flatMap((rule) => rule(data))) {
        if (!errors.some((known) => known.field === error.field)) errors.push(error);
      }
      if (errors.length === 0) return data as T;
      throw new ValidationError(errors);
    };
  };

  return {
    body: (operationId, rules) => reader(bodies, operationId, 'body', rules),
    query: (operationId) => reader(queries, operationId, 'query'),
  };
}

let shared: RequestValidation | undefined;

/** The validation of the platform's own contract, compiled once per process. */
export function requestValidation(): RequestValidation {
  shared ??= createRequestValidation();
  return shared;
}

/** What the contract makes of one request part: refused, or accepted as `value` (defaults applied). */
export type RequestVerdict<T = Record<string, unknown>> = { valid: true; value: T } | { valid: false };

/**
 * Judges requests by the contract alone, for the property tests' oracles: `body` and `query` say
 * whether the operation's schemas take a value, and what it becomes (defaults applied, a query's
 * strings coerced), without touching the value given. The domain rules they judge themselves.
 */
export function createRequestChecker(document: OpenApiDocument = apiDocument()) {
  const validation = createRequestValidation(document);
  const readers = new Map<string, RequestReader<Record<string, unknown>>>();
  const judge = (part: 'body' | 'query', operationId: string, value: unknown): RequestVerdict => {
    if (value === undefined && part === 'body') return { valid: false };
    const key = `${part} ${operationId}`;
    let read = readers.get(key);
    if (!read) {
      read = validation[part](operationId);
      readers.set(key, read);
    }
    try {
      return { valid: true, value: read(structuredClone(value)) };
    } catch (error) {
      if (error instanceof ValidationError) return { valid: false };
      throw error;
    }
  };
  return {
    body: (operationId: string, value: unknown) => judge('body', operationId, value),
    query: (operationId: string, value: unknown) => judge('query', operationId, value),
    /** True when the operation's JSON request schema takes `body`. */
    accepts: (operationId: string, body: unknown) => judge('body', operationId, body).valid,
  };
}
