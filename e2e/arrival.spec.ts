// A new user's first minutes (issue 13, defects 2 and 13): the particle diameter is set for the
// session before anything is dropped, in Å, and each dropped micrograph is picked on arrival
// with it, its progress shown and never going back; the zoom never reads nonsense while an
// image opens; notices go away by themselves and never cover the viewer; no console errors.
import { expect, test, type Page } from '@playwright/test';
import { engineReady, micrographs, openEmptySession, rowStatuses } from './helpers';
import { simulatedMicrograph, type SimulatedFile } from './fixtures';

let big: SimulatedFile;

test.beforeAll(() => {
  big = simulatedMicrograph('large_4k', 4096, 21);
});

/** Records every value a badge's progress and the zoom label take from now on. */
async function watch(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { progressSeen: Record<string, number[]>; zoomSeen: string[] };
    w.progressSeen = {};
    w.zoomSeen = [];
    const record = (): void => {
      for (const row of document.querySelectorAll('[data-testid="mic-row"]')) {
        const p = row.querySelector('[data-testid="mic-status"]')?.getAttribute('data-progress');
        const name = row.getAttribute('data-name')!;
        if (p) (w.progressSeen[name] ??= []).push(Number(p));
      }
      const z = document.querySelector('[data-testid="zoom-level"]')?.textContent;
      if (z !== undefined && z !== null && w.zoomSeen[w.zoomSeen.length - 1] !== z) w.zoomSeen.push(z);
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

test('the diameter is set in Å before anything is dropped; a dropped micrograph is picked on arrival with it', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.status()} ${r.url()}`));
  // An empty session: the diameter is there to set before any file.
  await openEmptySession(page);
  await expect(page.getByTestId('mic-row')).toHaveCount(0);
  await expect(page.getByTestId('session-panel')).toBeVisible();
  await expect(page.getByTestId('session-diameter')).toHaveValue('140');
  await page.getByTestId('session-diameter-unit').selectOption('A');
  const angstrom = Math.round(big.diameter * 1.3);
  await page.getByTestId('session-diameter').fill(String(angstrom));
  await page.getByTestId('session-diameter').press('Enter');
  await expect(page.getByTestId('session-diameter-note')).toContainText('pixel size in its header');

  await watch(page);
  await page.getByTestId('file-input').setInputFiles(big.path);
  const row = page.getByTestId('mic-row').filter({ hasText: big.name });
  // Nothing else to press: it is picked as it arrives.
  await expect(row).toHaveAttribute('data-status', 'picked', { timeout: 180_000 });
  const m = (await micrographs(page)).find((x) => x.name === big.name)!;
  const px = Math.round((angstrom / 1.3) * 10) / 10;
  expect(m.params.diameter).toBe(px);
  expect(m.pickedWith?.diameter).toBe(px);
  expect(m.kept).toBeGreaterThan(50);
  await expect(page.getByTestId('session-diameter-note')).toContainText(`${angstrom} Å = ${px} px at 1.3 Å/px`);

  const seen = await page.evaluate(() => {
    const w = window as unknown as { progressSeen: Record<string, number[]>; zoomSeen: string[] };
    return { progressSeen: w.progressSeen, zoomSeen: w.zoomSeen };
  });
  const progress = seen.progressSeen[big.name] ?? [];
  console.log(`progress of ${big.name}: ${progress.join(' ')}; zoom labels: ${seen.zoomSeen.join(' ')}`);
  expect(progress.some((p) => p > 0 && p < 100)).toBe(true); // shown while it ran
  for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]); // never back
  // The zoom label was empty until the size was known, then the fitted zoom (4096 px in ~1000 px: ~20%).
  for (const z of seen.zoomSeen) expect(z === '' || Number.parseFloat(z) <= 100).toBe(true);
  await expect(page.getByTestId('zoom-level')).toHaveText(/^\d+(\.\d)?%$/);
  expect(problems).toEqual([]);
});

test('notices go away by themselves, can be closed, and never cover the viewer', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await engineReady(page);
  await page.getByTestId('file-input').setInputFiles([{ name: 'notes.md', mimeType: 'text/plain', buffer: Buffer.from('x') }]);
  const notice = page.getByTestId('notice').filter({ hasText: 'notes.md' });
  await expect(notice).toHaveCount(1);
  const n = (await notice.boundingBox())!;
  const v = (await page.getByTestId('viewer').boundingBox())!;
  expect(n.x + n.width <= v.x || n.y >= v.y + v.height).toBe(true);
  // Gone without a click.
  await expect(notice).toHaveCount(0, { timeout: 15_000 });
  await page.getByTestId('file-input').setInputFiles([{ name: 'other.doc', mimeType: 'text/plain', buffer: Buffer.from('x') }]);
  const second = page.getByTestId('notice').filter({ hasText: 'other.doc' });
  await expect(second).toHaveCount(1);
  await second.getByTestId('notice-close').click();
  await expect(second).toHaveCount(0);
});

test('files dropped together count in the progress at once; Cancel stops the picking of those still being opened', async ({ page }) => {
  const files = Array.from({ length: 10 }, (_, i) => simulatedMicrograph(`drop_${i}`, 1536, 40 + i));
  await page.goto('/?backend=wasm');
  await engineReady(page);
  await expect.poll(async () => (await rowStatuses(page)).length).toBeGreaterThan(0);
  await expect.poll(async () => (await rowStatuses(page)).every((s) => s === 'picked'), { timeout: 120_000 }).toBe(true);
  const demos = (await rowStatuses(page)).length;
  // Every total the progress bar shows from now on.
  await page.evaluate(() => {
    const w = window as unknown as { totals: number[] };
    w.totals = [];
    new MutationObserver(() => {
      const t = document.querySelector('[data-testid="pick-all-progress"]')?.getAttribute('data-total');
      if (t && w.totals[w.totals.length - 1] !== Number(t)) w.totals.push(Number(t));
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await page.getByTestId('file-input').setInputFiles(files.map((f) => f.path));
  const progress = page.getByTestId('pick-all-progress');
  await expect(progress).toHaveAttribute('data-total', String(files.length));
  // Cancel once the first is picked, while others are still being opened.
  await expect
    .poll(async () => (await rowStatuses(page)).filter((s) => s === 'picked').length, { timeout: 120_000 })
    .toBeGreaterThan(demos);
  await page.getByTestId('cancel-batch').click();
  await expect(progress).toHaveCount(0, { timeout: 60_000 });
  const picked = (await rowStatuses(page)).filter((s) => s === 'picked').length;
  expect(picked).toBeLessThan(demos + files.length);
  // Nothing more is picked, no new batch starts, and the rest are not left half-way.
  await page.waitForTimeout(8000);
  const after = await rowStatuses(page);
  expect(after.filter((s) => s === 'picked').length).toBe(picked);
  expect(after.filter((s) => s === 'picking' || s === 'detecting')).toEqual([]);
  await expect(progress).toHaveCount(0);
  await expect(page.getByTestId('pick-all')).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { totals: number[] }).totals)).toEqual([files.length]);
});

test('a batch is saved while it runs: a reload mid-batch keeps its micrographs and edits, and picking resumes', async ({ page }) => {
  const files = Array.from({ length: 20 }, (_, i) => simulatedMicrograph(`batch_${i}`, 1024, 60 + i));
  await page.goto('/?backend=wasm');
  await engineReady(page);
  await expect.poll(async () => (await rowStatuses(page)).every((s) => s === 'picked'), { timeout: 120_000 }).toBe(true);
  await page.getByTestId('file-input').setInputFiles(files.map((f) => f.path));
  await expect(page.getByTestId('pick-all-progress')).toBeVisible();
  // A flag set during the batch.
  await page.getByTestId('mic-row').filter({ hasText: files[0].name }).getByTestId('mic-excluded').click();
  const saved = () =>
    page.evaluate(async () => {
      const url = '/src/app/persist.ts';
      const persist = await import(/* @vite-ignore */ url);
      const snap = await persist.loadSession();
      return (snap?.micrographs ?? []).filter((m: { demo?: boolean }) => !m.demo) as { name: string; excluded?: boolean }[];
    });
  // The progress of the batch changes the state all the time; the session is written anyway, before the batch ends.
  await expect
    .poll(
      async () => {
        const mics = await saved();
        return mics.length === files.length && !!mics.find((m) => m.name === files[0].name)?.excluded;
      },
      { timeout: 10_000 },
    )
    .toBe(true);
  const unpicked = (await rowStatuses(page)).filter((s) => s !== 'picked').length;
  expect(unpicked).toBeGreaterThan(0);
  await page.reload();
  await engineReady(page);
  const rows = page.getByTestId('mic-row');
  await expect.poll(() => rows.count()).toBe(files.length + 3);
  await expect(rows.filter({ hasText: files[0].name })).toHaveAttribute('data-excluded', 'true');
  await expect.poll(async () => (await rowStatuses(page)).every((s) => s === 'picked'), { timeout: 180_000 }).toBe(true);

  // Stepping through the long list with n keeps the current row in sight.
  await rows.first().click();
  const n = await rows.count();
  for (let i = 1; i < n; i++) await page.keyboard.press('n');
  const current = page.locator('[data-testid="mic-row"].current');
  await expect(current).toHaveAttribute('data-name', (await rows.nth(n - 1).getAttribute('data-name'))!);
  await expect(current).toBeInViewport();
});
