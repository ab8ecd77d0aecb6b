import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { apiDocument, type OpenApiDocument } from './api-document.js';
import { addFormats } from './contract-ajv.js';

/** One answer of the API as a client received it. */
export interface ObservedResponse {
  method: string;
  /** The request path, without the query. */
  path: string;
  status: number;
  /** The `Content-Type` header, parameters included. */
  contentType?: string | undefined;
  body: string;
}

interface MediaType {
  schema?: object;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
  $ref?: string;
}
interface Operation {
  responses?: Record<string, ResponseObject>;
}

const documentId = 'shop-api.json';

/** JSON Schema 2020-12 over the whole document (OpenAPI's own keywords such as `example` allowed). */
function contractAjv(document: OpenApiDocument): Ajv2020 {
  const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
  ajv.addSchema(document, documentId);
  return ajv;
}

const pointerPart = (part: string) => part.replace(/~/g, '~0').replace(/\//g, '~1');

const methods = new Set(['get', 'put', 'post', 'patch', 'delete']);

function templateOf(path: string): RegExp {
  const pattern = path.replace(/[.+^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
  return new RegExp(`^${pattern}$`);
}

/**
 * Checks answers against the contract: the operation exists, the status is one it documents, and
 * a body of a documented media type matches its schema. Returns what is wrong, empty when nothing.
 * Paths without a template part win over templated ones, as a router would choose them.
 */
export function createResponseChecker(document: OpenApiDocument = apiDocument()) {
  const ajv = contractAjv(document);
  const paths = Object.keys(document.paths)
    .sort((a, b) => Number(a.includes('{')) - Number(b.includes('{')))
    .map((path) => ({ path, pattern: templateOf(path) }));
  const validators = new Map<string, ValidateFunction>();
  const resolve = (response: ResponseObject): ResponseObject => {
    const ref = response.$ref?.replace(/^#\/components\/responses\//, '');
    return ref ? ((document.components?.responses?.[ref] as ResponseObject | undefined) ?? response) : response;
  };

  return (observed: ObservedResponse): string[] => {
    const where = `${observed.method} ${observed.path} ${observed.status}`;
    const match = paths.find(({ pattern }) => pattern.test(observed.path));
    if (!match) return [`${where}: no path of the contract matches`];
    const method = observed.method.toLowerCase();
    if (!methods.has(method)) return [];
    const operation = document.paths[match.path]?.[method] as Operation | undefined;
    // A method the path does not offer is the router's 405, which the contract leaves out.
    if (!operation) return observed.status === 405 ? [] : [`${where}: ${match.path} has no ${method} operation`];
    const statusKey = [String(observed.status), `${String(observed.status)[0]}XX`, 'default'].find(
      (key) => operation.responses?.[key] !== undefined,
    );
    if (!statusKey) return [`${where}: status not in the contract of ${method} ${match.path}`];
    const response = resolve(operation.responses?.[statusKey] as ResponseObject);
    const mediaType = observed.contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!response.content) return observed.body === '' ? [] : [`${where}: a body where the contract has none`];
    const content = response.content[mediaType];
    if (!content) return [`${where}: content type "${mediaType}" not in the contract`];
    if (!content.schema || !mediaType.endsWith('json')) return [];
    let body: unknown;
    try {
      body = JSON.parse(observed.body);
    } catch {
      return [`${where}: the body is not JSON`];
    }
    const pointer = `${documentId}#/paths/${pointerPart(match.path)}/${method}/responses/${statusKey}`;
    const key = `${pointer}/${mediaType}`;
    let validate = validators.get(key);
    if (!validate) {
      const schemaRef =
        response === operation.responses?.[statusKey]
          ? pointer
          : `${documentId}#/components/responses/${operation.responses?.[statusKey]?.$ref?.split('/').pop()}`;
      validate = ajv.compile({
        $ref: `${schemaRef}/content/${pointerPart(mediaType)}/schema`,
      });
      validators.set(key, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (error) => `${where}: body${error.instancePath} ${error.message ?? 'is not valid'}`,
    );
  };
}
