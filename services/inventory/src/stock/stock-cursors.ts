import { idSchema } from '@shop/platform';
import Joi from 'joi';

/** What a page of stock levels' cursor holds: the last product id answered. */
export const productCursor = Joi.object({ id: idSchema().required() });

/** What a page of the history's cursor holds: the version of the last change answered. */
export const historyCursor = Joi.object({
  v: Joi.string()
    .pattern(/^[1-9]\d{0,14}$/)
    .required(),
});
