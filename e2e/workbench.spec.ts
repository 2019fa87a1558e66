// One real user flow on the bundled demo, WASM backend: open, pick, move the threshold, reject
// and add picks (click, drag, box select, undo/redo, shortcuts), export one file and the zip,
// reload and find everything restored, drop a corrupt MRC. Screenshots are kept as artifacts.
import { readFileSync } from 'node:fs';
import { expect, test, type Page, type Route } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { readCoordinates } from '../src/core/coords';
import { corruptMrc } from './fixtures';
import {
  currentMicrograph,
  currentPicks,
  dragWorld,
  emptySpot,
  engineReady,
  pickCount,
  rowStatuses,
  screenPoint,
  storeValue,
  type PagePick,
} from './helpers';

const closeTo = (a: { x: number; y: number }, b: { x: number; y: number }, tol = 0.01): boolean => Math.hypot(a.x - b.x, a.y - b.y) < tol;

/** Candidates of the current micrograph, including those the classifier or screens drop. */
async function candidateCount(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const url = '/src/app/store.ts';
    const store = await import(/* @vite-ignore */ url);
    return store.currentMic(store.useWorkbench.getState()).auto.length as number;
  });
}

async function counts(page: Page): Promise<Record<string, number>> {
  const out: Record<string, number> = { auto: 0, accepted: 0, rejected: 0, manual: 0 };
  for (const p of await currentPicks(page)) out[p.state]++;
  return out;
}

