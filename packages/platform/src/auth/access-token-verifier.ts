import { CognitoJwtVerifier } from 'aws-jwt-verify';
import {
  FetchError,
  JwksNotAvailableInCacheError,
  JwksValidationError,
  JwkValidationError,
  JwtBaseError,
} from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { ServiceUnavailableError, UnauthorizedError } from '../errors/app-error.js';

/** Who made a request, as its verified access token says. */
export interface Principal {
  subject: string;
  username: string;
  groups: readonly string[];
}

/** Turns a bearer access token into a principal, or throws a 401 (a 503 when the keys cannot be fetched). */
export interface AccessTokenVerifier {
  verify(token: string): Promise<Principal>;
  /** Resolves once the signing keys are loaded; rejects while they cannot be fetched. */
  ready(): Promise<void>;
}

export interface CognitoVerifierOptions {
  userPoolId: string;
  clientId: string;
  /**
   * Where to fetch the pool's signing keys instead of the issuer's own JWKS URL. Locally the pool
   * lives in moto server, whose tokens still name the AWS issuer; in AWS this stays unset.
   */
  jwksUri?: string;
  /** Most verified tokens remembered until they expire. */
  cacheSize?: number;
}

/** The Cognito groups the platform's writes require. */
export const accessGroups = {
  catalogAdmin: 'catalog-admin',
  inventoryStaff: 'inventory-staff',
} as const;

const jwksTimeoutMs = 3_000;

/** Fetches the keys from one fixed URL whatever URL the verifier derived from the issuer. */
class FixedJwksFetcher implements Fetcher {
  constructor(private readonly uri: string) {}

  async fetch(): Promise<ArrayBuffer> {
    let response: Response;
    try {
      response = await fetch(this.uri, { signal: AbortSignal.timeout(jwksTimeoutMs) });
    } catch (error) {
      throw new FetchError(this.uri, (error as Error).message);
    }
    if (response.status !== 200) throw new FetchError(this.uri, `status ${response.status}`);
    return response.arrayBuffer();
  }
}

function isKeyUnavailable(error: unknown): boolean {
  return (
    error instanceof FetchError ||
    error instanceof JwksValidationError ||
    error instanceof JwkValidationError ||
    error instanceof JwksNotAvailableInCacheError
  );
}

/**
 * Verifies Cognito access tokens: RS256 signature against the pool's keys (fetched once and
 * cached), issuer, `token_use: access`, `client_id` and expiry. A verified token is remembered
 * until it expires, so a client's repeated requests cost one signature check.
 */
export function createCognitoVerifier(options: CognitoVerifierOptions): AccessTokenVerifier {
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: options.userPoolId, tokenUse: 'access', clientId: options.clientId },
    options.jwksUri
      ? { jwksCache: new SimpleJwksCache({ fetcher: new FixedJwksFetcher(options.jwksUri) }) }
      : undefined,
  );
  const cacheSize = options.cacheSize ?? 10_000;
  const verified = new Map<string, { principal: Principal; expiresAt: number }>();
  let keysLoaded: Promise<void> | undefined;

  return {
    async verify(token) {
      const known = verified.get(token);
      if (known && known.expiresAt > Date.now()) return known.principal;
      if (known) verified.delete(token);
      let payload: Awaited<ReturnType<typeof verifier.verify>>;
      try {
        payload = await verifier.verify(token);
      } catch (error) {
        if (isKeyUnavailable(error)) {
          throw new ServiceUnavailableError('Sign-in keys are unavailable; retry shortly', 5, { cause: error });
        }
        if (error instanceof JwtBaseError) {
          throw new UnauthorizedError('The access token is not valid', {
            cause: error,
            headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
          });
        }
        throw error;
      }
      const groups = payload['cognito:groups'];
      const principal: Principal = {
        subject: payload.sub,
        username: typeof payload.username === 'string' ? payload.username : payload.sub,
        groups: Array.isArray(groups) ? groups.filter((group): group is string => typeof group === 'string') : [],
      };
      if (verified.size >= cacheSize) {
        const oldest = verified.keys().next();
        if (!oldest.done) verified.delete(oldest.value);
      }
      verified.set(token, { principal, expiresAt: payload.exp * 1000 });
      return principal;
    },
    ready() {
      keysLoaded ??= verifier.hydrate().catch((error: unknown) => {
        keysLoaded = undefined;
        throw error;
      });
      return keysLoaded;
    },
  };
}
