import { freeText, isCurrencyCode, paginationQuery, visibleLine } from '@shop/platform';
import Joi from 'joi';
import { defaultCategory, defaultCurrency } from './product.js';

const name = visibleLine(200);
const description = freeText(5000).allow('');
const price = Joi.number().min(0).max(99_999_999.99).precision(2).messages({
  'number.precision': '{#label} must have at most 2 decimal places',
});
const currency = Joi.string()
  .pattern(/^[A-Z]{3}$/)
  .custom((value: string, helpers) => (isCurrencyCode(value) ? value : helpers.error('currency.unknown')))
  .messages({
    'string.pattern.base': '{#label} must be an ISO 4217 code such as USD',
    'currency.unknown': '{#label} must be an ISO 4217 code such as USD',
  });
const sku = Joi.string()
  .pattern(/^[A-Za-z0-9_-]{1,64}$/)
  .messages({ 'string.pattern.base': '{#label} must be 1-64 letters, digits, "_" or "-"' });
export const categorySlug = Joi.string()
  .max(64)
  .pattern(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
  .messages({ 'string.pattern.base': '{#label} must be a lowercase slug such as "running-shoes"' });
const supplier = Joi.object({
  name: visibleLine(200).required(),
  email: Joi.string()
    .max(254)
    .email({ tlds: { allow: false } })
    .required(),
});

/** POST and PUT bodies. */
export const productInputSchema = Joi.object({
  name: name.required(),
  description: description.required(),
  price: price.required(),
  currency: currency.default(defaultCurrency),
  sku,
  category: categorySlug.default(defaultCategory),
  supplier,
})
  .required()
  .label('body');

/** PATCH bodies (JSON merge patch): any subset, at least one field. */
export const productPatchSchema = Joi.object({
  name,
  description,
  price,
  currency,
  sku,
  category: categorySlug,
  supplier: supplier.allow(null),
})
  .min(1)
  .required()
  .label('body')
  .messages({ 'object.min': 'body must change at least one field' });

/** `GET /api/products` query. */
export const listProductsQuery = Joi.object({
  ...paginationQuery,
  category: categorySlug,
});
