import { runInNewContext } from 'node:vm';
import test from 'ava';
import { pageRoutesFunctionCode } from '../src/page-routes.function.js';

interface ViewerRequest {
  method: string;
  uri: string;
  querystring: Record<string, { value: string }>;
  headers: Record<string, { value: string }>;
}

/**
 * The function as CloudFront runs it: its source evaluated on its own, in a context without
 * Node's globals, and called with a viewer-request event.
 */
const handler = runInNewContext(`${pageRoutesFunctionCode}; handler`, {}) as (event: {
  request: ViewerRequest;
}) => ViewerRequest;

function rewrite(uri: string): string {
  return handler({ request: { method: 'GET', uri, querystring: {}, headers: {} } }).uri;
}

const pages: [uri: string, file: string][] = [
  ['/', '/index.html'],
  ['/products/01J9ZK3Q8M6N5P4R3S2T1V0W9X', '/index.html'],
  ['/products/01J9ZK3Q8M6N5P4R3S2T1V0W9X/', '/index.html'],
  ['/staffing', '/index.html'],
  ['/staff', '/staff/index.html'],
  ['/staff/', '/staff/index.html'],
  ['/staff/products/01J9ZK3Q8M6N5P4R3S2T1V0W9X', '/staff/index.html'],
  ['/staff/dashboard', '/staff/dashboard/index.html'],
  ['/staff/dashboard/', '/staff/dashboard/index.html'],
];

for (const [uri, file] of pages) {
  test(`when a viewer asks for the page ${uri}, then CloudFront fetches ${file}`, (t) => {
    t.is(rewrite(uri), file);
  });
}

const files = [
  '/index.html',
  '/staff/index.html',
  '/staff/dashboard/index.html',
  '/config.json',
  '/assets/main-3f2a1b.js',
  '/assets/style-9c8d7e.css',
  '/favicon.ico',
];

for (const uri of files) {
  test(`when a viewer asks for the file ${uri}, then the path is left as it is`, (t) => {
    t.is(rewrite(uri), uri);
  });
}

test('when a page path is rewritten, then the rest of the request passes on unchanged', (t) => {
  const request: ViewerRequest = {
    method: 'GET',
    uri: '/products/42',
    querystring: { ref: { value: 'mail' } },
    headers: { accept: { value: 'text/html' } },
  };
  const expected = structuredClone({ ...request, uri: '/index.html' });
  t.deepEqual(handler({ request }), expected);
});

test('when the function is deployed, then its source fits the 10 KB limit of CloudFront Functions', (t) => {
  t.true(Buffer.byteLength(pageRoutesFunctionCode) < 10 * 1024);
});
