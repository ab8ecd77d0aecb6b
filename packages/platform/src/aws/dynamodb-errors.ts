/** True when a DynamoDB call failed only because its ConditionExpression did not hold. */
export function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

const unavailableNames = new Set([
  'TimeoutError',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'InternalFailure',
  'LimitExceededException',
]);
const networkCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * True when an AWS call failed because the service was unreachable, overloaded or failing on its
 * side (a retry later may succeed), as opposed to a bug in the request.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const details = error as Error & { code?: string; $fault?: string; $retryable?: unknown };
  if (unavailableNames.has(error.name)) return true;
  if (details.code && networkCodes.has(details.code)) return true;
  if (details.$fault === 'server' || details.$retryable) return true;
  return error.cause !== undefined && error.cause !== error && isDependencyUnavailable(error.cause);
}
