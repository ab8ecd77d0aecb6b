import { STATUS_CODES } from 'node:http';

/** One field-level problem in a request, as reported in a 422 `errors` list. */
export interface FieldError {
  field: string;
  message: string;
}

export interface AppErrorOptions {
  cause?: unknown;
  errors?: FieldError[];
  headers?: Record<string, string>;
  /** Extra problem members, e.g. `available` on a stock conflict. */
  extensions?: Record<string, unknown>;
}

/** The one error type the HTTP layer turns into RFC 9457 problem+json. */
export class AppError extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[] | undefined;
  readonly headers: Record<string, string>;
  readonly extensions: Record<string, unknown>;

  constructor(status: number, detail: string, options: AppErrorOptions = {}) {
    super(detail, { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.title = STATUS_CODES[status] ?? 'Error';
    this.detail = detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
    this.extensions = options.extensions ?? {};
  }
}

/** 400: the request could not be read (malformed JSON, bad cursor). */
export class BadRequestError extends AppError {
  constructor(detail: string, options?: AppErrorOptions) {
    super(400, detail, options);
  }
}

/** 401: no credentials, or credentials that do not verify. */
export class UnauthorizedError extends AppError {
  constructor(detail = 'Authentication required', options?: AppErrorOptions) {
    super(401, detail, { ...options, headers: { 'WWW-Authenticate': 'Bearer', ...options?.headers } });
  }
}

/** 403: authenticated, but not allowed to do this. */
export class ForbiddenError extends AppError {
  constructor(detail = 'Not allowed', options?: AppErrorOptions) {
    super(403, detail, options);
  }
}

/** 404: the addressed resource does not exist. */
export class NotFoundError extends AppError {
  constructor(detail: string, options?: AppErrorOptions) {
    super(404, detail, options);
  }
}

/** 409: the request conflicts with the current state (duplicate sku, stock below zero). */
export class ConflictError extends AppError {
  constructor(detail: string, options?: AppErrorOptions) {
    super(409, detail, options);
  }
}

/** 412: `If-Match` named a version that is no longer current. */
export class PreconditionFailedError extends AppError {
  constructor(
    detail = 'The resource has changed since it was read (If-Match does not match)',
    options?: AppErrorOptions,
  ) {
    super(412, detail, options);
  }
}

/** 428: the operation needs `If-Match`. */
export class PreconditionRequiredError extends AppError {
  constructor(detail = 'This operation requires an If-Match header', options?: AppErrorOptions) {
    super(428, detail, options);
  }
}

/** 413: the body is larger than the service accepts. */
export class PayloadTooLargeError extends AppError {
  constructor(detail: string, options?: AppErrorOptions) {
    super(413, detail, options);
  }
}

/** 415: the body is not JSON. */
export class UnsupportedMediaTypeError extends AppError {
  constructor(detail = 'Request body must be application/json', options?: AppErrorOptions) {
    super(415, detail, options);
  }
}

/** 422: the body or query parsed but broke the schema; `errors` names each field. */
export class ValidationError extends AppError {
  constructor(errors: FieldError[], detail = 'The request is not valid', options?: AppErrorOptions) {
    super(422, detail, { ...options, errors });
  }
}

/** 429: the caller sent too many requests. */
export class TooManyRequestsError extends AppError {
  constructor(detail = 'Too many requests', retryAfterSeconds = 1, options?: AppErrorOptions) {
    super(429, detail, { ...options, headers: { 'Retry-After': String(retryAfterSeconds), ...options?.headers } });
  }
}

/** 503: a dependency is unavailable; the caller may retry after `Retry-After`. */
export class ServiceUnavailableError extends AppError {
  constructor(detail = 'Service temporarily unavailable', retryAfterSeconds = 1, options?: AppErrorOptions) {
    super(503, detail, { ...options, headers: { 'Retry-After': String(retryAfterSeconds), ...options?.headers } });
  }
}

/** Raised at boot when configuration is missing or invalid. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
