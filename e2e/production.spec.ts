// The production build, what `npm start` serves (README): bundled, minified, React in production
// mode. The other specs drive the dev server (they read the store through Vite's module URLs);
// this one checks that the build itself runs the engine: workers, the WASM backend, the models
// and the demo micrographs, through the page alone.
import { expect, test } from '@playwright/test';
import { PRODUCTION_PORT } from '../playwright.config';

test.use({ baseURL: `http://127.0.0.1:${PRODUCTION_PORT}` });

test('the production build picks the demo micrographs and exports their picks', async ({ page }) => {
  await page.goto('/?backend=wasm');
  const rows = page.getByTestId('mic-row');
  await expect(rows).toHaveCount(3);
  for (const row of await rows.all()) await expect(row).toHaveAttribute('data-status', 'picked', { timeout: 120_000 });
  for (const row of await rows.all()) expect(Number(await row.getAttribute('data-picks'))).toBeGreaterThan(10);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-current-star').click()]);
  expect(download.suggestedFilename()).toMatch(/_autopick\.star$/);
});
