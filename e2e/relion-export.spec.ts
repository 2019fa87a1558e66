// A coordinate file exported from the workbench, read by RELION 3.1 itself: pick the bundled
// demo, download the current micrograph's STAR, and run relion_preprocess --extract on a
// RELION project holding the same micrograph. Every exported pick must be extracted at
// its coordinates, and the picked particles must sit centred in the extracted boxes.
// RELION missing is a failure with a message, not a skip (CI installs it: .ci/run).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { readCoordinates } from '../src/core/coords';
import { toArrayBuffer } from '../src/core/io/micrograph';
import { readMrc } from '../src/core/io/mrc';
import { matchPicks } from '../src/core/metrics';
import { boxSizeFor, extractParticles } from '../test/relion/helpers/extract';
import { coordinateFilePath, createRelionProject } from '../test/relion/helpers/project';
import { relionVersion } from '../test/relion/helpers/relion';
import { blobOffset } from '../test/relion/helpers/stack';
import { currentMicrograph } from './helpers';

test('a STAR exported from the workbench is extracted by relion_preprocess at its coordinates', async ({ page }) => {
  expect(relionVersion()).toMatch(/^3\.1\./);
  await page.goto('/');
  await expect(page.getByTestId('backend-indicator')).toHaveAttribute('data-backend', 'wasm');
  const rows = page.getByTestId('mic-row');
  await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(1);
  // The demo micrographs are picked as they arrive.
  await expect
    .poll(async () => (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-status')))).every((s) => s === 'picked'), {
      timeout: 180_000,
    })
    .toBe(true);
  await rows.first().click();
  const mic = await currentMicrograph(page);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-current-star').click()]);
  const exportedName = download.suggestedFilename();
  const text = readFileSync(await download.path(), 'utf8');
  const exported = [...readCoordinates(text, exportedName).values()].flat();
  expect(exported.length).toBeGreaterThan(5);

  // A RELION project around the micrograph the workbench loaded (public/samples/<name>). The
  // samples are MRC mode 12 (float16), which RELION 3.1 refuses ("does not support
  // half-precision"), so the same pixels go in as float32 (every float16 is exact in float32).
  const dir = mkdtempSync(path.join(tmpdir(), 'drpnet-relion-e2e-'));
  try {
    const source = path.resolve('public/samples', mic.name);
    const sample = readMrc(toArrayBuffer(readFileSync(source)), source);
    expect(sample.pixelSize, `${source} has no pixel size in its header`).toBeGreaterThan(0);
    expect([sample.image.width, sample.image.height]).toEqual([mic.width, mic.height]);
    const project = createRelionProject(dir, [{ fileName: mic.name, image: sample.image }], { pixelSize: sample.pixelSize! });
    // The download is named as RELION names a picking job's output: <micrograph>_autopick.star.
    const suffix = '_autopick.star';
    const coordFile = coordinateFilePath('Workbench', project.micrographs[0], suffix);
    expect(path.basename(coordFile)).toBe(exportedName);
    mkdirSync(path.dirname(path.join(dir, coordFile)), { recursive: true });
    copyFileSync(await download.path(), path.join(dir, coordFile));

    const ex = extractParticles(project, 'Workbench', suffix, boxSizeFor(mic.diameter), 'Extract');
    const extracted = ex.picks.get(project.micrographs[0]) ?? [];
    expect(extracted).toHaveLength(exported.length);
    expect(matchPicks(extracted, exported, 0.01).tp).toBe(exported.length);
    expect(ex.mean.count).toBe(exported.length);
    // Picks on particles: the mean of their boxes has the particle at its centre (within 3 px).
    const off = blobOffset(ex.mean.mean, 3);
    expect(Math.hypot(off.dx, off.dy)).toBeLessThan(3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