test('demo flow: pick, tune, edit, export, reload, bad file', async ({ page }, testInfo) => {
  const shot = async (name: string) => page.screenshot({ path: testInfo.outputPath(`${name}.png`) });
  await page.goto('/?backend=wasm');
  await engineReady(page);
  const rows = page.getByTestId('mic-row');
  await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(2);
  const nSamples = await rows.count();

  // Every micrograph is picked as it arrives (on the pool of workers); then the first one's heatmap.
  await expect.poll(async () => (await rowStatuses(page)).every((s) => s === 'picked'), { timeout: 180_000 }).toBe(true);
  await rows.first().click();
  await expect.poll(() => pickCount(page)).toBeGreaterThan(5);
  const before = await pickCount(page);
  await page.keyboard.press('h');
  await expect(page.getByTestId('heatmap-toggle')).toBeChecked();
  await expect(page.getByTestId('metrics-f1')).toHaveText(/\d+\.\d/);
  await expect(page.getByTestId('pr-series-current')).toHaveAttribute('data-points', /^[1-9]\d*$/);
  await expect(page.getByTestId('timings').locator('tr[data-stage="fcrn"]')).toHaveCount(1);
  await shot('01-picked-heatmap');
  await page.keyboard.press('h');

  // A stricter threshold gives fewer candidates and another count, through a re-pick on the
  // kept map (the detector does not run again); going back gives the same picks.
  const threshold = page.getByTestId('param-threshold-number');
  const t0 = Number(await threshold.inputValue());
  const c0 = await candidateCount(page);
  const fcrn = await page.getByTestId('timings').locator('tr[data-stage="fcrn"] td').textContent();
  await threshold.fill(String(t0 * 4 + 8));
  await threshold.press('Enter');
  await expect.poll(() => candidateCount(page)).toBeLessThan(c0);
  await expect.poll(() => pickCount(page)).not.toBe(before);
  await threshold.fill(String(t0));
  await threshold.press('Enter');
  await expect.poll(() => pickCount(page)).toBe(before);
  await expect.poll(() => candidateCount(page)).toBe(c0);
  await expect(page.getByTestId('timings').locator('tr[data-stage="fcrn"] td')).toHaveText(fcrn!);

  // Reject one pick (a click selects it, Delete rejects it), add a manual pick in empty space.
  await page.getByTestId('zoom-fit').click();
  const mic = await currentMicrograph(page);
  const picks = await currentPicks(page);
  const victim = picks.find((p) => p.state === 'auto')!;
  let at = await screenPoint(page, victim.x, victim.y);
  await page.mouse.click(at.x, at.y);
  await page.keyboard.press('Delete');
  await expect.poll(async () => (await counts(page)).rejected).toBe(1);
  const empty = emptySpot(picks, mic);
  expect(empty.d).toBeGreaterThan(mic.diameter / 2);
  at = await screenPoint(page, empty.x, empty.y);
  await page.mouse.click(at.x, at.y);
  await expect.poll(async () => (await counts(page)).manual).toBe(1);
  const manual = (await currentPicks(page)).find((p) => p.state === 'manual')!;
  expect(Math.hypot(manual.x - empty.x, manual.y - empty.y)).toBeLessThan(mic.diameter / 20);
  await shot('02-edited');

  // Undo and redo the manual pick (keyboard).
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await counts(page)).manual).toBe(0);
  await page.keyboard.press('Control+Shift+z');
  await expect.poll(async () => (await counts(page)).manual).toBe(1);

  // Box select (shift-drag) rejects every pick inside; undo brings them back.
  const edited = await counts(page);
  const box = { x0: mic.width * 0.05, y0: mic.height * 0.05, x1: mic.width * 0.5, y1: mic.height * 0.5 };
  const inside = (await currentPicks(page)).filter(
    (p) => p.state === 'auto' && p.x >= box.x0 && p.x <= box.x1 && p.y >= box.y0 && p.y <= box.y1,
  ).length;
  expect(inside).toBeGreaterThan(0);
  const a = await screenPoint(page, box.x0, box.y0);
  const b = await screenPoint(page, box.x1, box.y1);
  await page.keyboard.down('Shift');
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 3 });
  await page.mouse.move(b.x, b.y, { steps: 3 });
  await page.mouse.up();
  await page.keyboard.up('Shift');
  await expect.poll(async () => (await counts(page)).rejected).toBe(edited.rejected + inside);
  await shot('03-box-rejected');
  await page.getByTestId('undo').click();
  await expect.poll(() => counts(page)).toEqual(edited);

  // Drag a pick to move it: it leaves its old place (not rejected: no negative for retraining),
  // and a manual pick lands where it was dropped.
  const mover = (await currentPicks(page)).find((p) => p.state === 'auto' && p.x > mic.diameter * 2 && p.x < mic.width - mic.diameter * 2)!;
  await dragWorld(page, mover, { x: mover.x + mic.diameter * 0.8, y: mover.y });
  await expect.poll(async () => (await counts(page)).manual).toBe(edited.manual + 1);
  const after = await currentPicks(page);
  const moved = after.filter((p) => p.state === 'manual').some((p) => Math.abs(p.x - (mover.x + mic.diameter * 0.8)) < mic.diameter / 10);
  expect(moved).toBe(true);
  expect(after.some((p) => p.id === mover.id)).toBe(false);
  expect((await counts(page)).rejected).toBe(edited.rejected);
  await page.keyboard.press('Control+z');
  await expect.poll(() => counts(page)).toEqual(edited);

  // Help overlay lists the shortcuts; n / p step through micrographs.
  await page.keyboard.press('?');
  await expect(page.getByTestId('help-overlay')).toContainText('next micrograph');
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('help-overlay')).toHaveCount(0);
  await page.keyboard.press('n');
  await expect(rows.nth(1)).toHaveClass(/current/);
  await page.keyboard.press('p');
  await expect(rows.first()).toHaveClass(/current/);

  const kept: PagePick[] = (await currentPicks(page)).filter((p) => p.state !== 'rejected');
  await expect.poll(() => pickCount(page)).toBe(kept.length);

  // Export the current micrograph's RELION STAR: exactly the kept picks, in original pixels.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-current-star').click()]);
  expect(download.suggestedFilename()).toMatch(/_autopick\.star$/);
  const text = readFileSync(await download.path(), 'utf8');
  const exported = [...readCoordinates(text, download.suggestedFilename()).values()].flat();
  expect(exported).toHaveLength(kept.length);
  for (const k of kept) expect(exported.some((e) => closeTo(e, k))).toBe(true);
  expect(exported.some((e) => closeTo(e, manual))).toBe(true);
  expect(exported.some((e) => closeTo(e, victim))).toBe(false);
  for (const e of exported) {
    expect(e.x).toBeGreaterThanOrEqual(0);
    expect(e.x).toBeLessThan(mic.width);
    expect(e.y).toBeGreaterThanOrEqual(0);
    expect(e.y).toBeLessThan(mic.height);
  }

  // Export everything as a zip: every format for every micrograph, plus the RELION list file.
  const [zipDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-all-zip').click()]);
  const files = unzipSync(readFileSync(await zipDownload.path()));
  const names = Object.keys(files);
  const stem = mic.name.replace(/\.[^.]+$/, '');
  for (const folder of ['relion', 'eman', 'cryolo', 'topaz', 'csv'])
    expect(names.filter((n) => n.startsWith(`${folder}/`)).length).toBeGreaterThanOrEqual(nSamples);
  expect(strFromU8(files[`relion/${stem}_autopick.star`])).toBe(text);
  const list = strFromU8(files['relion/autopick.star']);
  expect(list).toContain('data_coordinate_files');
  expect(list.match(/_autopick\.star/g)).toHaveLength(nSamples);

  // Reload once autosave says everything is written: the session (micrographs, picks, edits)
  // comes back from IndexedDB.
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  // Each file's list thumbnail is stored with it, so a reload shows the list without opening every file again:
  // the thumbnails are back while the engine workers' script is held back (no file can be opened).
  await expect.poll(() => storedThumbnails(page)).toBe(nSamples);
  const held: Route[] = [];
  await page.context().route(/engine\.worker/, (route) => void held.push(route));
  await page.reload();
  await expect.poll(() => rows.count()).toBe(nSamples);
  await expect.poll(() => held.length).toBeGreaterThan(0); // the route does hold the workers back
  await expect(rows.locator('.thumb img')).toHaveCount(nSamples);
  for (const route of held) await route.continue();
  await page.context().unroute(/engine\.worker/);
  await engineReady(page);
  await expect(rows.first()).toHaveClass(/current/);
  await expect.poll(() => pickCount(page), { timeout: 60_000 }).toBe(kept.length);
  await expect.poll(async () => (await counts(page)).manual).toBe(1);
  await expect.poll(async () => (await counts(page)).rejected).toBe(1);
  expect(await rowStatuses(page)).toEqual(Array(nSamples).fill('picked'));
  await shot('04-restored');
  // No detector map survives a reload: the one on screen is made again in the background, so
  // its heatmap shows and the first slider move is a re-pick on a kept map.
  const onScreen = await storeValue<string>(page, 'currentKey');
  await expect
    .poll(async () => Object.keys(await storeValue<Record<string, unknown>>(page, 'heatmaps')), { timeout: 60_000 })
    .toContain(onScreen);

  // A corrupt MRC gets its own error row; the rest keeps working.
  await page.getByTestId('file-input').setInputFiles({ name: 'corrupt.mrc', mimeType: 'application/octet-stream', buffer: corruptMrc() });
  const bad = rows.filter({ hasText: 'corrupt.mrc' });
  await expect(bad).toHaveAttribute('data-status', 'error');
  await expect(bad.getByTestId('mic-error')).toContainText(/corrupt\.mrc.*4096x4096/);
  // Said in a notice too: the row may be out of sight at the end of a long list.
  await expect(page.getByTestId('notice').filter({ hasText: /A file could not be opened: corrupt\.mrc.*4096x4096/ })).toHaveCount(1);
  await expect(rows).toHaveCount(nSamples + 1);
  await rows.nth(1).click();
  const threshold2 = page.getByTestId('param-threshold-number');
  const c1 = await candidateCount(page);
  await threshold2.fill(String(Number(await threshold2.inputValue()) * 4 + 8));
  await threshold2.press('Enter');
  await expect.poll(() => candidateCount(page)).toBeLessThan(c1);
  await rows.first().click();
  await expect.poll(() => pickCount(page)).toBe(kept.length);
  await shot('05-corrupt-file');
});

/** How many list thumbnails the page's IndexedDB holds. */
function storedThumbnails(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('drpnet-workbench-thumbnails');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const count = db.transaction('thumbnails').objectStore('thumbnails').count();
          count.onsuccess = () => {
            db.close();
            resolve(count.result);
          };
          count.onerror = () => reject(count.error);
        };
      }),
  );
}
