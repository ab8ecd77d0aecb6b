import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

/** Why a static request was not answered with a file; the caller turns it into a problem. */
export type StaticMiss = { status: 400 | 403 | 404; detail: string };

async function fileAt(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    if (info.isFile()) return path;
    if (info.isDirectory()) return fileAt(join(path, 'index.html'));
  } catch {
    // Missing or unreadable: treated as not there.
  }
  return undefined;
}

function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root + sep);
}

/**
 * Serves a GET or HEAD from the files under `root`: a directory serves its index.html, and a
 * path without an extension that names no file serves the root index.html (client-side routes
 * of a single-page app). Nothing outside `root` is ever read, whether by `..`, encoded `..` or a
 * symbolic link, and dot-files are not served. Resolves with a miss instead of answering when
 * there is no file to send.
 */
export async function serveStaticFile(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<StaticMiss | undefined> {
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return { status: 400, detail: 'The path is not valid percent-encoding' };
  }
  if (path.includes('\0')) return { status: 400, detail: 'The path contains a NUL byte' };
  const rootDir = resolve(root);
  const requested = resolve(rootDir, `.${sep}${path}`);
  if (!isInside(rootDir, requested)) return { status: 403, detail: 'The path leads outside the web root' };
  if (path.split('/').some((segment) => segment.startsWith('.') && segment.length > 0)) {
    return { status: 404, detail: `No file at ${rawPath}` };
  }

  let file = await fileAt(requested);
  if (!file && extname(path) === '') file = await fileAt(join(rootDir, 'index.html'));
  if (!file) return { status: 404, detail: `No file at ${rawPath}` };
  let realRoot: string;
  let realFile: string;
  try {
    [realRoot, realFile] = await Promise.all([realpath(rootDir), realpath(file)]);
  } catch {
    return { status: 404, detail: `No file at ${rawPath}` };
  }
  if (!isInside(realRoot, realFile)) return { status: 403, detail: 'The path leads outside the web root' };

  const info = await stat(realFile);
  res.statusCode = 200;
  res.setHeader('Content-Type', contentTypes[extname(realFile).toLowerCase()] ?? 'application/octet-stream');
  res.setHeader('Content-Length', info.size);
  res.setHeader('Last-Modified', info.mtime.toUTCString());
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // The page must pick up a new build at once; hashed assets may be cached by the browser.
  res.setHeader('Cache-Control', extname(realFile) === '.html' ? 'no-cache' : 'public, max-age=300');
  if (req.method === 'HEAD') {
    res.end();
    return undefined;
  }
  try {
    await pipeline(createReadStream(realFile), res);
  } catch {
    // The client went away mid-file, or the file vanished; either way the response is over.
    res.destroy();
  }
  return undefined;
}
