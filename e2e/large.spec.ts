// A 4096x4096 float32 micrograph (64 MB) on the WASM backend: live re-picks on the kept map
// under 100 ms (measured in the page), full detail at 1:1, and a batch on the worker pool that
// keeps its finished micrographs when cancelled.
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { engineReady, pickCount, rowStatuses } from './helpers';
import { simulatedMicrograph, type SimulatedFile } from './fixtures';

let big: SimulatedFile;

test.beforeAll(() => {
  big = simulatedMicrograph('large_4k', 4096, 21);
});

/** The session diameter, typed before anything of that size is dropped. */
async function setDiameter(page: Page, px: number): Promise<void> {
  const d = page.getByTestId('session-diameter');
  await d.fill(String(px));
  await d.press('Enter');
}

async function openBig(page: Page): Promise<void> {
  await page.goto('/?backend=wasm');
  await engineReady(page);
  await setDiameter(page, big.diameter);
  await page.getByTestId('file-input').setInputFiles(big.path);
  const row = page.getByTestId('mic-row').filter({ hasText: big.name });
  await row.click();
  await expect(page.getByTestId('current-pick-count')).toBeVisible();
  // Picked on arrival, with the session's diameter.
  await expect(row).toHaveAttribute('data-status', 'picked', { timeout: 120_000 });
  await expect(page.getByTestId('mic-diameter')).toContainText(`${big.diameter} px`);
}

test('live re-pick on a kept 4k map takes under 100 ms, from the field edit to the frame that draws it', async ({ page }, testInfo) => {
  await openBig(page);
  const fcrnBefore = await page.evaluate(async () => {
    const url = '/src/app/store.ts';
    const { useWorkbench, currentMic } = await import(/* @vite-ignore */ url);
    return currentMic(useWorkbench.getState()).timings.fcrn as number;
  });
  expect(fcrnBefore).toBeGreaterThan(0);
  const initial = await pickCount(page);
  // Thresholds up and down from the default; each edit is typed into the number field.
  const values = [5, 6, 8, 5.5, 4.5, 3.5, 4, 7, 5, 4]; // ends at the default, 4
  const runs = await page.evaluate(async (values) => {
    const url = '/src/app/store.ts';
    const { useWorkbench, currentMic } = await import(/* @vite-ignore */ url);
    const input = document.querySelector<HTMLInputElement>('[data-testid="param-threshold-number"]')!;
    const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
    const out: { ms: number; picks: number; repick: Record<string, number> }[] = [];
    for (const v of values) {
      const before = currentMic(useWorkbench.getState()).auto;
      const updated = new Promise<void>((resolve) => {
        const stop = useWorkbench.subscribe((s: { micrographs: { auto: unknown }[] }) => {
          if (currentMic(s).auto !== before) {
            stop();
            resolve();
          }
        });
      });
      const t0 = performance.now();
      setValue.call(input, String(v));
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true })); // the field commits on Enter
      await updated;
      // The first update (a preview when new candidates await the classifier) is drawn by Konva
      // in the next animation frame.
      await new Promise((r) => requestAnimationFrame(() => r(undefined)));
      const m = currentMic(useWorkbench.getState());
      out.push({
        ms: performance.now() - t0,
        picks: m.auto.filter((p: { kept: boolean }) => p.kept).length,
        repick: { peaks: m.timings.peaks, screens: m.timings.screens, classifier: m.timings.classifier ?? 0 },
      });
    }
    return out;
  }, values);
  // The exact result (classifier run on new candidates) settles after the preview; back at the
  // first threshold it is the very pick the detector run gave.
  await expect.poll(() => pickCount(page)).toBe(initial);
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)];
  const summary = `live re-pick on ${big.name} (4096x4096, WASM): median ${median.toFixed(1)} ms, max ${ms[ms.length - 1].toFixed(1)} ms over ${ms.length} edits; ${runs.map((r) => `${r.ms.toFixed(0)}ms/${r.picks}`).join(' ')}`;
  console.log(summary);
  console.log(JSON.stringify(runs.map((r) => r.repick)));
  writeFileSync(testInfo.outputPath('live-repick.txt'), `${summary}\n${JSON.stringify(runs, null, 1)}\n`);
  expect(median).toBeLessThan(100);
  // Every edit re-picked on the kept map: the FCRN did not run again.
  const fcrnAfter = await page.evaluate(async () => {
    const url = '/src/app/store.ts';
    const { useWorkbench, currentMic } = await import(/* @vite-ignore */ url);
    return currentMic(useWorkbench.getState()).timings.fcrn as number;
  });
  expect(fcrnAfter).toBe(fcrnBefore);
  expect(new Set(runs.map((r) => r.picks)).size).toBeGreaterThan(2);
  await expect.poll(() => pickCount(page)).toBe(runs[runs.length - 1].picks);
});

