import Joi from 'joi';

/**
 * One line of visible text (names): no control characters, and at least one letter, digit,
 * punctuation mark or symbol, so neither blanks nor zero-width characters alone pass.
 */
export function visibleLine(max: number) {
  return Joi.string()
    .min(1)
    .max(max)
    .pattern(/^\P{Cc}*$/u, 'text without control characters')
    .pattern(/[\p{L}\p{N}\p{P}\p{S}]/u, 'text with at least one visible character')
    .messages({ 'string.pattern.name': '{#label} must be {#name}' });
}

/** Free text (descriptions, notes): line breaks and tabs, but no other control characters. */
export function freeText(max: number) {
  return Joi.string()
    .max(max)
    .pattern(/^(?:[\t\n\r]|\P{Cc})*$/u, 'text without control characters other than line breaks and tabs')
    .messages({ 'string.pattern.name': '{#label} must be {#name}' });
}
