// The toolbar at laptop widths (issue 13, defects 9 and 10): it wraps instead of pushing
// controls off screen, and a software WebGPU adapter is labelled slow. no-webgpu.spec.ts has
// the forced WebGPU without an adapter.
import { expect, test, type Page } from '@playwright/test';
import { engineReady, openPickedDemos } from './helpers';

/** Every control of the toolbar lies inside the window, and the status is not cut short. */
async function toolbarFits(page: Page, width: number): Promise<void> {
  const bad = await page.getByTestId('toolbar').evaluate((bar, width) => {
    const out: string[] = [];
    for (const el of bar.querySelectorAll<HTMLElement>('button, select, .backend-indicator, .save-state, .current-count, h1')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue; // hidden inputs
      if (r.left < 0 || r.right > width + 0.5)
        out.push(`${el.textContent?.trim() || el.dataset.testid} at ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
    for (const el of bar.querySelectorAll<HTMLElement>('.backend-indicator, .current-count, [data-testid="current-pick-count"]')) {
      if (el.scrollWidth > el.clientWidth + 1) out.push(`${el.textContent} is cut short`);
    }
    return out;
  }, width);
  expect(bad, `at ${width} px`).toEqual([]);
}

test('the toolbar wraps at 1440 px and below, with a long backend name; a software adapter is labelled slow', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/?backend=webgpu');
  await engineReady(page, 'webgpu');
  const indicator = page.getByTestId('backend-indicator');
  // Headless Chromium here offers only SwiftShader, a software adapter.
  await expect(indicator).toHaveAttribute('data-slow', 'true');
  await expect(indicator).toContainText(/software adapter.*slow/);
  await expect(indicator).toHaveClass(/\bslow\b/);
  await expect.poll(() => page.getByTestId('mic-row').count()).toBeGreaterThan(0);
  await page.getByTestId('mic-row').first().click();
  await expect(page.getByTestId('current-status')).toBeVisible();
  for (const width of [1440, 1280, 1024]) {
    await page.setViewportSize({ width, height: 800 });
    await toolbarFits(page, width);
    await expect(page.getByTestId('new-session')).toBeInViewport();
    await expect(page.getByTestId('help-button')).toBeInViewport();
  }
  await page.screenshot({ path: test.info().outputPath('toolbar-1024.png') });
});

test('on a 1440 x 900 laptop the Export button of the toolbar brings the export panel into view', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await openPickedDemos(page);
  await page.getByTestId('mic-row').first().click();
  // Below the parameters, the scores and the display settings: out of sight at first.
  await expect(page.getByTestId('export-all-zip')).not.toBeInViewport();
  await page.getByTestId('toolbar-export').click();
  await expect(page.getByTestId('export-all-zip')).toBeInViewport();
  await expect(page.getByTestId('export-current-star')).toBeInViewport();
  await expect(page.getByTestId('toolbar')).toBeInViewport();
});
