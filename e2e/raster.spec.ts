// PNG micrographs in the browser, as many shared data sets come: a 16-bit PNG is read at its
// full depth by the same pure-JavaScript decoder the CLI uses (not through an 8-bit canvas),
// picked on arrival, and scored against its ground truth.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encode } from 'fast-png';
import { expect, test } from '@playwright/test';
import { writeCoordinates } from '../src/core/coords';
import { particleDiameterPx } from '../src/core/simulate/phantoms';
import { simulateMicrograph, truthPicks } from '../src/core/simulate/simulate';
import { blurFields, engineReady, micrographs, openEmptySession } from './helpers';
import { FIXTURE_DIR, simulatedMicrograph } from './fixtures';

const NAME = 'grid_16bit';
let png: string;
let star: string;
let diameter: number;

test.beforeAll(() => {
  const dir = path.join(FIXTURE_DIR, 'png16');
  mkdirSync(dir, { recursive: true });
  const sim = simulateMicrograph({ width: 1024, height: 1024, pixelSize: 1.3, kind: 'betagal', seed: 77 });
  diameter = Math.round(particleDiameterPx('betagal', 1.3));
  // Counts stretched over the whole 16-bit range, as the shared apoferritin PNGs are.
  const d = sim.image.data;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of d) ((lo = Math.min(lo, v)), (hi = Math.max(hi, v)));
  const values = Uint16Array.from(d, (v) => Math.round(((v - lo) / (hi - lo)) * 65535));
  png = path.join(dir, `${NAME}.png`);
  star = path.join(dir, `${NAME}.star`);
  writeFileSync(png, encode({ width: 1024, height: 1024, data: values, depth: 16, channels: 1 }));
  writeFileSync(star, writeCoordinates('star', truthPicks(sim), { micrographName: `${NAME}.png`, boxSize: diameter }));
});

test('a 16-bit PNG opens at full depth, is picked on arrival and scores against its truth', async ({ page }) => {
  await openEmptySession(page);
  await page.getByTestId('session-diameter').fill(String(diameter));
  await page.getByTestId('session-diameter').press('Enter');
  await page.getByTestId('file-input').setInputFiles(png);
  const row = page.getByTestId('mic-row').filter({ hasText: `${NAME}.png` });
  await expect(row).toHaveAttribute('data-status', 'picked', { timeout: 120_000 });
  const m = (await micrographs(page)).find((x) => x.name === `${NAME}.png`)!;
  expect(m.kept).toBeGreaterThan(10);
  // The decoder says what it read: a canvas would have given 8 bits.
  await row.click();
  await expect(page.getByTestId('micrograph-info')).toHaveText(/1024×1024 px — 16-bit PNG/);
  // Its truth, loaded as ground truth, scores the picks (the F1 the row shows).
  await page.getByTestId('file-input').setInputFiles(star);
  await page.getByTestId('coords-as-truth').click();
  await expect(row.getByTestId('mic-f1')).toHaveText(/F1 (\d+)/);
  const f1 = Number((await row.getByTestId('mic-f1').textContent())!.match(/F1 (\d+)/)![1]);
  expect(f1).toBeGreaterThanOrEqual(70);
});

test('a PNG has no pixel size: the one entered for such files converts the diameter in Å and the display low-pass, and is kept', async ({
  page,
}) => {
  await openEmptySession(page);
  await page.getByTestId('session-diameter-unit').selectOption('A');
  const angstrom = Math.round(diameter * 1.3);
  await page.getByTestId('session-diameter').fill(String(angstrom));
  await page.getByTestId('session-diameter').press('Enter');
  await page.getByTestId('file-input').setInputFiles(png);
  const row = page.getByTestId('mic-row').filter({ hasText: `${NAME}.png` });
  // Nothing to convert with yet: it is not picked at a guessed size; the note says why, the
  // low-pass is in px, and the field asks.
  await expect(row).toHaveAttribute('data-status', 'unpicked', { timeout: 120_000 });
  await row.click();
  await expect(page.getByTestId('session-diameter-note')).toContainText(
    `no pixel size in the file: ${angstrom} Å cannot be converted; not picked until you enter the pixel size of such files`,
  );
  expect((await micrographs(page)).find((x) => x.name === `${NAME}.png`)?.pickedWith).toBeUndefined();
  await expect(page.getByTestId('mic-diameter')).toHaveText(/not known in px until a pixel size converts the session’s Å/);
  await expect(page.getByTestId('lowpass-value')).toHaveText('20 px');
  const field = page.getByTestId('fallback-pixel-size');
  await expect(field).toHaveValue('0');
  await expect(page.getByTestId('fallback-pixel-size-label')).toContainText('Pixel size of files without one (1 of yours)');
  await field.fill('1.3');
  await field.press('Enter');
  const px = Math.round((angstrom / 1.3) * 10) / 10;
  await expect
    .poll(async () => (await micrographs(page)).find((x) => x.name === `${NAME}.png`)?.pickedWith?.diameter, { timeout: 120_000 })
    .toBe(px);
  await expect(page.getByTestId('session-diameter-note')).toContainText(
    `${angstrom} Å = ${px} px at 1.3 Å/px (entered for files without one)`,
  );
  await expect(page.getByTestId('lowpass-value')).toHaveText('20 Å');
  await expect(page.getByTestId('mic-diameter')).toContainText(`Particle diameter ${px} px`);
  // One undo step takes it back; redo brings it again.
  await blurFields(page);
  await page.keyboard.press('Control+z');
  await expect(field).toHaveValue('0');
  await page.keyboard.press('Control+Shift+z');
  await expect(field).toHaveValue('1.3');
  // Kept with the session.
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  await page.reload();
  await engineReady(page);
  await expect(page.getByTestId('fallback-pixel-size')).toHaveValue('1.3');
  expect((await micrographs(page)).find((x) => x.name === `${NAME}.png`)?.params.diameter).toBe(px);
});

