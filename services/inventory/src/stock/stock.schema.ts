import { freeText, idSchema, paginationQuery, visibleLine } from '@shop/platform';
import Joi from 'joi';
import { adjustmentReasons } from './stock-level.js';

const count = () => Joi.number().integer().min(0).max(1_000_000_000);

export const adjustmentSchema = Joi.object({
  quantity: Joi.number()
    .integer()
    .min(-1_000_000)
    .max(1_000_000)
    .invalid(0)
    .required()
    .messages({ 'any.invalid': '{#label} must not be 0' }),
  reason: Joi.string()
    .valid(...adjustmentReasons)
    .required(),
  note: freeText(500),
  reference: visibleLine(128),
})
  .required()
  .label('body');

export const stocktakeSchema = Joi.object({
  onHand: count().required(),
  note: freeText(500),
})
  .required()
  .label('body');

export const thresholdSchema = Joi.object({
  lowStockThreshold: count().required(),
})
  .required()
  .label('body');

export const reservationSchema = Joi.object({
  quantity: Joi.number().integer().min(1).max(1_000_000).required(),
  ttlSeconds: Joi.number().integer().min(1).max(3600).default(900),
})
  .required()
  .label('body');

export const listStockQuery = Joi.object({
  ...paginationQuery,
  lowStock: Joi.boolean(),
});

export const historyQuery = Joi.object(paginationQuery);

export const productCursor = Joi.object({ id: idSchema().required() });

export const historyCursor = Joi.object({
  v: Joi.string()
    .pattern(/^[1-9]\d{0,14}$/)
    .required(),
});
