// RELION 3.1 as a client of our coordinate files: relion_preprocess --extract reads what our
// writers and `drpnet pick` write, extracts every pick at our coordinates, and the particles
// come out centred in their boxes (checked on the images, read with our own MRC reader).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCoordinates, type Particle } from '../../src/core/coords';
import { matchPicks } from '../../src/core/metrics';
import { SHIPPED_MODELS_DIR } from '../../src/cli/models';
import { boxSizeFor, extractParticles } from './helpers/extract';
import { coordinateFilePath, writeCoordinateDir } from './helpers/project';
import { relionVersion } from './helpers/relion';
import { simulatedProject, type SimulatedProject } from './helpers/simulated';
import { blobOffset } from './helpers/stack';

const repo = path.resolve(__dirname, '../..');
let dir: string;
let sim: SimulatedProject;
let box: number;

/** Every pick has a RELION particle at the same coordinates (to the 6 digits we write), and no more. */
function expectSameCoordinates(ours: Map<string, Particle[]>, relion: Map<string, Particle[]>): void {
  const withPicks = [...ours].filter(([, p]) => p.length > 0);
  expect([...relion.keys()].sort()).toEqual(withPicks.map(([m]) => m).sort());
  for (const [mic, picks] of withPicks) {
    const theirs = relion.get(mic)!;
    expect(theirs).toHaveLength(picks.length);
    expect(matchPicks(theirs, picks, 0.01).tp).toBe(picks.length);
  }
}

const shifted = (picks: Map<string, Particle[]>, dx: number, dy: number) =>
  new Map([...picks].map(([m, p]) => [m, p.map((q) => ({ ...q, x: q.x + dx, y: q.y + dy }))]));

beforeAll(() => {
  expect(relionVersion()).toMatch(/^3\.1\./);
  dir = mkdtempSync(path.join(tmpdir(), 'drpnet-relion-extract-'));
  // 2.6 A/px makes betagal ~69 px across: ~50 particles per 1024^2 micrograph.
  sim = simulatedProject(dir, { count: 2, size: 1024, seed: 7, pixelSize: 2.6 });
  box = boxSizeFor(sim.diameter);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('relion_preprocess --extract on coordinates we write', () => {
  it('extracts every truth pick written by our STAR writer, at our coordinates, centred in its box', () => {
    writeCoordinateDir(sim.project, 'Truth', '_truth.star', sim.truth);
    const ex = extractParticles(sim.project, 'Truth', '_truth.star', box, 'Extract/truth');
    expect(ex.boxSize).toBe(box);
    expectSameCoordinates(sim.truth, ex.picks);
    expect(ex.mean.count).toBe([...sim.truth.values()].reduce((s, p) => s + p.length, 0));
    expect(ex.mean.count).toBeGreaterThan(60);
    const off = blobOffset(ex.mean.mean, 3);
    // Centred to within 2 px (3% of the diameter) on the mean of all boxes.
    expect(Math.hypot(off.dx, off.dy)).toBeLessThan(2);
  });

  it('shows an off-centre particle when the coordinates are deliberately shifted', () => {
    const [sx, sy] = [0.25 * sim.diameter, -0.15 * sim.diameter];
    writeCoordinateDir(sim.project, 'Shifted', '_shifted.star', shifted(sim.truth, sx, sy));
    const ex = extractParticles(sim.project, 'Shifted', '_shifted.star', box, 'Extract/shifted');
    const off = blobOffset(ex.mean.mean, 3);
    // Boxes centred to the right of the particles see them to the left: the blob moves against the shift.
    expect(off.dx * sx + off.dy * sy).toBeLessThan(0);
    expect(Math.hypot(off.dx, off.dy)).toBeGreaterThan(0.5 * Math.hypot(sx, sy));
  });

  it('extracts every pick `drpnet pick` writes (shipped models), centred on the particles it found', () => {
    expect(
      existsSync(path.join(SHIPPED_MODELS_DIR, 'fcrn/model.json')),
      `shipped models missing in ${SHIPPED_MODELS_DIR} (npm run train)`,
    ).toBe(true);
    // The recipe of the README and `pick --help`, run from the project folder: --out ends with
    // the micrographs' folder as the micrographs STAR names it, --coord_dir is the folder above.
    expect(sim.project.micrographs.every((m) => m.startsWith('Micrographs/'))).toBe(true);
    const outDir = 'DrpnetPick';
    const args = ['pick', 'Micrographs/', '--diameter', String(Math.round(sim.diameter)), '--out', `${outDir}/Micrographs/`];
    const res = spawnSync(process.execPath, [path.join(repo, 'bin/drpnet.js'), ...args], {
      cwd: sim.project.dir,
      encoding: 'utf8',
      timeout: 240_000,
    });
    expect(res.status, res.stderr).toBe(0);
    const ours = new Map(
      sim.project.micrographs.map((m) => {
        const file = path.join(dir, coordinateFilePath(outDir, m, '_autopick.star'));
        return [m, [...readCoordinates(readFileSync(file, 'utf8'), file).values()].flat()];
      }),
    );
    const total = [...ours.values()].reduce((s, p) => s + p.length, 0);
    expect(total).toBeGreaterThan(20);
    const ex = extractParticles(sim.project, outDir, '_autopick.star', box, 'Extract/drpnet');
    expectSameCoordinates(ours, ex.picks);
    expect(ex.mean.count).toBe(total);
    const off = blobOffset(ex.mean.mean, 3);
    expect(Math.hypot(off.dx, off.dy)).toBeLessThan(3);
  });
});
