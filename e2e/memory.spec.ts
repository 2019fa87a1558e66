// Stepping through micrographs must not leave their displays and maps behind on the main
// thread: the page once kept every one it had fetched (about a megabyte per micrograph shown).
import { expect, test, type Page } from '@playwright/test';
import { simulatedMicrograph } from './fixtures';
import { allPicked, blurFields, openPickedDemos } from './helpers';

/** The page's JavaScript memory (its ArrayBuffers included), after a garbage collection. */
async function pageMemory(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.detach();
  return page.evaluate(async () => {
    const perf = performance as unknown as {
      measureUserAgentSpecificMemory(): Promise<{ breakdown: { bytes: number; attribution: { scope: string }[] }[] }>;
    };
    const r = await perf.measureUserAgentSpecificMemory();
    return r.breakdown.filter((b) => b.attribution.some((a) => a.scope === 'Window')).reduce((n, b) => n + b.bytes, 0);
  });
}

test('stepping through the micrographs again and again does not grow the page memory', async ({ page }) => {
  // More micrographs than the page keeps views of (4), so that each visit fetches its display and map.
  const files = Array.from({ length: 8 }, (_, i) => simulatedMicrograph(`memory_${i}`, 1024, 80 + i));
  await openPickedDemos(page);
  await page.getByTestId('file-input').setInputFiles(files.map((f) => f.path));
  await allPicked(page);
  await page.getByTestId('mic-row').first().click();
  await blurFields(page);
  const rows = await page.getByTestId('mic-row').count();
  const round = async (): Promise<void> => {
    for (const key of ['n', 'p'])
      for (let i = 1; i < rows; i++) {
        await page.keyboard.press(key);
        await page.waitForTimeout(150);
      }
  };
  await round();
  const before = await pageMemory(page);
  for (let r = 0; r < 3; r++) await round();
  const after = await pageMemory(page);
  console.log(`page memory after one round ${(before / 1e6).toFixed(1)} MB, after three more ${(after / 1e6).toFixed(1)} MB`);
  // About 60 micrographs shown: the old leak kept each one's display (~1 MB) and map.
  expect(after - before).toBeLessThan(15e6);
});
