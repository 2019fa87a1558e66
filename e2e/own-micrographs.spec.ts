// The user's own micrographs next to the bundled demo data (a user walk-through): the first one
// dropped comes on screen; the demo micrographs stay browsable but out of the export, of "Learn
// from reviewed" and of the pooled metrics; given the project's micrographs STAR, the zip's
// relion/ folder is a RELION picking job of that project. At Fit the whole micrograph lies
// below the viewer's tool bar: its top edge takes clicks and shift-drags.
import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { readRelionCoordinateList } from '../src/core/coords';
import { micrographsStarText } from '../test/relion/helpers/project';
import { simulatedMicrograph, type SimulatedFile } from './fixtures';
import {
  allPicked,
  blurFields,
  currentPicks,
  dragWorld,
  engineReady,
  micrographs,
  openPickedDemos,
  screenPoint,
  storeValue,
} from './helpers';

let ownA: SimulatedFile;
let ownB: SimulatedFile;

test.beforeAll(() => {
  // The size of the walk-through's micrograph.
  ownA = simulatedMicrograph('own_a', 1240, 31, 1.3, 1200);
  ownB = simulatedMicrograph('own_b', 1240, 32, 1.3, 1200);
});

async function currentName(page: Page): Promise<string | undefined> {
  const key = await storeValue<string | undefined>(page, 'currentKey');
  return (await micrographs(page)).find((m) => m.key === key)?.name;
}

async function zipOf(page: Page): Promise<Record<string, Uint8Array>> {
  const [zip] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-all-zip').click()]);
  return unzipSync(readFileSync(await zip.path()));
}

