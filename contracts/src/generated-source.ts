import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const biome = fileURLToPath(new URL('../../node_modules/.bin/biome', import.meta.url));

/**
 * Generated TypeScript formatted as the repository's Biome configuration formats `filePath`, so a
 * generated file passes the lint and a regeneration compares equal to the committed one.
 */
export function formatGeneratedSource(source: string, filePath: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      biome,
      ['format', `--stdin-file-path=${filePath}`],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new Error(`biome format failed: ${stderr}`)) : resolve(stdout)),
    );
    child.stdin?.end(source);
  });
}
