// Coordinates exported from the workbench, read by RELION 3.1 itself: pick the bundled demo,
// build a RELION project holding the same micrograph, and run relion_preprocess --extract on
// - the current micrograph's STAR, put where RELION's picking job would write it, and
// - the zip of all micrographs made for that project (its micrographs STAR chosen in the
//   export panel), unzipped in the project directory and read through its
//   coords_suffix_autopick.star the way RELION 3.1's Extract job reads a picking job's output.
// Every exported pick must be extracted at its coordinates, and the picked particles must sit
// centred in the extracted boxes. RELION missing is a failure with a message, not a skip (CI
// installs it: .ci/run).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { strFromU8, unzipSync } from 'fflate';
import { readCoordinates, type Particle } from '../src/core/coords';
import { toArrayBuffer } from '../src/core/io/micrograph';
import { readMrc } from '../src/core/io/mrc';
import { matchPicks } from '../src/core/metrics';
import { boxSizeFor, extractParticles } from '../test/relion/helpers/extract';
import { coordinateFilePath, createRelionProject, type RelionProject } from '../test/relion/helpers/project';
import { relionVersion } from '../test/relion/helpers/relion';
import { blobOffset } from '../test/relion/helpers/stack';
import { currentMicrograph, engineReady } from './helpers';

type Mic = Awaited<ReturnType<typeof currentMicrograph>>;

/** The demo, picked as it arrives; its first micrograph on screen. */
async function pickedDemo(page: Page): Promise<Mic> {
  expect(relionVersion()).toMatch(/^3\.1\./);
  await page.goto('/');
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'wasm');
  const rows = page.getByTestId('mic-row');
  await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(1);
  await expect
    .poll(async () => (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).every((s) => s === 'picked'), {
      timeout: 180_000,
    })
    .toBe(true);
  await rows.first().click();
  return currentMicrograph(page);
}

/**
 * A RELION project around the micrograph the workbench loaded (public/samples/<name>). The
 * samples are MRC mode 12 (float16), which RELION 3.1 refuses ("does not support
 * half-precision"), so the same pixels go in as float32 (every float16 is exact in float32).
 */
function projectAround(dir: string, mic: Mic, micrographDir?: string): RelionProject {
  const source = path.resolve('public/samples', mic.name);
  const sample = readMrc(toArrayBuffer(readFileSync(source)), source);
  expect(sample.pixelSize, `${source} has no pixel size in its header`).toBeGreaterThan(0);
  expect([sample.image.width, sample.image.height]).toEqual([mic.width, mic.height]);
  return createRelionProject(dir, [{ fileName: mic.name, image: sample.image }], { pixelSize: sample.pixelSize! }, micrographDir);
}

/** relion_preprocess --extract from the coordinate files under coordDir: each exported pick, at its place, particles centred. */
function expectExtracted(project: RelionProject, coordDir: string, suffix: string, mic: Mic, exported: Particle[]): void {
  const ex = extractParticles(project, coordDir, suffix, boxSizeFor(mic.diameter), 'Extract');
  const extracted = ex.picks.get(project.micrographs[0]) ?? [];
  expect(extracted).toHaveLength(exported.length);
  expect(matchPicks(extracted, exported, 0.01).tp).toBe(exported.length);
  expect(ex.mean.count).toBe(exported.length);
  // Picks on particles: the mean of their boxes has the particle at its centre (within 3 px).
  const off = blobOffset(ex.mean.mean, 3);
  expect(Math.hypot(off.dx, off.dy)).toBeLessThan(3);
}

