import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { generatedTypesFile, generateEventTypes } from '../scripts/generate-event-types.js';
import { eventContractFolder } from '../src/index.js';

test('when the types are generated from the schemas again, then they are the committed file (run `npm run generate -w @shop/contracts` if not)', async (t) => {
  t.is(await readFile(generatedTypesFile, 'utf8'), await generateEventTypes());
});

test('when a schema changes, then the generated types change with it', async (t) => {
  const folder = await mkdtemp(join(tmpdir(), 'shop-event-schemas-'));
  try {
    await cp(eventContractFolder, folder, { recursive: true });
    const file = join(folder, 'shop.web.product.viewed.v1.schema.json');
    const schema = JSON.parse(await readFile(file, 'utf8'));
    schema.properties.data.properties.referrer = { type: 'string' };
    await writeFile(file, JSON.stringify(schema));
    const generated = await generateEventTypes(folder);
    t.not(generated, await readFile(generatedTypesFile, 'utf8'));
    t.regex(generated, /export interface ProductViewedData \{[^}]*referrer\?: string;/);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
});
