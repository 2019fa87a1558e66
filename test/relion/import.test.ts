// What RELION 3.1 writes, we read: relion_autopick --LoG coordinate files (as picks and as
// ground truth) and the particles STAR relion_preprocess --extract writes (as ground truth).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCoordinates, readRelionParticles, type Particle } from '../../src/core/coords';
import { matchPicks } from '../../src/core/metrics';
import { runLoG, type LoGResult } from './helpers/autopick';
import { boxSizeFor, extractParticles } from './helpers/extract';
import { coordinateFilePath, writeCoordinateDir } from './helpers/project';
import { relionVersion } from './helpers/relion';
import { simulatedProject, type SimulatedProject } from './helpers/simulated';

const repo = path.resolve(__dirname, '../..');
let dir: string;
let sim: SimulatedProject;
let log: LoGResult;

const total = (m: Map<string, Particle[]>) => [...m.values()].reduce((s, p) => s + p.length, 0);

interface EvalJson {
  micrographs: { micrograph: string; tp: number; fp: number; fn: number }[];
  overall: { tp: number; fp: number; fn: number; recall: number; precision: number };
}

/** `drpnet eval --json` through the real CLI. */
function drpnetEval(picksDir: string, truthDir: string): EvalJson {
  const args = [
    'eval',
    '--picks',
    path.join(dir, picksDir),
    '--truth',
    path.join(dir, truthDir),
    '--diameter',
    String(sim.diameter),
    '--json',
  ];
  const res = spawnSync(process.execPath, [path.join(repo, 'bin/drpnet.js'), ...args], { encoding: 'utf8', timeout: 120_000 });
  expect(res.status, res.stderr).toBe(0);
  return JSON.parse(res.stdout) as EvalJson;
}

beforeAll(() => {
  expect(relionVersion()).toMatch(/^3\.1\./);
  dir = mkdtempSync(path.join(tmpdir(), 'drpnet-relion-import-'));
  sim = simulatedProject(dir, { count: 2, size: 1024, seed: 21, pixelSize: 2.6 });
  // Truth named like a picker's output, so `drpnet eval` pairs it with RELION's files by micrograph.
  writeCoordinateDir(sim.project, 'Truth', '_autopick.star', sim.truth);
  const dA = sim.diameter * sim.project.optics.pixelSize;
  log = runLoG(sim.project, { odir: 'AutoPick', diameterMinA: 0.9 * dA, diameterMaxA: 1.1 * dA });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('relion_autopick --LoG output', () => {
  it('is read as picks: every particle RELION reports, with its figure of merit, in the micrograph frame', () => {
    expect(total(log.picks)).toBe(log.reportedTotal);
    expect(log.reportedTotal).toBeGreaterThan(20);
    for (const picks of log.picks.values()) {
      for (const p of picks) {
        expect(p.x).toBeGreaterThanOrEqual(0);
        expect(p.x).toBeLessThan(1024);
        expect(p.y).toBeGreaterThanOrEqual(0);
        expect(p.y).toBeLessThan(1024);
        expect(Number.isFinite(p.score)).toBe(true);
        expect(p.classNumber).toBe(0); // RELION's dummy class for reference-free picks
      }
    }
    // Read in the right frame, RELION's picks land on the particles (within a third of their
    // radius, where chance hits are rare even at this density); with y flipped they would not.
    const r = sim.diameter / 6;
    let tp = 0;
    let tpFlipped = 0;
    for (const [mic, picks] of log.picks) {
      const truth = sim.truth.get(mic)!;
      tp += matchPicks(picks, truth, r).tp;
      tpFlipped += matchPicks(
        picks,
        truth.map((t) => ({ x: t.x, y: 1023 - t.y })),
        r,
      ).tp;
    }
    expect(tp / total(sim.truth)).toBeGreaterThan(0.5);
    expect(tp).toBeGreaterThan(3 * tpFlipped);
  });

  it('finding nothing, writes empty files that read as no picks', () => {
    const dA = sim.diameter * sim.project.optics.pixelSize;
    const none = runLoG(sim.project, { odir: 'AutoPickNone', diameterMinA: 0.9 * dA, diameterMaxA: 1.1 * dA, adjustThreshold: 50 });
    expect(none.reportedTotal).toBe(0);
    // RELION 3.1.3 (Debian) then aborts drawing logfile.pdf, its files already written; runLoG
    // tolerates exactly that (none.aborted), so a newer RELION without the bug passes too.
    for (const mic of sim.project.micrographs) {
      expect(statSync(path.join(dir, coordinateFilePath('AutoPickNone', mic, '_autopick.star'))).size).toBe(0);
      expect(none.picks.get(mic)).toEqual([]);
    }
  });

  it('is read as ground truth by `drpnet eval`, matching the in-process scores', () => {
    const res = drpnetEval('Truth/Micrographs', 'AutoPick/Micrographs');
    expect(res.micrographs.map((m) => m.micrograph)).toEqual(['mic_0001', 'mic_0002']);
    const expected = [...log.picks].map(([mic, relion]) => matchPicks(sim.truth.get(mic)!, relion, sim.diameter / 2));
    expect(res.overall.tp).toBe(expected.reduce((s, m) => s + m.tp, 0));
    expect(res.overall.tp + res.overall.fn).toBe(log.reportedTotal);
    expect(res.overall.tp + res.overall.fp).toBe(total(sim.truth));
  });
});

describe('RELION particles STAR from extraction', () => {
  it('is read as ground truth: exactly the coordinates it was extracted from, per micrograph', () => {
    const ex = extractParticles(sim.project, 'Truth', '_autopick.star', boxSizeFor(sim.diameter), 'Extract');
    const particles = readRelionParticles(readFileSync(path.join(dir, ex.particlesStar), 'utf8'), ex.particlesStar);
    expect([...particles.keys()].sort()).toEqual(sim.project.micrographs);
    for (const [mic, truth] of sim.truth) {
      const read = particles.get(mic)!;
      expect(read).toHaveLength(truth.length);
      expect(matchPicks(read, truth, 0.01).tp).toBe(truth.length);
      // RELION 3.1 also writes one <mic>_extract.star per micrograph (block data_images).
      const own = path.join(dir, 'Extract', mic.replace(/\.mrc$/, '_extract.star'));
      const perMic = readCoordinates(readFileSync(own, 'utf8'), own);
      expect([...perMic.keys()]).toEqual([mic]);
      expect(matchPicks(perMic.get(mic)!, truth, 0.01).tp).toBe(truth.length);
    }
    // As the truth folder of `drpnet eval`: our truth picks score perfectly against it.
    expect(readdirSync(path.join(dir, 'Extract')).filter((f) => f.endsWith('.star'))).toEqual(['particles.star']);
    const res = drpnetEval('Truth/Micrographs', 'Extract');
    expect(res.overall.recall).toBe(1);
    expect(res.overall.precision).toBe(1);
    expect(res.overall.tp).toBe(total(sim.truth));
  });
});
