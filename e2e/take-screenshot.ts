// Takes docs/screenshot.png (the README's picture): the bundled demo, picked on the WASM
// backend, first micrograph with its heatmap, at 1400x900. Run after the models change:
//   npx tsx e2e/take-screenshot.ts [out.png]
// Starts its own Vite server (no hot reload) and Debian's chromium, like the e2e tests.
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import { CHROMIUM_PATH } from './chromium';

const out = process.argv[2] ?? 'docs/screenshot.png';
process.env.DRPNET_NO_HMR = '1';
const server = await createServer({ server: { port: 4318, strictPort: true, host: '127.0.0.1' }, logLevel: 'warn' });
await server.listen();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto('http://127.0.0.1:4318/?backend=wasm');
  await page.locator('[data-testid="backend-indicator"].ok').waitFor({ timeout: 120_000 });
  const rows = page.getByTestId('mic-row');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="mic-row"]').length > 0);
  // The demo micrographs are picked as they arrive.
  await page.waitForFunction(
    () => [...document.querySelectorAll('[data-testid="mic-row"]')].every((e) => e.getAttribute('data-status') === 'picked'),
    null,
    { timeout: 300_000 },
  );
  await rows.first().click();
  await page.keyboard.press('h');
  await page.waitForTimeout(1000); // the heatmap canvas and thumbnails settle
  await page.screenshot({ path: out });
  console.log(`wrote ${out}: ${(await rows.allTextContents()).join(' | ')}`);
} finally {
  await browser.close();
  await server.close();
}
