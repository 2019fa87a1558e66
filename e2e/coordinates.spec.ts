// Coordinate files and the micrograph list (issue 13, defects 6 and 8): a coordinate file is
// never taken as ground truth without asking; truth can be unloaded (and brought back with
// Ctrl+Z); a single micrograph, errored or demo, can be removed, and stays removed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { readCoordinates } from '../src/core/coords';
import { corruptMrc, simulatedMicrograph } from './fixtures';
import { blurFields, currentMicrograph, currentPicks, engineReady, micrographs, openPickedDemos, screenPoint, storeValue } from './helpers';

test('coordinate files: asked whether truth or picks; our own export comes back as editable picks; truth can be unloaded', async ({
  page,
}) => {
  await openPickedDemos(page);
  const rows = page.getByTestId('mic-row');
  await rows.first().click();
  await expect(page.getByTestId('metrics-f1')).toHaveText(/\d/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-current-star').click()]);
  const name = download.suggestedFilename();
  const text = readFileSync(await download.path());

  // Dropped back: the workbench asks; "Don't load" (or Escape) loads nothing.
  for (const answer of ['click', 'Escape']) {
    await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/plain', buffer: text });
    await expect(page.getByTestId('coordinate-prompt')).toContainText(name);
    if (answer === 'click') await page.getByTestId('coords-cancel').click();
    else await page.keyboard.press('Escape');
    await expect(page.getByTestId('coordinate-prompt')).toHaveCount(0);
    expect((await currentPicks(page)).filter((p) => p.state === 'manual')).toHaveLength(0);
    expect(await storeValue<unknown[]>(page, 'past')).toHaveLength(0);
  }

  // Coordinates outside the micrograph (another binning's pixels): refused, named, nothing loaded, and nothing asked first.
  const binned = `data_\n\nloop_\n_rlnCoordinateX #1\n_rlnCoordinateY #2\n100 100\n99999 50\n`;
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(binned) });
  await expect(page.getByTestId('notice').filter({ hasText: name })).toContainText('1 of 2 coordinates lie outside');
  await expect(page.getByTestId('coordinate-prompt')).toHaveCount(0);
  expect((await currentPicks(page)).filter((p) => p.state === 'manual')).toHaveLength(0);
  expect(await storeValue<unknown[]>(page, 'past')).toHaveLength(0);
  // A point just past the edge (a particles STAR's recentred edge particle): that one left out, said; the rest loaded.
  const edge = `data_\n\nloop_\n_rlnCoordinateX #1\n_rlnCoordinateY #2\n100 100\n-5 50\n`;
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.from(edge) });
  await page.getByTestId('coords-as-picks').click();
  await expect(page.getByTestId('notice').filter({ hasText: `${name}: 1 of its 2 coordinates lie just past the edge` })).toHaveCount(1);
  expect((await currentPicks(page)).map((p) => [p.x, p.y, p.state])).toEqual([[100, 100, 'manual']]);
  await blurFields(page);
  await page.keyboard.press('Control+z');
  await expect.poll(async () => (await currentPicks(page)).filter((p) => p.state === 'manual').length).toBe(0);

  // An empty file of that name (0 bytes, as dropped by mistake): it wipes neither the picks nor the truth.
  const truth = (await micrographs(page))[0].truth;
  for (const [as, kept] of [
    ['coords-as-picks', 'keeps its picks'],
    ['coords-as-truth', 'keeps its ground truth'],
  ]) {
    await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/plain', buffer: Buffer.alloc(0) });
    await page.getByTestId(as).click();
    await expect(
      page
        .getByTestId('notice')
        .filter({ hasText: `${name} holds no coordinates` })
        .filter({ hasText: kept }),
    ).toHaveCount(1);
  }
  expect((await micrographs(page))[0].truth).toBe(truth);
  expect((await currentPicks(page)).filter((p) => p.state === 'auto').length).toBeGreaterThan(5);
  expect(await storeValue<unknown[]>(page, 'past')).toHaveLength(0);

  // On a micrograph marked reviewed, the loaded picks replace the checked ones: the mark goes,
  // and is said (Learn from reviewed would otherwise teach picks nobody checked); Ctrl+Z gives both back.
  const reviewed = async () => (await micrographs(page))[0].reviewed;
  await blurFields(page);
  await page.keyboard.press('r');
  await expect.poll(reviewed).toBe(true);
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/plain', buffer: text });
  await page.getByTestId('coords-as-picks').click();
  await expect(
    page.getByTestId('notice').filter({ hasText: 'the loaded picks replace the ones checked there, so it is no longer marked reviewed' }),
  ).toHaveCount(1);
  expect(await reviewed()).toBeFalsy();
  await blurFields(page);
  await page.keyboard.press('Control+z');
  await expect.poll(reviewed).toBe(true);
  expect((await currentPicks(page)).filter((p) => p.state === 'manual')).toHaveLength(0);
  await page.keyboard.press('Control+z'); // the mark too: the rest is on a micrograph not reviewed
  await expect.poll(reviewed).toBeFalsy();

  // As editable picks: manual picks, no F1 of 100 against itself; the demo's truth stays the truth.
  const f1 = await page.getByTestId('metrics-f1').textContent();
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/plain', buffer: text });
  await page.getByTestId('coords-as-picks').click();
  await expect.poll(async () => (await currentPicks(page)).filter((p) => p.state === 'manual').length).toBeGreaterThan(5);
  // The same file dropped again adds nothing twice.
  const loaded = (await currentPicks(page)).length;
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/plain', buffer: text });
  await page.getByTestId('coords-as-picks').click();
  await expect(page.getByTestId('notice').filter({ hasText: 'were not added twice' })).toContainText(`${loaded} of its ${loaded} picks`);
  expect((await currentPicks(page)).length).toBe(loaded);
  await expect(page.getByTestId('metrics-f1')).not.toHaveText('100.0');
  expect(Number(await page.getByTestId('metrics-f1').textContent())).toBeCloseTo(Number(f1), 0);
  // They replace the automatic picks (no circle twice), which come back on request.
  expect((await currentPicks(page)).every((p) => p.state === 'manual')).toBe(true);
  await expect(page.getByTestId('auto-set-aside')).toContainText(name);
  await page.getByTestId('bring-auto-back').click();
  await expect(page.getByTestId('auto-set-aside')).toHaveCount(0);
  await blurFields(page);
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('auto-set-aside')).toBeVisible();

  // Unload this micrograph's truth, then everyone's: the metrics go; Ctrl+Z brings them back.
  await page.getByTestId('unload-truth').click();
  await expect(page.getByTestId('metrics-f1')).toHaveCount(0);
  await expect(rows.first().getByTestId('mic-f1')).toHaveCount(0);
  await page.getByTestId('unload-truth-all').click();
  await expect(page.getByTestId('metrics-panel')).toHaveCount(0);
  expect((await micrographs(page)).every((m) => m.truth === 0)).toBe(true);
  await blurFields(page);
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('metrics-panel')).toBeVisible();
  await page.keyboard.press('Control+z');
  await expect(page.getByTestId('metrics-f1')).toHaveText(/\d/);

  // As ground truth when asked so: the exported file scores the picks it came from.
  await page.getByTestId('unload-truth').click();
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/plain', buffer: text });
  await page.getByTestId('coords-as-truth').click();
  await expect(page.getByTestId('metrics-f1')).toHaveText(/\d/);
  expect((await micrographs(page))[0].truth).toBeGreaterThan(5);
});

