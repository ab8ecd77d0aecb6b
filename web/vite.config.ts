import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const page = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  build: {
    target: 'es2022',
    // Every supported browser has module preload; the polyfill would only add bytes.
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        storefront: page('./index.html'),
        staff: page('./staff/index.html'),
        dashboard: page('./staff/dashboard/index.html'),
      },
    },
  },
});
