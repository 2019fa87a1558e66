// `drpnet pick` reads PNG (8 and 16 bit) and JPEG micrographs, as shared data sets often come,
// with pure-JavaScript decoders (no native binary to install on a cluster).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRelionCoordinates } from '../../src/core/coords/relion';
import { simulateMicrograph, type SimResult } from '../../src/core/simulate/simulate';
import { pickCommand } from '../../src/cli/pick';
import { captureOutput, PIXEL_SIZE } from '../helpers/fixtures';

let root: string;
let sim: SimResult;

/** The simulated counts stretched over `levels` grey values (1st..99.9th percentile), as an export would. */
function toLevels(levels: number): Uint16Array {
  const d = sim.image.data;
  const sorted = Float32Array.from(d).sort();
  const lo = sorted[Math.floor(0.01 * d.length)];
  const hi = sorted[Math.floor(0.999 * d.length)];
  return Uint16Array.from(d, (v) => Math.round(Math.min(1, Math.max(0, (v - lo) / (hi - lo))) * (levels - 1)));
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'drpnet-raster-'));
  sim = simulateMicrograph({ width: 384, height: 320, pixelSize: PIXEL_SIZE, kind: 'small', dose: 80, seed: 3 });
  const { width, height } = sim.image;
  await writeFile(path.join(root, 'grey16.png'), encodePng({ width, height, data: toLevels(65536), depth: 16, channels: 1 }));
  await writeFile(path.join(root, 'grey8.png'), encodePng({ width, height, data: Uint8Array.from(toLevels(256)), depth: 8, channels: 1 }));
  const rgba = new Uint8Array(width * height * 4);
  toLevels(256).forEach((v, i) => rgba.set([v, v, v, 255], 4 * i));
  await writeFile(path.join(root, 'grey.jpg'), encodeJpeg({ width, height, data: rgba }, 95).data);
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('drpnet pick on PNG and JPEG', () => {
  it('picks 16-bit PNG, 8-bit PNG and JPEG micrographs, in original pixels, and says the depth', async () => {
    const out = path.join(root, 'picks');
    const files = ['grey16.png', 'grey8.png', 'grey.jpg'].map((f) => path.join(root, f));
    const run = await captureOutput(() => pickCommand([...files, '--diameter', '46', '--out', out]));
    expect(run.result, run.stderr).toBe(0);
    expect(run.stderr).toContain('16-bit PNG');
    for (const f of ['grey16', 'grey8', 'grey']) {
      const picks = readRelionCoordinates(await readFile(path.join(out, `${f}_autopick.star`), 'utf8'), f);
      expect(picks.length, f).toBeGreaterThan(0);
      for (const p of picks) {
        expect(p.x).toBeGreaterThanOrEqual(0);
        expect(p.x).toBeLessThan(384);
        expect(p.y).toBeLessThan(320);
      }
    }
  }, 120_000);

  it('names the file and the problem when a PNG is damaged', async () => {
    const bad = path.join(root, 'cut.png');
    const whole = await readFile(path.join(root, 'grey8.png'));
    await writeFile(bad, whole.subarray(0, 200));
    const run = await captureOutput(() => pickCommand([bad, '--diameter', '46', '--out', path.join(root, 'bad')]));
    expect(run.result).toBe(1);
    expect(run.stderr).toMatch(/cut\.png: the PNG file is cut short/);
  }, 60_000);
});
