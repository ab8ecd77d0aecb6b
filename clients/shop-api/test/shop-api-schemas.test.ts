import { apiDocument } from '@shop/contracts';
import test from 'ava';
import { adjustmentReasons } from '../src/index.js';

test("when a form offers adjustment reasons, then they are the contract's AdjustmentReason enum, in its order", (t) => {
  const reason = apiDocument().components?.schemas?.AdjustmentReason as { enum: string[] };
  t.deepEqual(adjustmentReasons, reason.enum);
});
