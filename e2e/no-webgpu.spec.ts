// A forced backend that cannot start (issue 13, defect 10): WebGPU asked for where the browser
// has no adapter falls back to WASM, says why, and picks.
import { expect, test } from '@playwright/test';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from './chromium';
import { allPicked, engineReady } from './helpers';

// The configured Chromium without --enable-unsafe-webgpu: it offers no WebGPU adapter.
test.use({ launchOptions: { executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS] } });

test('a forced WebGPU without an adapter falls back to WASM, says why, and picks', async ({ page }) => {
  await page.goto('/?backend=webgpu');
  await engineReady(page, 'wasm');
  await expect(page.getByTestId('backend-note')).toBeVisible();
  await expect(page.getByTestId('backend-note')).toHaveAttribute('title', /WebGPU could not start \(.+\); picking runs on WASM instead/);
  await expect(page.getByTestId('notice').filter({ hasText: 'WebGPU could not start' })).toHaveCount(1);
  await expect(page.getByTestId('backend-select')).toHaveValue('webgpu');
  await allPicked(page);
  await expect(page.getByTestId('pick-all')).toBeEnabled();
});
