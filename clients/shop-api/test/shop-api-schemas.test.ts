import { apiDocument } from '@shop/contracts';
import test from 'ava';
import { adjustmentReasons, imageContentTypes, imageLimits } from '../src/index.js';

test("when a form offers adjustment reasons, then they are the contract's AdjustmentReason enum, in its order", (t) => {
  const reason = apiDocument().components?.schemas?.AdjustmentReason as { enum: string[] };
  t.deepEqual(adjustmentReasons, reason.enum);
});

test("when a form checks an image file, then its types are the contract's ImageContentType enum, in its order", (t) => {
  const contentType = apiDocument().components?.schemas?.ImageContentType as { enum: string[] };
  t.deepEqual(imageContentTypes, contentType.enum);
});

test("when a form checks an image before sending it, then its limits are the contract's", (t) => {
  const schemas = apiDocument().components?.schemas ?? {};
  const upload = schemas.ImageUploadRequest as { properties: { size: { maximum: number } } };
  const contract: Record<keyof typeof imageLimits, number> = {
    maxBytes: upload.properties.size.maximum,
    maxImages: (schemas.ProductImages as { maxItems: number }).maxItems,
    maxAltLength: (schemas.ImageAlt as { maxLength: number }).maxLength,
  };
  t.deepEqual<Record<string, number>, Record<string, number>>(imageLimits, contract);
});