test('a micrograph is removed from the list: an errored one at once, one with edits after confirmation; it stays removed', async ({
  page,
}) => {
  await openPickedDemos(page);
  const rows = page.getByTestId('mic-row');
  const n = await rows.count();
  await page.getByTestId('file-input').setInputFiles({ name: 'corrupt.mrc', mimeType: 'application/octet-stream', buffer: corruptMrc() });
  const bad = rows.filter({ hasText: 'corrupt.mrc' });
  await expect(bad).toHaveAttribute('data-status', 'error');
  // Nothing to review in it; the export says it is not in the zip.
  await expect(bad.getByTestId('mic-reviewed')).toBeDisabled();
  await expect(page.getByTestId('export-left-out')).toHaveText('Not in it: 1 that could not be opened or picked (ERROR in the list).');
  await bad.getByTestId('mic-remove').click();
  await expect(bad).toHaveCount(0);
  await expect(rows).toHaveCount(n);
  // Removal is no undo step, and the notice says so.
  await expect(page.getByTestId('notice').filter({ hasText: 'Removed corrupt.mrc. Ctrl+Z does not bring it back' })).toHaveCount(1);

  // A demo micrograph with an edit: asked first.
  await rows.nth(1).click();
  await page.getByTestId('zoom-fit').click();
  const pick = (await currentPicks(page)).find((p) => p.state === 'auto')!;
  const at = await screenPoint(page, pick.x, pick.y);
  await page.mouse.click(at.x, at.y);
  await page.keyboard.press('Delete');
  await expect.poll(async () => (await currentPicks(page)).filter((p) => p.state === 'rejected').length).toBe(1);
  const second = await rows.nth(1).getAttribute('data-name');
  let question = '';
  page.once('dialog', (d) => {
    question = d.message();
    void d.dismiss();
  });
  await rows.nth(1).getByTestId('mic-remove').click();
  expect(question).toMatch(/1 edit/);
  await expect(rows).toHaveCount(n);
  page.once('dialog', (d) => void d.accept());
  await rows.nth(1).getByTestId('mic-remove').click();
  await expect(rows).toHaveCount(n - 1);
  await expect(rows.filter({ hasText: second! })).toHaveCount(0);
  // The next one is on screen.
  await expect(rows.nth(1)).toHaveClass(/current/);

  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  // A stored file the session does not list (a page closed before its session was written) is
  // cleared on the next visit rather than kept against the quota.
  const storedKeys = () =>
    page.evaluate(async () => {
      const url = '/src/app/persist.ts';
      const persist = await import(/* @vite-ignore */ url);
      return (await persist.storedFileKeys()) as string[];
    });
  await page.evaluate(async () => {
    const url = '/src/app/persist.ts';
    const persist = await import(/* @vite-ignore */ url);
    await persist.saveFile('orphan-key', 'orphan.mrc', new Blob([new Uint8Array(16)]));
  });
  expect(await storedKeys()).toContain('orphan-key');
  await page.reload();
  await engineReady(page);
  await expect.poll(() => rows.count()).toBe(n - 1);
  await expect(rows.filter({ hasText: second! })).toHaveCount(0);
  await expect(rows.filter({ hasText: 'corrupt.mrc' })).toHaveCount(0);
  await expect.poll(storedKeys).not.toContain('orphan-key');
  expect(await storedKeys()).toHaveLength(n - 1);
});

