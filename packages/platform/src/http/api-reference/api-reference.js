// Swagger UI over the platform's own OpenAPI document. A file of its own, not an inline script,
// so the page runs under the site's Content-Security-Policy (scripts from the site only).
window.addEventListener('DOMContentLoaded', () => {
  window.ui = window.SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#api-reference',
    deepLinking: true,
    // "Try it out" sends requests to this same origin; a pasted access token is kept for the tab.
    persistAuthorization: true,
    tryItOutEnabled: false,
    displayRequestDuration: true,
    // No third-party validator: the page calls nothing but this site.
    validatorUrl: null,
  });
});
