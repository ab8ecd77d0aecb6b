import { readFile } from 'node:fs/promises';
import { apiDocument } from '@shop/contracts';
import test from 'ava';
import { generateApiTypes, generatedTypesFile } from '../scripts/generate-api-types.js';

test('when the types are generated from the contract again, then they are the committed file (run `npm run generate -w @shop/api-client` if not)', async (t) => {
  t.is(await readFile(generatedTypesFile, 'utf8'), await generateApiTypes());
});

test('when the contract changes, then the generated types change with it', async (t) => {
  const document = apiDocument();
  const stockLevel = document.components?.schemas?.StockLevel as { properties: Record<string, unknown> };
  stockLevel.properties.location = { type: 'string' };
  const generated = await generateApiTypes(document);
  t.not(generated, await readFile(generatedTypesFile, 'utf8'));
  t.regex(generated, /StockLevel: \{[^}]*location\?: string;/);
});

test('when an input field has a default, then its generated type leaves it optional', async (t) => {
  t.regex(await readFile(generatedTypesFile, 'utf8'), /ProductInput: \{[^}]*currency\?: [^}]*category\?:/);
});
