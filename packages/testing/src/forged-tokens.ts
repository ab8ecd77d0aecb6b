import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { UserPool } from '@shop/local-stack';

const venvLib = fileURLToPath(new URL('../../../.venv/lib/', import.meta.url));

type Claims = Record<string, unknown>;

const base64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');
const encodeJson = (value: unknown) => base64url(JSON.stringify(value));

function decodePart(token: string, index: number): Claims {
  return JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8')) as Claims;
}

function fromBase64url(value: string): bigint {
  return BigInt(`0x${Buffer.from(value, 'base64url').toString('hex')}`);
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let factor = base % modulus;
  for (let rest = exponent; rest > 0n; rest >>= 1n) {
    if (rest & 1n) result = (result * factor) % modulus;
    factor = (factor * factor) % modulus;
  }
  return result;
}

// DER prefix of a SHA-256 DigestInfo, as RSASSA-PKCS1-v1_5 (RS256) signs it.
const sha256DigestInfo = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * moto signs every pool's tokens with one RSA key shipped in the package, as a JWK with only
 * n, e and d. Signing with it lets a test make tokens that are correctly signed by the pool yet
 * wrong in exactly one claim, so each of the verifier's checks is proven on its own.
 */
function poolSigner(): (signingInput: string) => Buffer {
  const python = readdirSync(venvLib).find((name) => name.startsWith('python'));
  if (!python) throw new Error(`no Python in ${venvLib}; run npm install`);
  const file = join(venvLib, python, 'site-packages/moto/cognitoidp/resources/jwks-private.json.gz');
  const jwk = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as { n: string; d: string };
  const modulus = fromBase64url(jwk.n);
  const exponent = fromBase64url(jwk.d);
  const length = Buffer.from(jwk.n, 'base64url').length;
  return (signingInput) => {
    const digest = Buffer.concat([sha256DigestInfo, createHash('sha256').update(signingInput).digest()]);
    const padding = Buffer.alloc(length - digest.length - 3, 0xff);
    const encoded = Buffer.concat([Buffer.from([0, 1]), padding, Buffer.from([0]), digest]);
    const signature = modPow(BigInt(`0x${encoded.toString('hex')}`), exponent, modulus);
    return Buffer.from(signature.toString(16).padStart(length * 2, '0'), 'hex');
  };
}

function signWith(key: KeyObject): (signingInput: string) => Buffer {
  return (signingInput) => sign('sha256', Buffer.from(signingInput), key);
}

function token(header: Claims, claims: Claims, signer: (signingInput: string) => Buffer): string {
  const signingInput = `${encodeJson(header)}.${encodeJson(claims)}`;
  return `${signingInput}.${base64url(signer(signingInput))}`;
}

/**
 * Every kind of bad credential a write must refuse with 401, each named, made from a real access
 * and ID token of the local pool. `undefined` means no Authorization header at all; other values
 * are the whole header.
 */
export function forgedCredentials(options: {
  accessToken: string;
  idToken: string;
  pool: UserPool;
}): Record<string, string | undefined> {
  const { accessToken, idToken, pool } = options;
  const header = decodePart(accessToken, 0);
  const claims = decodePart(accessToken, 1);
  const [encodedHeader, encodedClaims, signature = ''] = accessToken.split('.');
  const now = Math.floor(Date.now() / 1000);
  const bySigner = poolSigner();
  const { privateKey: strangerKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as string[]) : [];
  const tamperedClaims = { ...claims, 'cognito:groups': [...groups, 'catalog-admin', 'inventory-staff'] };
  const flipped = Buffer.from(signature, 'base64url');
  flipped[0] = (flipped[0] ?? 0) ^ 0xff;

  return {
    'no Authorization header': undefined,
    'not a bearer token': `Basic ${base64url('admin:secret')}`,
    'bearer without a token': 'Bearer ',
    'not a JWT': 'Bearer not-a-token',
    'two parts only': `Bearer ${accessToken.split('.').slice(0, 2).join('.')}`,
    'alg none': `Bearer ${encodeJson({ ...header, alg: 'none' })}.${encodeJson(claims)}.`,
    'groups added to the claims': `Bearer ${encodedHeader}.${encodeJson(tamperedClaims)}.${signature}`,
    'signature altered': `Bearer ${encodedHeader}.${encodedClaims}.${base64url(flipped)}`,
    'signature empty': `Bearer ${accessToken.split('.').slice(0, 2).join('.')}.`,
    'signed by another key': `Bearer ${token(header, tamperedClaims, signWith(strangerKey))}`,
    'HS256 with the public key as secret': `Bearer ${token({ ...header, alg: 'HS256' }, tamperedClaims, (input) =>
      createHash('sha256').update(input).digest(),
    )}`,
    expired: `Bearer ${token(header, { ...claims, iat: now - 7200, auth_time: now - 7200, exp: now - 3600 }, bySigner)}`,
    'not yet valid': `Bearer ${token(header, { ...claims, iat: now + 3600, nbf: now + 3600, exp: now + 7200 }, bySigner)}`,
    'wrong issuer': `Bearer ${token(
      header,
      { ...claims, iss: `https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Elsewhere1` },
      bySigner,
    )}`,
    'wrong client': `Bearer ${token(header, { ...claims, client_id: `${pool.clientId}x` }, bySigner)}`,
    'ID token instead of an access token': `Bearer ${idToken}`,
    'ID token use claimed in an access token': `Bearer ${token(header, { ...claims, token_use: 'id' }, bySigner)}`,
  };
}

/** A correctly signed access token of the pool with its claims changed: for tests of what a valid token may do. */
export function poolSignedToken(accessToken: string, changes: Claims): string {
  return token(decodePart(accessToken, 0), { ...decodePart(accessToken, 1), ...changes }, poolSigner());
}
