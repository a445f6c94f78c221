/**
 * The browser playground (issue 14 §1): a static page over bpfvm's core, built with Vite.
 * `npm run playground` serves it, `npm run build:playground` writes playground/dist/.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  // relative asset URLs: dist/ works from any folder or host path
  base: './',
  // the core's packaged kernel data (kernel-sim/data/*.gz) is fetched as assets, never inlined
  build: { outDir: 'dist', emptyOutDir: true, assetsInlineLimit: 0, chunkSizeWarningLimit: 4096, target: 'es2022' },
  server: { fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] } },
  clearScreen: false,
});