test('1:1 zoom draws the original pixels of the visible region', async ({ page }, testInfo) => {
  await openBig(page);
  const images = () =>
    page.evaluate(() => {
      type Node = { getClassName(): string; scaleX(): number; getChildren?(): Node[] };
      const Konva = (window as unknown as { Konva: { stages: { getChildren(): Node[] }[] } }).Konva;
      const stage = Konva.stages[Konva.stages.length - 1];
      return stage
        .getChildren()
        .flatMap((layer) => (layer.getChildren?.() ?? []).filter((n) => n.getClassName() === 'Image').map((n) => n.scaleX()));
    });
  expect(await images()).toEqual([2]); // fitted: the 2048-px display of the 4096-px image
  await page.keyboard.press('1');
  await expect(page.getByTestId('zoom-level')).toHaveText('100%');
  await expect.poll(images).toEqual([2, 1]); // plus a full-resolution crop of the view
  await page.screenshot({ path: testInfo.outputPath('zoom-1to1.png') });
  await page.keyboard.press('f');
  await expect(page.getByTestId('zoom-level')).not.toHaveText('100%');
});

test('pick all runs on every worker; cancelling keeps what finished', async ({ page }, testInfo) => {
  await page.goto('/?backend=wasm');
  await engineReady(page);
  const workers = Number(await page.getByTestId('backend-indicator').getAttribute('data-workers'));
  expect(workers).toBeGreaterThanOrEqual(2);
  const files = [0, 1, 2, 3, 4].map((i) => {
    const p = path.join(path.dirname(big.path), `batch_${i}.mrc`);
    copyFileSync(big.path, p);
    return p;
  });
  // The session's diameter, then the files: they are picked on arrival, with progress.
  const rows = page.getByTestId('mic-row');
  await setDiameter(page, big.diameter);
  await page.getByTestId('file-input').setInputFiles(files);
  await expect(rows).toHaveCount(3 + files.length);
  await expect(page.getByTestId('pick-all-progress')).toBeVisible();
  // Two micrographs are picked at the same time, one per worker.
  await expect.poll(async () => (await rowStatuses(page)).filter((s) => s === 'picking').length, { timeout: 60_000 }).toBe(2);
  const bigRows = rows.filter({ hasText: 'batch_' });
  const bigPicked = async () =>
    (await bigRows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).filter((st) => st === 'picked').length;
  await expect.poll(bigPicked, { timeout: 120_000 }).toBeGreaterThanOrEqual(1);
  await page.getByTestId('cancel-batch').click();
  await expect(page.getByTestId('pick-all-progress')).toHaveCount(0, { timeout: 120_000 });
  const statuses = await rowStatuses(page);
  const picked = statuses.filter((s) => s === 'picked').length;
  expect(statuses.filter((s) => s === 'picking')).toHaveLength(0);
  expect(await bigPicked()).toBeGreaterThanOrEqual(1);
  // Those left are said not to be picked, not "queued": nothing is going to pick them until Pick all.
  expect(statuses.filter((s) => s === 'queued')).toHaveLength(0);
  expect(statuses.filter((s) => s === 'unpicked').length).toBeGreaterThan(0);
  await expect(page.locator('.mic-row[data-status="unpicked"] [data-testid="mic-status"]').first()).toHaveText('not picked');
  await page.screenshot({ path: testInfo.outputPath('batch-cancelled.png') });
  // The finished ones keep their picks.
  for (const row of await rows.filter({ hasText: 'batch_' }).all()) {
    if ((await row.getAttribute('data-status')) === 'picked') expect(Number(await row.getAttribute('data-picks'))).toBeGreaterThan(50);
  }
  console.log(`batch cancelled with ${picked} of ${statuses.length} micrographs picked, ${workers} workers`);
});
