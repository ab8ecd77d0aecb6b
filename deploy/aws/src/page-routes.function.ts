/**
 * The source of the CloudFront Function (cloudfront-js-2.0, viewer request) on the web behaviour.
 * The pages route in the browser, so a path such as `/products/<id>` or `/staff/dashboard` must
 * be answered with its page's HTML; a path whose last segment has an extension is a file and
 * passes untouched. CloudFront caches under the rewritten path, so every storefront path shares
 * the one cached `/index.html`.
 *
 * It is kept as source text, not a compiled function, so the tests evaluate exactly what
 * CloudFront runs.
 */
export const pageRoutesFunctionCode = String.raw`function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var lastSegment = uri.slice(uri.lastIndexOf('/') + 1);
  if (/\.[A-Za-z0-9]+$/.test(lastSegment)) return request;
  if (uri === '/staff/dashboard' || uri === '/staff/dashboard/') {
    request.uri = '/staff/dashboard/index.html';
  } else if (uri === '/staff' || uri.startsWith('/staff/')) {
    request.uri = '/staff/index.html';
  } else {
    request.uri = '/index.html';
  }
  return request;
}
`;
