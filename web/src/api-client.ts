/** A field the API named in a validation error, e.g. `price` or `supplier.email`. */
export interface FieldError {
  field: string;
  message: string;
}

/** An API answer that was not a success, read from its problem+json body. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly fieldErrors: FieldError[];

  constructor(status: number, title: string, detail: string, fieldErrors: FieldError[] = []) {
    super(detail || title);
    this.name = 'ApiProblem';
    this.status = status;
    this.title = title;
    this.fieldErrors = fieldErrors;
  }
}

export interface ApiRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  token?: string | undefined;
  ifMatch?: string | undefined;
  signal?: AbortSignal;
}

export interface ApiAnswer<T> {
  data: T;
  etag: string | null;
}

async function problemOf(response: Response): Promise<ApiProblem> {
  const title = response.statusText || `HTTP ${response.status}`;
  try {
    const body = (await response.json()) as { title?: string; detail?: string; errors?: FieldError[] };
    return new ApiProblem(response.status, body.title ?? title, body.detail ?? '', body.errors ?? []);
  } catch {
    return new ApiProblem(response.status, title, '');
  }
}

/**
 * Calls the platform's API on this site's own origin. Writes carry a fresh Idempotency-Key, so a
 * retried click never applies twice; failures throw an ApiProblem with the fields at fault.
 */
export async function api<T>(path: string, request: ApiRequest = {}): Promise<ApiAnswer<T>> {
  const method = request.method ?? 'GET';
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (request.body !== undefined) headers['Content-Type'] = 'application/json';
  if (request.token) headers.Authorization = `Bearer ${request.token}`;
  if (request.ifMatch) headers['If-Match'] = request.ifMatch;
  if (method !== 'GET') headers['Idempotency-Key'] = crypto.randomUUID();
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      ...(request.signal ? { signal: request.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiProblem(0, 'Network error', 'The shop could not be reached. Check the connection and try again.');
  }
  if (!response.ok) throw await problemOf(response);
  const data = response.status === 204 ? (undefined as T) : ((await response.json()) as T);
  return { data, etag: response.headers.get('ETag') };
}
