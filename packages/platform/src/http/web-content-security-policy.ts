/**
 * The Content-Security-Policy of the web pages, defined once: the local gateway sends it with
 * every page and the AWS deployment puts it in CloudFront's response headers. Scripts and styles
 * come only from the site's own files (no inline script, no inline style, no eval), and the pages
 * may call only the site itself and the identity provider they sign in with.
 */
export function webContentSecurityPolicy(options: { connectSources?: readonly string[] } = {}): string {
  const directives: Record<string, readonly string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'connect-src': ["'self'", ...(options.connectSources ?? [])],
    'font-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}
