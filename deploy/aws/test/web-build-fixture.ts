import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Pages and a hashed file as `npm run build -w web` lays them out. */
export const webBuildFiles: Readonly<Record<string, string>> = {
  'index.html': '<!doctype html><title>Shop</title><script type="module" src="/assets/main-3f2a1b.js"></script>',
  'staff/index.html': '<!doctype html><title>Staff</title>',
  'staff/dashboard/index.html': '<!doctype html><title>Dashboard</title>',
  'assets/main-3f2a1b.js': 'export {};',
};

/** A stand-in web build in a fresh temporary folder, so synthesis never depends on web/dist. */
export function temporaryWebBuild(): string {
  const folder = mkdtempSync(join(tmpdir(), 'shop-web-dist-'));
  for (const [path, content] of Object.entries(webBuildFiles)) {
    mkdirSync(dirname(join(folder, path)), { recursive: true });
    writeFileSync(join(folder, path), content);
  }
  return folder;
}