test('a pixel size entered over the headers picks an MRC whose header kept the unbinned size at the size entered, and is kept', async ({
  page,
}) => {
  await openEmptySession(page);
  await page.getByTestId('session-diameter-unit').selectOption('A');
  await page.getByTestId('session-diameter').fill('100');
  await page.getByTestId('session-diameter').press('Enter');
  // Its header says 1.3 Å/px; the file was binned twice after: 2.6.
  const mrc = simulatedMicrograph('binned_header', 512, 6, 1.3);
  await page.getByTestId('file-input').setInputFiles(mrc.path);
  const row = page.getByTestId('mic-row').filter({ hasText: 'binned_header.mrc' });
  const pickedAt = async () => (await micrographs(page)).find((x) => x.name === 'binned_header.mrc')?.pickedWith?.diameter;
  await expect.poll(pickedAt, { timeout: 120_000 }).toBe(76.9);
  await row.click();
  await expect(page.getByTestId('fallback-pixel-size-label')).toHaveText('Pixel size of files without one, Å/px, 0 = unknown');
  await page.getByTestId('pixel-size-over-headers').check();
  await expect(page.getByTestId('fallback-pixel-size-label')).toHaveText(
    'Pixel size of every micrograph, over headers, Å/px, 0 = from headers',
  );
  const field = page.getByTestId('fallback-pixel-size');
  await field.fill('2.6');
  await field.press('Enter');
  await expect.poll(pickedAt, { timeout: 120_000 }).toBe(38.5);
  await expect(page.getByTestId('session-diameter-note')).toContainText(
    '100 Å = 38.5 px at 2.6 Å/px (entered for every micrograph; its header says 1.3)',
  );
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  await page.reload();
  await engineReady(page);
  await expect(page.getByTestId('pixel-size-over-headers')).toBeChecked();
  expect(await pickedAt()).toBe(38.5);
  // Unticked: the header's size again.
  await page.getByTestId('pixel-size-over-headers').uncheck();
  await expect.poll(pickedAt, { timeout: 120_000 }).toBe(76.9);
  // A new session keeps it with the diameter: the next files of the data set are binned alike.
  await page.getByTestId('pixel-size-over-headers').check();
  page.once('dialog', (d) => void d.accept());
  await page.getByTestId('new-session').click();
  await expect(page.getByTestId('mic-row')).toHaveCount(0);
  await expect(page.getByTestId('fallback-pixel-size')).toHaveValue('2.6');
  await expect(page.getByTestId('pixel-size-over-headers')).toBeChecked();
  // A file opened then whose header says another size is said: the next session's headers may be right.
  await page.getByTestId('file-input').setInputFiles(mrc.path);
  await expect(
    page.getByTestId('notice').filter({ hasText: 'binned_header.mrc (1.3 Å/px): its header says another pixel size' }),
  ).toContainText('than the 2.6 Å/px entered over every header');
});

test('switching the diameter unit picks nothing again; a PNG left at its own size is told apart, not silently re-sized', async ({
  page,
}) => {
  await openEmptySession(page);
  // With nothing loaded, Å asks for a pixel size; px, which needs none, does not.
  await page.getByTestId('session-diameter-unit').selectOption('A');
  await expect(page.getByTestId('notice').filter({ hasText: 'enter the diameter in Å' })).toHaveCount(1);
  await page.getByTestId('session-diameter-unit').selectOption('px');
  await expect(page.getByTestId('session-diameter-unit')).toHaveValue('px');
  await expect(page.getByTestId('notice').filter({ hasText: 'enter the diameter in px' })).toHaveCount(0);
  await page.getByTestId('session-diameter').fill(String(diameter));
  await page.getByTestId('session-diameter').press('Enter');
  // A PNG (no pixel size) and an MRC at 1.3 Å/px.
  const mrc = simulatedMicrograph('unit_mrc', 512, 5, 1.3);
  await page.getByTestId('file-input').setInputFiles([png, mrc.path]);
  const rows = page.getByTestId('mic-row');
  await expect(rows.filter({ hasText: `${NAME}.png` })).toHaveAttribute('data-status', 'picked', { timeout: 120_000 });
  await expect(rows.filter({ hasText: 'unit_mrc' })).toHaveAttribute('data-status', 'picked', { timeout: 120_000 });
  // In Å a new size reaches the MRC only; back in px the PNG stays at its size, and is said to.
  await page.getByTestId('session-diameter-unit').selectOption('A');
  await page.getByTestId('session-diameter').fill('100');
  await page.getByTestId('session-diameter').press('Enter');
  const sizeOf = async (name: string) => (await micrographs(page)).find((m) => m.name.startsWith(name))!.params.diameter;
  await expect.poll(() => sizeOf('unit_mrc')).toBe(76.9);
  expect(await sizeOf(NAME)).toBe(diameter);
  await page.getByTestId('session-diameter-unit').selectOption('px');
  await expect(page.getByTestId('session-diameter')).toHaveValue('76.9');
  await expect(page.getByTestId('notice').filter({ hasText: 'stays picked at its own size' })).toContainText(`${NAME}.png`);
  await expect(rows.filter({ hasText: `${NAME}.png` })).toContainText(`picked at ${diameter} px, not the session's 76.9 px`);
  expect(await sizeOf(NAME)).toBe(diameter);
  expect((await micrographs(page)).find((m) => m.name.startsWith(NAME))!.pickedWith?.diameter).toBe(diameter);
});
