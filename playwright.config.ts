import { defineConfig } from '@playwright/test';
import { CHROMIUM_FLAGS, CHROMIUM_PATH, WEBGPU_FLAG } from './e2e/chromium';

// E2E_PORT lets two checkouts run their e2e tests side by side without sharing a dev server.
const port = Number(process.env.E2E_PORT ?? 4317);
/** The production build (what `npm start` serves), for e2e/production.spec.ts; far from the neighbours' E2E_PORT. */
export const PRODUCTION_PORT = Number(process.env.E2E_PRODUCTION_PORT ?? port + 500);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'e2e/artifacts',
  timeout: 240_000,
  expect: { timeout: 60_000 },
  workers: 1,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS, WEBGPU_FLAG] },
    viewport: { width: 1400, height: 900 },
    screenshot: 'on',
    acceptDownloads: true,
  },
  webServer: [
    {
      command: `npx vite --host 127.0.0.1 --port ${port} --strictPort`,
      env: { DRPNET_NO_HMR: '1' },
      url: `http://127.0.0.1:${port}`,
      reuseExistingServer: !process.env.CI,
      timeout: 120_000,
    },
    {
      command: `npx vite build --outDir dist/e2e-web && npx vite preview --outDir dist/e2e-web --host 127.0.0.1 --port ${PRODUCTION_PORT} --strictPort`,
      url: `http://127.0.0.1:${PRODUCTION_PORT}`,
      reuseExistingServer: !process.env.CI,
      timeout: 240_000,
    },
  ],
});
