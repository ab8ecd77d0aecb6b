import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import test from 'ava';

const sourceDir = new URL('../src/', import.meta.url);

test('when the pages build markup, then they never turn strings into HTML or code', async (t) => {
  const files = (await readdir(sourceDir)).filter((name) => name.endsWith('.ts'));
  t.true(files.length > 5);
  const forbidden =
    /\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|\beval\(|new Function\(|createContextualFragment|srcdoc/;
  for (const file of files) {
    const source = await readFile(join(sourceDir.pathname, file), 'utf8');
    t.false(forbidden.test(source), `${file} builds markup from a string`);
  }
});