test('a STAR exported from the workbench is extracted by relion_preprocess at its coordinates', async ({ page }) => {
  const mic = await pickedDemo(page);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-current-star').click()]);
  const exportedName = download.suggestedFilename();
  const text = readFileSync(await download.path(), 'utf8');
  const exported = [...readCoordinates(text, exportedName).values()].flat();
  expect(exported.length).toBeGreaterThan(5);

  const dir = mkdtempSync(path.join(tmpdir(), 'drpnet-relion-e2e-'));
  try {
    const project = projectAround(dir, mic);
    // The download is named as RELION names a picking job's output: <micrograph>_autopick.star.
    const suffix = '_autopick.star';
    const coordFile = coordinateFilePath('Workbench', project.micrographs[0], suffix);
    expect(path.basename(coordFile)).toBe(exportedName);
    mkdirSync(path.dirname(path.join(dir, coordFile)), { recursive: true });
    copyFileSync(await download.path(), path.join(dir, coordFile));
    expectExtracted(project, 'Workbench', suffix, mic, exported);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the zip made for a RELION project is read by RELION 3.1 through its coords_suffix_autopick.star', async ({ page }) => {
  const mic = await pickedDemo(page);
  const dir = mkdtempSync(path.join(tmpdir(), 'drpnet-relion-e2e-'));
  try {
    // Micrographs under a job directory, as motion correction leaves them.
    const project = projectAround(dir, mic, 'MotionCorr/job002/Movies');
    await expect(page.getByTestId('relion-project-missing')).toContainText("RELION's Extract looks for them in a folder");
    await page.getByTestId('relion-mics-file').setInputFiles(path.join(dir, project.micrographsStar));
    await expect(page.getByTestId('relion-project-missing')).toHaveCount(0);
    const fileName = path.basename(project.micrographsStar);
    await expect(page.getByTestId('relion-mics-chosen')).toContainText(`Using 1 micrograph of ${fileName}`);
    await expect(page.getByTestId('relion-mics-path')).toHaveValue(fileName);
    // Another file starts from its own name, which is asked about; a path with a folder is not.
    const other = { name: 'micrographs_ctf.star', mimeType: 'text/plain', buffer: readFileSync(path.join(dir, project.micrographsStar)) };
    await page.getByTestId('relion-mics-file').setInputFiles(other);
    await expect(page.getByTestId('relion-mics-chosen')).toContainText('of micrographs_ctf.star');
    await expect(page.getByTestId('relion-mics-path')).toHaveValue('micrographs_ctf.star');
    await expect(page.getByTestId('relion-mics-path-hint')).toContainText('If not, give its path from the project folder');
    await page.getByTestId('relion-mics-path').fill('CtfFind/job003/micrographs_ctf.star');
    await expect(page.getByTestId('relion-mics-path-hint')).toHaveCount(0);
    // The same file chosen again keeps the path given; the project's own STAR starts from its name again.
    await page.getByTestId('relion-mics-file').setInputFiles(other);
    await expect(page.getByTestId('relion-mics-path')).toHaveValue('CtfFind/job003/micrographs_ctf.star');
    await page.getByTestId('relion-mics-file').setInputFiles(path.join(dir, project.micrographsStar));
    await expect(page.getByTestId('relion-mics-path')).toHaveValue(fileName);
    await page.getByTestId('relion-mics-path').fill(project.micrographsStar);
    // The project is kept with the session: a reload does not quietly go back to bare names.
    await expect(page.getByTestId('save-state')).toHaveAttribute('data-state', 'saved');
    await page.reload();
    await engineReady(page);
    await expect(page.getByTestId('relion-mics-path')).toHaveValue(project.micrographsStar);
    const [zip] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-all-zip').click()]);
    const files = unzipSync(readFileSync(await zip.path()));
    for (const [name, bytes] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), bytes);
    }

    // What RELION 3.1's Extract job does with a coords_suffix node: --coord_dir is its folder,
    // --coord_suffix what follows "coords_suffix" in its name; the file names the micrographs STAR.
    const node = 'relion/coords_suffix_autopick.star';
    expect(strFromU8(files[node])).toBe(`${project.micrographsStar}\n`);
    const suffix = path.basename(node).slice('coords_suffix'.length);
    const coordinates = strFromU8(files[coordinateFilePath('relion', project.micrographs[0], '_autopick.star')]);
    const exported = [...readCoordinates(coordinates, 'autopick.star').values()].flat();
    expect(exported.length).toBeGreaterThan(5);
    expectExtracted(project, path.dirname(node), suffix, mic, exported);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