test('ground truth dropped before its micrograph waits for it, across a reload', async ({ page }) => {
  const own = simulatedMicrograph('waits_for_truth', 512, 41);
  await openPickedDemos(page);
  await page.getByTestId('file-input').setInputFiles(own.truthPath);
  await page.getByTestId('coords-as-truth').click();
  await expect(page.getByTestId('notice').filter({ hasText: 'No micrograph matches' })).toContainText('it is kept with the session');
  await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
  await page.reload();
  await engineReady(page);
  await page.getByTestId('file-input').setInputFiles(own.path);
  const labelled = async () => (await micrographs(page)).find((m) => m.name === own.name)?.truth ?? 0;
  const inFile = [...readCoordinates(readFileSync(own.truthPath, 'utf8'), own.truthPath).values()][0].length;
  expect(inFile).toBeGreaterThan(0);
  await expect.poll(labelled, { timeout: 60_000 }).toBe(inFile);
  expect(await storeValue<unknown[]>(page, 'waitingCoordinates')).toEqual([]);
  // Said, since it was dropped long before.
  await expect(page.getByTestId('notice').filter({ hasText: 'Loaded what waited for its micrograph' })).toContainText(
    `${path.basename(own.truthPath)} (ground truth) on ${own.name}`,
  );
});

test('a file that is no coordinate table is said at once, before the question of how to use coordinates', async ({ page }) => {
  await openPickedDemos(page);
  const notes = { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('defocus looked high on the first grid\nask Sam\n') };
  await page.getByTestId('file-input').setInputFiles(notes);
  await expect(page.getByTestId('notice').filter({ hasText: 'notes.txt' })).toHaveAttribute('data-tone', 'error');
  await expect(page.getByTestId('coords-as-truth')).toHaveCount(0);
  // Beside a good file, only the good one is asked about.
  const own = simulatedMicrograph('asked_alone', 256, 43);
  await page
    .getByTestId('file-input')
    .setInputFiles([notes, { name: path.basename(own.truthPath), mimeType: 'text/plain', buffer: readFileSync(own.truthPath) }]);
  await expect(page.getByTestId('coordinate-prompt')).toContainText(path.basename(own.truthPath));
  await expect(page.getByTestId('coordinate-prompt')).not.toContainText('notes.txt');
  await page.getByTestId('coords-as-truth').click();
  // A project's micrographs STAR dropped on the page: pointed to where it is used.
  const mics = 'data_micrographs\n\nloop_\n_rlnMicrographName #1\nMotionCorr/job002/Movies/a.mrc\n';
  await page.getByTestId('file-input').setInputFiles({ name: 'micrographs_ctf.star', mimeType: 'text/plain', buffer: Buffer.from(mics) });
  await expect(page.getByTestId('notice').filter({ hasText: 'micrographs_ctf.star is a RELION micrographs STAR' })).toContainText(
    'choose it in the Export panel',
  );
  // Our own export's list of coordinate files is not one: it names the files to load instead.
  const list =
    'data_coordinate_files\n\nloop_\n_rlnMicrographName #1\n_rlnMicrographCoordinates #2\nMovies/a.mrc relion/Movies/a_autopick.star\n';
  await page.getByTestId('file-input').setInputFiles({ name: 'autopick.star', mimeType: 'text/plain', buffer: Buffer.from(list) });
  await expect(page.getByTestId('notice').filter({ hasText: 'autopick.star' }).last()).toContainText('a RELION list of coordinate files');
});

