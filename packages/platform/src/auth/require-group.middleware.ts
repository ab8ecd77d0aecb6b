import { ForbiddenError, UnauthorizedError } from '../errors/app-error.js';
import type { AppMiddleware } from '../http/app-context.js';
import type { AccessTokenVerifier } from './access-token-verifier.js';

// A JWS compact serialization: three base64url parts; the signature may be empty (and then fails).
const bearerToken = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;
const maxTokenLength = 8_192;

/** The token of an `Authorization: Bearer <token>` header, or undefined for anything else. */
export function bearerTokenOf(header: string): string | undefined {
  return header.length <= maxTokenLength ? bearerToken.exec(header)?.[1] : undefined;
}

/**
 * Lets a request through only with a valid access token of a member of `group`: 401 without one
 * or with one that does not verify, 403 for a valid token outside the group. Runs before the
 * body is validated or an idempotency key reserved, so a refused request touches nothing.
 */
export function requireGroup(verifier: AccessTokenVerifier, group: string): AppMiddleware {
  return async (ctx, next) => {
    const header = ctx.get('authorization');
    if (!header) throw new UnauthorizedError('This operation requires a bearer access token');
    const token = bearerTokenOf(header);
    if (!token) {
      throw new UnauthorizedError('The Authorization header must be "Bearer <access token>"', {
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_request"' },
      });
    }
    const principal = await verifier.verify(token);
    if (!principal.groups.includes(group)) {
      throw new ForbiddenError(`This operation requires membership of the ${group} group`);
    }
    ctx.state.principal = principal;
    await next();
  };
}
