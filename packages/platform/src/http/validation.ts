import type Joi from 'joi';
import { ValidationError } from '../errors/app-error.js';

/**
 * Validates `value` against a joi schema and returns the result, or throws a ValidationError that
 * lists every field at fault. Bodies are validated without type coercion (a string price is an
 * error); query strings with it (`limit=5`).
 */
export function validate<T>(schema: Joi.Schema<T>, value: unknown, options: { coerce?: boolean } = {}): T {
  const { error, value: validated } = schema.validate(value, {
    abortEarly: false,
    convert: options.coerce ?? false,
    allowUnknown: false,
    errors: { wrap: { label: false } },
  });
  if (error) {
    throw new ValidationError(
      error.details.map((detail) => ({
        field: detail.path.length > 0 ? detail.path.join('.') : (detail.context?.key ?? 'body'),
        message: detail.message,
      })),
    );
  }
  return validated as T;
}
