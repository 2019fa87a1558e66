import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Cross-origin isolation lets tfjs-backend-wasm use its threaded build (SharedArrayBuffer).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  worker: { format: 'es' },
  // Beside dist/cli (the command line's bundle), which a build into dist/ itself would empty away.
  build: { outDir: 'dist/web' },
  // DRPNET_NO_HMR (set by playwright.config.ts): no hot reload, so files edited while the
  // end-to-end tests run cannot reload the page or reset its state under them.
  server: { headers: isolation, hmr: process.env.DRPNET_NO_HMR ? false : undefined },
  preview: { headers: isolation },
  // Pre-bundled together so the backends register into the same tfjs-core instance as
  // @tensorflow/tfjs (served raw, tfjs-backend-wasm would load a second copy of the core and
  // its CommonJS WASM loaders would not run as modules). geotiff: only the worker imports it,
  // so the page's scan would find it late and reload the page mid-session.
  optimizeDeps: { include: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'comlink', 'geotiff'] },
});