test("a .box file of corners without a box size is read with its micrograph's particle diameter as the box, and says so", async ({
  page,
}) => {
  await openPickedDemos(page);
  await page.getByTestId('mic-row').first().click();
  const mic = await currentMicrograph(page);
  // The diameter of the micrograph the file is named for (a demo keeps its own, not the session's).
  const box = Math.round(mic.diameter);
  expect(box).not.toBe(Math.round((await storeValue<{ diameter: number }>(page, 'defaultParams')).diameter));
  // Two columns: the corner only, as some scripts write EMAN boxes.
  const text = `${300 - box / 2}\t${400 - box / 2}\n`;
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: `${mic.name.replace(/\.mrc$/, '')}.box`, mimeType: 'text/plain', buffer: Buffer.from(text) });
  await page.getByTestId('coords-as-picks').click();
  await expect(page.getByTestId('notice').filter({ hasText: 'gives no box size' })).toContainText(`boxes of ${box} px`);
  await expect
    .poll(async () => (await currentPicks(page)).filter((p) => p.state === 'manual').map((p) => [p.x, p.y]))
    .toEqual([[300, 400]]);
  // Lines with a box size beside lines without: refused, not half of them moved by the wrong box.
  await page.getByTestId('file-input').setInputFiles({
    name: `${mic.name.replace(/\.mrc$/, '')}.box`,
    mimeType: 'text/plain',
    buffer: Buffer.from('10\t20\n30\t40\t64\t64\n'),
  });
  await expect(page.getByTestId('notice').filter({ hasText: '1 of its 2 lines give a box size and the others do not' })).toHaveCount(1);
});

test("a .box file of corners dropped with its micrograph, the diameter in Å: its boxes are that micrograph's diameter once it is opened", async ({
  page,
}) => {
  const own = simulatedMicrograph('box_corners', 512, 49, 1.3);
  await openPickedDemos(page);
  await page.getByTestId('session-diameter-unit').selectOption('A');
  await page.getByTestId('session-diameter').fill('200');
  await page.getByTestId('session-diameter').press('Enter');
  // 200 Å at the file's 1.3 Å/px; the session's default in px (new micrographs before they open) is another size.
  const box = Math.round(200 / 1.3);
  expect(Math.round((await storeValue<{ diameter: number }>(page, 'defaultParams')).diameter)).not.toBe(box);
  await page.getByTestId('file-input').setInputFiles([
    { name: own.name, mimeType: 'application/octet-stream', buffer: readFileSync(own.path) },
    { name: own.name.replace(/\.mrc$/, '.box'), mimeType: 'text/plain', buffer: Buffer.from('100\t120\n') },
  ]);
  await page.getByTestId('coords-as-picks').click();
  await expect(page.getByTestId('notice').filter({ hasText: 'gives no box size' })).toContainText(
    `boxes of ${box} px, the particle diameter of ${own.name}`,
  );
  await expect
    .poll(async () => {
      const m = (await micrographs(page)).find((x) => x.name === own.name);
      return m
        ? await page.evaluate(async (key) => {
            const storeUrl = '/src/app/store.ts';
            const store = await import(/* @vite-ignore */ storeUrl);
            const mic = store.useWorkbench.getState().micrographs.find((x: { key: string }) => x.key === key);
            return mic?.edits.manual.map((p: { x: number; y: number }) => [p.x, p.y]);
          }, m.key)
        : undefined;
    })
    .toEqual([[100 + box / 2, 120 + box / 2]]);
});
