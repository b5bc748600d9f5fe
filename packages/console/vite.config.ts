// Builds the console into dist/, served by the service under /console/. No inline scripts or styles
// (the server's CSP forbids them): the module-preload polyfill, the only inline script Vite may add,
// is off, and CSS goes to files.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
  },
});
