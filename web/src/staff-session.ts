import { type WebConfig, webConfig } from './web-config.js';

/** A signed-in staff member. The token lives in this tab's session storage, never in a URL. */
export interface StaffSession {
  username: string;
  accessToken: string;
  groups: string[];
  expiresAt: number;
}

export const staffGroups = { catalogAdmin: 'catalog-admin', inventoryStaff: 'inventory-staff' } as const;

const storageKey = 'shop.staff-session';

/** Claims of a JWT, read only to shape the page; the API verifies the token itself. */
export function tokenClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (!payload) return {};
  try {
    const base64 = payload.replaceAll('-', '+').replaceAll('_', '/');
    const bytes = Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export function sessionFromToken(accessToken: string, expiresInSeconds: number, now = Date.now()): StaffSession {
  const claims = tokenClaims(accessToken);
  const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as unknown[]).map(String) : [];
  const username = typeof claims.username === 'string' ? claims.username : String(claims.sub ?? 'unknown');
  return { username, accessToken, groups, expiresAt: now + expiresInSeconds * 1000 };
}

export function currentSession(now = Date.now()): StaffSession | undefined {
  const stored = sessionStorage.getItem(storageKey);
  if (!stored) return undefined;
  try {
    const session = JSON.parse(stored) as StaffSession;
    // A token this close to expiry would fail mid-task; sign in again instead.
    if (session.expiresAt - 30_000 > now) return session;
  } catch {
    // Unreadable: treated as signed out.
  }
  sessionStorage.removeItem(storageKey);
  return undefined;
}

export function signOut(): void {
  sessionStorage.removeItem(storageKey);
}

export class SignInError extends Error {
  override name = 'SignInError';
}

async function callCognito(config: WebConfig, action: string, body: unknown): Promise<Record<string, unknown>> {
  let response: Response;
  try {
    response = await fetch(config.cognitoEndpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new SignInError('The sign-in service could not be reached. Try again in a moment.');
  }
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    const type = String(answer.__type ?? '');
    if (type.endsWith('NotAuthorizedException') || type.endsWith('UserNotFoundException')) {
      throw new SignInError('The user name or password is not right.');
    }
    if (type.endsWith('TooManyRequestsException')) throw new SignInError('Too many attempts. Wait a minute.');
    throw new SignInError(`Sign-in failed (${String(answer.message ?? response.status)}).`);
  }
  return answer;
}

/**
 * Signs in with the user pool's USER_PASSWORD_AUTH flow, the same call in AWS as against the local
 * pool. An account that must choose a new password gets `newPasswordRequired` and finishes with
 * `completeNewPassword`.
 */
export async function signIn(
  username: string,
  password: string,
): Promise<StaffSession | { newPasswordRequired: { username: string; session: string } }> {
  const config = await webConfig();
  const answer = await callCognito(config, 'InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: config.clientId,
    AuthParameters: { USERNAME: username, PASSWORD: password },
  });
  if (answer.ChallengeName === 'NEW_PASSWORD_REQUIRED') {
    return { newPasswordRequired: { username, session: String(answer.Session) } };
  }
  return storeResult(answer);
}

export async function completeNewPassword(
  challenge: { username: string; session: string },
  newPassword: string,
): Promise<StaffSession> {
  const config = await webConfig();
  const answer = await callCognito(config, 'RespondToAuthChallenge', {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    ClientId: config.clientId,
    Session: challenge.session,
    ChallengeResponses: { USERNAME: challenge.username, NEW_PASSWORD: newPassword },
  });
  return storeResult(answer);
}

function storeResult(answer: Record<string, unknown>): StaffSession {
  const result = answer.AuthenticationResult as { AccessToken?: string; ExpiresIn?: number } | undefined;
  if (!result?.AccessToken) throw new SignInError('Sign-in did not return a token.');
  const session = sessionFromToken(result.AccessToken, result.ExpiresIn ?? 3600);
  sessionStorage.setItem(storageKey, JSON.stringify(session));
  return session;
}
