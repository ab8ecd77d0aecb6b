/** What a redacted value is replaced with. */
export const redactedMarker = '[redacted]';

// Key names compared without case, '-' or '_', so `Authorization`, `x-amz-security-token` and
// `refresh_token` all match: SDK errors, HTTP clients and headers spell them every way.
const secretKeys = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'password',
  'passwd',
  'secret',
  'clientsecret',
  'secretaccesskey',
  'token',
  'accesstoken',
  'idtoken',
  'refreshtoken',
  'sessiontoken',
  'xamzsecuritytoken',
  'apikey',
  'xapikey',
]);

// Credentials that show up as values rather than under a key: a header kept as a name/value list
// (`rawHeaders`), or a JWT quoted in an error message.
const bearerValue = /^\s*(?:bearer|basic)\s+\S/i;
const jwt = /\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g;

/** Deeper than pino writes anyway (its depth limit is 5), so nothing is lost that would be shown. */
const maxDepth = 10;

const isSecretKey = (key: string) => secretKeys.has(key.toLowerCase().replace(/[-_]/g, ''));

function redactString(value: string): string {
  if (bearerValue.test(value)) return redactedMarker;
  return value.includes('eyJ') ? value.replace(jwt, redactedMarker) : value;
}

/**
 * `value` with every credential replaced by `[redacted]`, at any depth: values under a secret key
 * (authorization, cookie, password, token, …, in any spelling), bearer and basic credentials, and
 * JWTs inside strings. Errors stay errors of their class (a clone when something in them changed),
 * so pino's error serializer still names their type. Unchanged values are returned as they are.
 */
export function redactSecrets(value: unknown): unknown {
  return redact(value, 0, new Set());
}

function redact(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value;
  if (ancestors.has(value)) return '[Circular]';
  if (depth >= maxDepth) return Array.isArray(value) ? '[Array]' : '[Object]';
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return redactArray(value, depth, ancestors);
    if (value instanceof Error) return redactError(value, depth, ancestors);
    const withJson = value as { toJSON?: (key: string) => unknown };
    // What JSON.stringify would write (a Koa request's toJSON includes its headers, for one).
    if (typeof withJson.toJSON === 'function') return redact(withJson.toJSON(''), depth, ancestors);
    return redactRecord(value as Record<string, unknown>, depth, ancestors);
  } finally {
    ancestors.delete(value);
  }
}

function redactArray(array: unknown[], depth: number, ancestors: Set<object>): unknown[] {
  let copy: unknown[] | undefined;
  array.forEach((item, index) => {
    const redacted = redact(item, depth + 1, ancestors);
    if (redacted !== item) {
      copy ??= [...array];
      copy[index] = redacted;
    }
  });
  return copy ?? array;
}

function redactRecord(record: Record<string, unknown>, depth: number, ancestors: Set<object>): unknown {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const item = record[key];
    const redacted = isSecretKey(key) && item !== undefined ? redactedMarker : redact(item, depth + 1, ancestors);
    if (redacted !== item) {
      copy ??= { ...record };
      copy[key] = redacted;
    }
  }
  return copy ?? record;
}

function redactError(error: Error, depth: number, ancestors: Set<object>): Error {
  // Own properties, enumerable or not: message, stack and cause are not enumerable. Since Node 24
  // (V8 13) `stack` is an own accessor that reads an internal slot of the error it was made on, so
  // a clone keeps it only as the value read from the original (redacted: it repeats the message).
  const descriptors = Object.getOwnPropertyDescriptors(error) as Record<string, PropertyDescriptor>;
  let changed = false;
  for (const [key, descriptor] of Object.entries(descriptors)) {
    const item: unknown = 'value' in descriptor ? descriptor.value : readAccessor(error, key);
    const redacted = isSecretKey(key) && item !== undefined ? redactedMarker : redact(item, depth + 1, ancestors);
    if ('value' in descriptor && redacted === item) continue;
    if (redacted !== item) changed = true;
    descriptors[key] = { value: redacted, writable: true, enumerable: descriptor.enumerable, configurable: true };
  }
  return changed ? (Object.create(Object.getPrototypeOf(error), descriptors) as Error) : error;
}

function readAccessor(target: object, key: string): unknown {
  try {
    return Reflect.get(target, key);
  } catch {
    return undefined;
  }
}
