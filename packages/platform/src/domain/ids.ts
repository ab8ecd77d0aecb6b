import { randomFillSync } from 'node:crypto';
import Joi from 'joi';
import { ulid } from 'ulid';

const pool = new Uint8Array(4096);
let position = pool.length;

// One cryptographic fill per 4 KiB of randomness: the library's default asks the system for one
// byte at a time, 16 times per id, which shows on a busy service's profile.
function pooledRandom(): number {
  if (position >= pool.length) {
    randomFillSync(pool);
    position = 0;
  }
  return (pool[position++] as number) / 256;
}

const idPattern = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** A new id: a ULID (time-ordered, 128 bits). Every id the platform makes is one. */
export function newId(): string {
  return ulid(undefined, pooledRandom);
}

/** True when `value` has the form of an id (a ULID in Crockford base32). */
export function isId(value: string | undefined): value is string {
  return value !== undefined && idPattern.test(value);
}

/** The joi rule for an id field (cursors, path parameters given in bodies). */
export const idSchema = () =>
  Joi.string().custom((value: string, helpers) => (isId(value) ? value : helpers.error('any.invalid')));