test('the first own micrograph comes on screen; the demos stay out of the export, Learn from reviewed and the pooled metrics', async ({
  page,
}) => {
  await openPickedDemos(page);
  const rows = page.getByTestId('mic-row');
  await expect(rows).toHaveCount(3);
  // Until the user has micrographs of their own, the list says where they go and what to set first.
  await expect(page.getByTestId('first-files')).toContainText('Drop your micrographs (.mrc,');
  await expect(page.getByTestId('first-files')).toContainText('Set the particle diameter first');
  const demoName = (await currentName(page))!;
  expect(demoName).toMatch(/^betagal_/);
  // With a demo on screen, the note says what the user's own micrographs will be picked at.
  const note = page.getByTestId('session-diameter-note');
  await expect(note).toContainText('This demo micrograph keeps its own diameter (69 px); yours are picked at 140 px.');
  await page.getByTestId('session-diameter').fill('130');
  await page.getByTestId('session-diameter').press('Enter');
  await expect(note).toContainText('yours are picked at 130 px.');
  await page.getByTestId('session-diameter').fill('140');
  await page.getByTestId('session-diameter').press('Enter');

  await page.getByTestId('file-input').setInputFiles([ownA.path, ownB.path]);
  await expect.poll(() => currentName(page)).toBe(ownA.name);
  await allPicked(page);
  await expect(rows).toHaveCount(5);
  await expect(page.getByTestId('first-files')).toHaveCount(0);

  // Pooled metrics: the user's two micrographs with truth, not the demos' truth.
  await page.getByTestId('file-input').setInputFiles([ownA.truthPath, ownB.truthPath]);
  await page.getByTestId('coords-as-truth').click();
  await expect(page.getByTestId('metrics-row-all')).toContainText('all (2)');
  await expect(page.getByTestId('unload-truth-all')).toHaveText('Unload all truth (2)');

  // "Learn from reviewed": a reviewed demo is no source, and demos get no settings.
  const demosBefore = (await micrographs(page)).filter((m) => m.demo).map((m) => m.params);
  await rows.filter({ hasText: demoName }).getByTestId('mic-reviewed').click();
  await rows.filter({ hasText: ownA.name }).getByTestId('mic-reviewed').click();
  const learn = page.getByTestId('settings-from-review');
  await expect(learn).toHaveText('Learn from reviewed (1)');
  await learn.click();
  const said = page.getByTestId('notice').filter({ hasText: /your 1 reviewed micrograph/ });
  await expect(said).toHaveCount(1, { timeout: 120_000 });
  const text = (await said.textContent())!;
  if (text.includes('Set on')) expect(text).toContain('Set on the 1 micrograph not reviewed');
  expect((await micrographs(page)).filter((m) => m.demo).map((m) => m.params)).toEqual(demosBefore);

  // The export: the user's micrographs only; the panel says the demos are left out.
  await expect(page.getByTestId('export-demos-left-out')).toContainText('The 3 demo micrographs are left out');
  await expect(page.getByTestId('export-all-zip')).toHaveText(/All micrographs \(2\)/);
  const plain = await zipOf(page);
  expect(Object.keys(plain).filter((n) => n.includes('betagal'))).toEqual([]);
  const list = readRelionCoordinateList(strFromU8(plain['relion/autopick.star']), 'autopick.star');
  expect(list.map((e) => e.micrographName)).toEqual([ownA.name, ownB.name]);

  // For their RELION project: coordinates where RELION looks, both list files, the project's names.
  const project = ['MotionCorr/job002/Movies/own_a.mrc', 'MotionCorr/job002/Movies/own_b.mrc'];
  const star = 'CtfFind/job003/micrographs_ctf.star';
  await page.getByTestId('relion-mics-file').setInputFiles({
    name: 'micrographs_ctf.star',
    mimeType: 'text/plain',
    buffer: Buffer.from(micrographsStarText(project, { pixelSize: 1.3 })),
  });
  await page.getByTestId('relion-mics-path').fill(star);
  const forProject = await zipOf(page);
  expect(strFromU8(forProject['relion/coords_suffix_autopick.star'])).toBe(`${star}\n`);
  expect(readRelionCoordinateList(strFromU8(forProject['relion/autopick.star']), 'autopick.star')).toEqual([
    { micrographName: project[0], coordinateFile: 'relion/Movies/own_a_autopick.star' },
    { micrographName: project[1], coordinateFile: 'relion/Movies/own_b_autopick.star' },
  ]);
  expect(strFromU8(forProject['relion/Movies/own_a_autopick.star'])).toBe(strFromU8(plain['relion/own_a_autopick.star']));
  expect(Object.keys(forProject).filter((n) => n.startsWith('eman/'))).toEqual(['eman/own_a.box', 'eman/own_b.box']);

  // Review progress and "next unreviewed" (u) go over the user's micrographs: the reviewed demo
  // does not count, nor a file that failed to open, and u walks from one own micrograph to the
  // other, never into the demos or the failed file.
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'broken.mrc', mimeType: 'application/octet-stream', buffer: Buffer.from('not a micrograph\n') });
  await expect(rows.filter({ hasText: 'broken.mrc' })).toHaveAttribute('data-status', 'error', { timeout: 30_000 });
  await expect(page.getByTestId('review-progress')).toHaveText('1 of 2 of yours reviewed');
  await rows.filter({ hasText: ownA.name }).click();
  await blurFields(page);
  await page.keyboard.press('u');
  await expect.poll(() => currentName(page)).toBe(ownB.name);
  await page.keyboard.press('r');
  await expect(page.getByTestId('review-progress')).toHaveText('2 of 2 of yours reviewed');
  await page.keyboard.press('u');
  await expect(page.getByTestId('notice').filter({ hasText: 'Every micrograph of yours is marked reviewed' })).toHaveCount(1);
  expect(await currentName(page)).toBe(ownB.name);

  // The demos stay browsable.
  await rows.filter({ hasText: demoName }).click();
  await expect.poll(() => currentName(page)).toBe(demoName);
});

test('at Fit the whole micrograph lies below the tool bar: its top edge takes a click and a shift-drag from its corner', async ({
  page,
}) => {
  // A laptop window, where the legend wraps over the top of a fitted micrograph.
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('/?backend=wasm');
  await engineReady(page);
  await page.getByTestId('file-input').setInputFiles(ownA.path);
  await expect(page.getByTestId('mic-row').filter({ hasText: ownA.name })).toHaveAttribute('data-status', 'picked', { timeout: 180_000 });
  await page.getByTestId('mic-row').filter({ hasText: ownA.name }).click();
  await page.getByTestId('zoom-fit').click();

  // Every point of the micrograph's top rows is the stage's, none the tool bar's.
  const points: { x: number; y: number }[] = [];
  for (let x = 0; x <= 1240; x += 20) for (const y of [1, 39]) points.push(await screenPoint(page, Math.min(x, 1239), y));
  const covered = await page.evaluate(
    (points) => points.filter((p) => document.elementFromPoint(p.x, p.y)?.closest('.viewer-tools')),
    points,
  );
  expect(covered).toEqual([]);

  // A click at (456, 39) adds a pick there or selects the one there.
  const manual = (await currentPicks(page)).filter((p) => p.state === 'manual').length;
  const at = await screenPoint(page, 456, 39);
  await page.mouse.click(at.x, at.y);
  await expect
    .poll(
      async () =>
        (await currentPicks(page)).filter((p) => p.state === 'manual').length > manual || !!(await storeValue(page, 'selectedPickId')),
    )
    .toBe(true);

  // A shift-drag from the top-left corner rejects every pick in its box.
  const box = { x0: 0, y0: 0, x1: 700, y1: 500 };
  const inBox = (p: { x: number; y: number }) => p.x >= box.x0 && p.x <= box.x1 && p.y >= box.y0 && p.y <= box.y1;
  expect((await currentPicks(page)).filter((p) => p.state === 'auto' && inBox(p)).length).toBeGreaterThan(0);
  await page.keyboard.down('Shift');
  await dragWorld(page, { x: 1, y: 1 }, { x: box.x1, y: box.y1 });
  await page.keyboard.up('Shift');
  await expect.poll(async () => (await currentPicks(page)).filter((p) => p.state !== 'rejected' && inBox(p))).toEqual([]);
});

