import type Joi from 'joi';
import { ValidationError } from '../errors/app-error.js';

/** One page of a list: the items and an opaque cursor for the next page, null at the end. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Encodes a position as an opaque, URL-safe cursor. */
export function encodeCursor(position: Record<string, string>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor and checks its shape against `schema`; anything else (tampered, truncated,
 * from another list) is a 422 on the `cursor` field rather than a failed query.
 */
export function decodeCursor<T>(cursor: string, schema: Joi.Schema<T>): T {
  const invalid = () => new ValidationError([{ field: 'cursor', message: 'cursor is not a valid page cursor' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const { error, value } = schema.validate(parsed, { convert: false, allowUnknown: false });
  if (error) throw invalid();
  return value as T;
}
