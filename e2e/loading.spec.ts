// Loading as a new user would: a whole folder through the folder chooser, files dropped on the
// page, coordinate files as editable picks (asked again after a reload), a new session only
// after confirmation; and the throughput harness the benchmark drives.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { readCoordinates } from '../src/core/coords';
import { currentPicks, engineReady } from './helpers';
import { FIXTURE_DIR, simulatedMicrograph, type SimulatedFile } from './fixtures';
import { buildMrc } from '../src/core/io/test-fixtures';

let small: SimulatedFile;

test.beforeAll(() => {
  small = simulatedMicrograph('small_512', 512, 5, 4);
});

test('a dropped folder (folder chooser) loads micrographs with their ground truth and skips other files', async ({ page }) => {
  const dir = path.join(FIXTURE_DIR, 'folder-drop');
  mkdirSync(path.join(dir, 'truth'), { recursive: true });
  copyFileSync(small.path, path.join(dir, 'grid_a.mrc'));
  copyFileSync(small.truthPath, path.join(dir, 'truth', 'grid_a.star'));
  writeFileSync(path.join(dir, 'notes.md'), 'not a micrograph');
  await page.goto('/?backend=wasm');
  await engineReady(page);
  // The session's diameter first; the folder's micrograph is picked with it when it arrives.
  await page.getByTestId('session-diameter').fill(String(small.diameter));
  await page.getByTestId('session-diameter').press('Enter');
  await page.getByTestId('folder-input').setInputFiles(dir);
  await expect(page.getByTestId('coordinate-prompt')).toContainText('grid_a.star');
  await expect(page.getByTestId('notice').filter({ hasText: 'notes.md' })).toHaveCount(1);
  // A reload before the answer asks again: the dropped coordinates are not lost.
  await page.reload();
  await expect(page.getByTestId('coordinate-prompt')).toContainText('grid_a.star');
  await page.getByTestId('coords-as-truth').click();
  const row = page.getByTestId('mic-row').filter({ hasText: 'grid_a.mrc' });
  await expect(row).toHaveAttribute('data-status', 'picked');
  await row.click();
  await expect(page.getByTestId('mic-diameter')).toContainText(`${small.diameter} px`);
  await expect(row.getByTestId('mic-f1')).toHaveText(/F1 \d/);
  await expect(page.getByTestId('metrics-recall')).toHaveText(/\d/);
});

test('files dropped on the page open, and coordinate files load as editable picks when asked', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await engineReady(page);
  const truthText = readFileSync(small.truthPath, 'utf8');
  const truth = [...readCoordinates(truthText, small.truthPath).values()].flat();
  const bytes = [...readFileSync(small.path)];
  await page.evaluate(
    ({ bytes, name, truthText, truthName }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(bytes)], name));
      dt.items.add(new File([truthText], truthName));
      const target = document.querySelector('[data-testid="app"]')!;
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    },
    { bytes, name: 'dropped.mrc', truthText, truthName: 'dropped_manualpick.star' },
  );
  // Asked, not assumed: the coordinates become editable picks.
  await expect(page.getByTestId('coordinate-prompt')).toContainText('dropped_manualpick.star');
  await page.getByTestId('coords-as-picks').click();
  const row = page.getByTestId('mic-row').filter({ hasText: 'dropped.mrc' });
  await expect(row).toHaveAttribute('data-status', 'picked');
  await row.click();
  const manual = async () => (await currentPicks(page)).filter((p) => p.state === 'manual').length;
  await expect.poll(manual).toBe(truth.length);
  // Editable: undo takes them away again.
  await page.getByTestId('undo').click();
  await expect.poll(manual).toBe(0);
});

test('new session clears everything only after confirmation', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await engineReady(page);
  const rows = page.getByTestId('mic-row');
  await expect.poll(() => rows.count()).toBeGreaterThan(0);
  const n = await rows.count();
  page.once('dialog', (d) => void d.dismiss());
  await page.getByTestId('new-session').click();
  await expect(rows).toHaveCount(n);
  await page.getByTestId('session-diameter').fill('64');
  await page.getByTestId('session-diameter').press('Enter');
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('new-session').click();
  await expect(rows).toHaveCount(0);
  // The particle diameter set is kept for the micrographs dropped next.
  await expect(page.getByTestId('session-diameter')).toHaveValue('64');
  await page.reload();
  await engineReady(page);
  // Nothing is restored; a fresh start shows the demo again.
  await expect.poll(() => rows.count()).toBe(n);
});

test('the throughput harness picks a batch on 1 and 2 workers', async ({ page }) => {
  await page.goto('/e2e/harness/throughput.html');
  await expect(page.locator('body[data-ready="true"]')).toHaveCount(1);
  for (const workers of [1, 2]) {
    const r = await page.evaluate(
      (workers) =>
        (
          window as unknown as {
            measureThroughput: (o: object) => Promise<{
              workers: number;
              picked: number;
              failed: number;
              micrographsPerMinute: number;
              timings: Record<string, number>[];
            }>;
          }
        ).measureThroughput({ workers, count: 4, size: 1024, distinct: 2, pixelSize: 4 }),
      workers,
    );
    console.log(`throughput harness, ${workers} worker(s), 1024x1024: ${r.micrographsPerMinute.toFixed(1)} micrographs/min`);
    expect(r).toMatchObject({ workers, picked: 4, failed: 0 });
    expect(r.timings.every((t) => t.fcrn > 0)).toBe(true);
  }
});

test('a stack averaged without alignment and a header pixel size no micrograph has are said as the files open', async ({ page }) => {
  await page.goto('/?backend=wasm');
  await engineReady(page);
  const side = 128;
  const values = Array.from({ length: side * side * 2 }, (_, i) => Math.sin(i * 0.37) + ((i * 7919) % 13) / 13);
  const movie = Buffer.from(buildMrc({ nx: side, ny: side, nz: 2, mode: 2, values, cella: [side * 1.3, side * 1.3, 2] }));
  const wrong = Buffer.from(
    buildMrc({ nx: side, ny: side, mode: 2, values: values.slice(0, side * side), cella: [side * 1000, side * 1000, 1] }),
  );
  // One at a time (files opening together share one notice), each said once.
  const said = (text: string) => page.getByTestId('notice').filter({ hasText: text });
  await page.getByTestId('file-input').setInputFiles({ name: 'movie_0001.mrc', mimeType: 'application/octet-stream', buffer: movie });
  await expect(
    said('movie_0001.mrc: averaged 2 frames without aligning them: if this is a movie, pick its motion-corrected micrograph'),
  ).toHaveCount(1);
  await page.getByTestId('file-input').setInputFiles({ name: 'wrong_apix.mrc', mimeType: 'application/octet-stream', buffer: wrong });
  await expect(said("wrong_apix.mrc: the header's pixel size, 1000 Å/px, is none a micrograph has")).toHaveCount(1);
  // Taken as unknown: the micrograph has no pixel size.
  const info = await page.evaluate(async () => {
    const storeUrl = '/src/app/store.ts';
    const store = await import(/* @vite-ignore */ storeUrl);
    const m = store.useWorkbench.getState().micrographs.find((x: { name: string }) => x.name === 'wrong_apix.mrc');
    return { pixelSize: m.info.pixelSize, refused: m.info.pixelSizeRefused, note: m.info.note };
  });
  expect(info).toEqual({
    pixelSize: undefined,
    refused: 1000,
    note: "the header's pixel size, 1000 Å/px, is none a micrograph has (0.1-50): taken as unknown",
  });
});
