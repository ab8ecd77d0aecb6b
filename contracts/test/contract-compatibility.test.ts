import test from 'ava';
import { apiDocument, breakingChanges, majorVersion, type OpenApiDocument, releasedContract } from '../src/index.js';

test('when the contract changes, then nothing breaks a client of the released one unless the major version is bumped', async (t) => {
  const released = await releasedContract();
  const current = apiDocument();
  const changes = await breakingChanges(released, current);
  if (majorVersion(current.info.version) > majorVersion(released.info.version)) {
    t.log(
      `${changes.length} breaking changes since ${String(released.info.version)}, allowed by the new major version`,
    );
    t.pass();
    return;
  }
  t.deepEqual(
    changes.map((change) => `${change.operation ?? ''} ${change.path ?? ''}: ${change.text} (${change.id})`),
    [],
    `breaking changes against the released ${String(released.info.version)}: bump info.version's major in contracts/src/api-document.ts, or keep the contract compatible`,
  );
});

test('when an operation, a response field or a status is removed, or an input becomes required, then the check names each', async (t) => {
  const base = apiDocument();
  const revision = structuredClone(base) as OpenApiDocument & {
    components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> };
  };
  delete revision.paths['/api/products/{id}']?.delete;
  const { Product: product, AdjustmentInput: adjustmentInput } = revision.components.schemas;
  if (!product || !adjustmentInput) throw new Error('the contract has no Product or AdjustmentInput schema');
  product.required = product.required?.filter((name) => name !== 'sku');
  delete product.properties?.sku;
  adjustmentInput.required?.push('note');
  const create = revision.paths['/api/products']?.post as { responses: Record<string, unknown> } | undefined;
  delete create?.responses['201'];
  const ids = new Set((await breakingChanges(base, revision)).map((change) => change.id));
  for (const id of [
    'api-removed-without-deprecation',
    'response-required-property-removed',
    'request-property-became-required',
    'response-success-status-removed',
  ]) {
    t.true(ids.has(id), `${id} in ${[...ids].join(', ')}`);
  }
});
