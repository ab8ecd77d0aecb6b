import { idSchema } from '@shop/platform';
import Joi from 'joi';

/** The versions of each behaviour event the storefront may send; a changed shape gets a new version. */
export const supportedVersions = { 'product-viewed': [1] } as const;

const productViewedVersions = supportedVersions['product-viewed'];

/** `POST /api/events` body: one product view. */
export const productViewedSchema = Joi.object({
  type: Joi.string()
    .valid(...Object.keys(supportedVersions))
    .required(),
  // Any other value, a string "1" included, gets the same answer naming what is supported.
  version: Joi.valid(...productViewedVersions)
    .required()
    .messages({
      'any.only': `{#label} must be a supported version: ${productViewedVersions.join(', ')}`,
      'any.required': `{#label} is required (supported versions: ${productViewedVersions.join(', ')})`,
    }),
  productId: idSchema().required().messages({ 'any.invalid': '{#label} must be a product id (a ULID)' }),
})
  .required()
  .label('body');

export interface ProductViewedInput {
  type: 'product-viewed';
  version: 1;
  productId: string;
}