test('the score histogram pools the own micrographs only, as the other pooled numbers do, and its cutoff sets theirs alone', async ({
  page,
}) => {
  const own = simulatedMicrograph('own_scores', 512, 33);
  await openPickedDemos(page);
  await page.getByTestId('file-input').setInputFiles([own.path]);
  await allPicked(page);
  const mine = (await micrographs(page)).filter((m) => !m.demo);
  expect(mine.map((m) => m.name)).toEqual([own.name]);
  await expect(page.getByTestId('score-summary')).toContainText(`${mine[0].kept} picks kept on 1 micrograph`);
  const demos = (await micrographs(page)).filter((m) => m.demo).map((m) => m.params);
  await page.getByTestId('score-cutoff').fill('0.5');
  await page.getByTestId('score-cutoff').press('Enter');
  await expect.poll(async () => (await micrographs(page)).find((m) => !m.demo)?.params.cutoff).toBe(0.5);
  expect((await micrographs(page)).filter((m) => m.demo).map((m) => m.params)).toEqual(demos);
  // Micrographs added later start from it.
  expect((await storeValue<{ cutoff: number }>(page, 'defaultParams')).cutoff).toBe(0.5);
});

test('a file that failed to open can be dropped again, mended: it opens, starting from the settings set for all meanwhile', async ({
  page,
}) => {
  const own = simulatedMicrograph('dropped_again', 512, 47);
  await openPickedDemos(page);
  await page.getByTestId('file-input').setInputFiles([
    { name: own.name, mimeType: 'application/octet-stream', buffer: readFileSync(own.path) },
    { name: 'broken.mrc', mimeType: 'application/octet-stream', buffer: readFileSync(own.path).subarray(0, 2000) },
  ]);
  const broken = page.getByTestId('mic-row').filter({ hasText: 'broken.mrc' });
  await expect(broken).toHaveAttribute('data-status', 'error');
  await expect(page.getByTestId('mic-row').filter({ hasText: own.name })).toHaveAttribute('data-status', 'picked', { timeout: 60_000 });
  await page.getByTestId('score-cutoff').fill('0.5');
  await page.getByTestId('score-cutoff').press('Enter');
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'broken.mrc', mimeType: 'application/octet-stream', buffer: readFileSync(own.path) });
  await expect(broken).toHaveAttribute('data-status', 'picked', { timeout: 60_000 });
  expect((await micrographs(page)).find((m) => m.name === 'broken.mrc')?.pickedWith?.cutoff).toBe(0.5);
});

test('micrographs dropped together are listed by name, numbers by value; dropped again, one notice names them', async ({ page }) => {
  const own = simulatedMicrograph('listed', 256, 48);
  await openPickedDemos(page);
  const files = ['mic_10.mrc', 'b.mrc', 'mic_2.mrc'].map((name) => ({
    name,
    mimeType: 'application/octet-stream',
    buffer: readFileSync(own.path),
  }));
  await page.getByTestId('file-input').setInputFiles(files);
  await expect
    .poll(async () => (await micrographs(page)).filter((m) => !m.name.startsWith('betagal_')).map((m) => m.name))
    .toEqual(['b.mrc', 'mic_2.mrc', 'mic_10.mrc']);
  await page.getByTestId('file-input').setInputFiles(files);
  await expect(page.getByTestId('notice').filter({ hasText: 'already loaded' })).toHaveText([
    /3 files are already loaded; skipped: b\.mrc, mic_2\.mrc, mic_10\.mrc\./,
  ]);
});
