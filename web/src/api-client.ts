import {
  createShopApiClient,
  type FieldError,
  type ImageUpload,
  type Problem,
  type ShopApiClient,
} from '@shop/api-client';

export type { FieldError };

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

export interface ApiAnswer<T> {
  data: T;
  etag: string | null;
}

/** The public reads (products, a stock level), on this site's own origin and without a token. */
export const publicApi: ShopApiClient = createShopApiClient();

/** The API on this site's own origin as a signed-in staff member, with their access token. */
export function staffApi(token: string): ShopApiClient {
  return createShopApiClient({ token });
}

/** The body of an answer that is not a success: problem+json, or whatever a proxy put there. */
function problemOf(response: Response, body: unknown): ApiProblem {
  const title = response.statusText || `HTTP ${response.status}`;
  const problem: Partial<Problem> = typeof body === 'object' && body !== null ? body : {};
  return new ApiProblem(response.status, problem.title ?? title, problem.detail ?? '', problem.errors ?? []);
}

/**
 * What a call of the generated client answered, as the pages use it: the data and the ETag of a
 * success; otherwise it throws an ApiProblem with the fields at fault (shown next to the form's
 * inputs), or one for a network error when no answer came.
 */
export async function answerOf<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<ApiAnswer<T>> {
  let result: Awaited<typeof call>;
  try {
    result = await call;
  } catch (error) {
    // fetch rejects with a TypeError when the request could not be sent or answered.
    if (!(error instanceof TypeError)) throw error;
    throw new ApiProblem(0, 'Network error', 'The shop could not be reached. Check the connection and try again.');
  }
  const { data, error, response } = result;
  if (!response.ok) throw problemOf(response, error);
  // A success without a body (204) has no data, and its operation's type says so.
  return { data: data as T, etag: response.headers.get('ETag') };
}

/** The presigned form as the upload store takes it: every field as given, then the file, last, as `file`. */
export function uploadForm(upload: Pick<ImageUpload, 'fields'>, file: Blob): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('file', file);
  return form;
}

/** Why the upload store refused a form: S3 answers an XML `<Error>` whose `Message` says it. */
function uploadRefusal(request: XMLHttpRequest): ApiProblem {
  const said = request.responseXML?.querySelector('Error > Message')?.textContent?.trim();
  return new ApiProblem(
    request.status,
    request.statusText || `HTTP ${request.status}`,
    said ? `The upload was refused: ${said}` : `The upload was refused (HTTP ${request.status}). Try again.`,
  );
}

/**
 * Sends a file with the presigned form of `POST /api/products/{id}/images/uploads` straight to the
 * upload store, reporting the bytes sent so far. XMLHttpRequest rather than fetch, because only it
 * reports an upload's progress. Rejects with an ApiProblem when the form is refused or cut off.
 */
export function sendUploadForm(
  upload: Pick<ImageUpload, 'method' | 'url' | 'fields'>,
  file: Blob,
  onProgress: (sent: number, total: number) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(upload.method, upload.url);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    request.addEventListener('load', () => {
      if (request.status >= 200 && request.status < 300) resolve();
      else reject(uploadRefusal(request));
    });
    const cutOff = () =>
      reject(
        new ApiProblem(0, 'Network error', 'The upload was cut off. Check the connection and try the file again.'),
      );
    request.addEventListener('error', cutOff);
    request.addEventListener('abort', cutOff);
    request.send(uploadForm(upload, file));
  });
}
