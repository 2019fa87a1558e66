import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calibratedP,
  calibrateScores,
  COUNT_AGREEMENT,
  describeCalibration,
  particleCount,
  passesCutoff,
  unlikeTraining,
} from './calibrate';

describe('particleCount', () => {
  it('counts the candidates not explained by noise: each one below the noise level stands for two noise candidates', () => {
    expect(particleCount([0.1, 0.2, 0.5, 0.6, 0.7, 0.8], 0.3)).toBe(2);
    expect(particleCount([0.5, 0.6, 0.7], 0.3)).toBe(3);
    // Noise alone: half below its median, half above; nothing left for particles.
    expect(particleCount([0.1, 0.2, 0.4, 0.5], 0.3)).toBe(0);
    expect(particleCount([0.1, 0.1, 0.1, 0.9], 0.3)).toBe(0);
  });
});

describe('calibrateScores', () => {
  const noiseLevel = 0.3;
  const referenceCutoff = 0.9;
  /** What a cutoff keeps of the scores after calibration. */
  const keptAt = (p: readonly (number | undefined)[], shift: number, cutoff: number) =>
    p.map((v) => v !== undefined && passesCutoff(calibratedP(v, shift), cutoff));

  it("leaves the scores alone when the default cutoff keeps at least half of the detector's count", () => {
    const c = calibrateScores({ p: [0.9, 0.8, 0.7, 0.05], raw: [0.5, 0.4, 0.35, 0.31], noiseLevel, referenceCutoff });
    expect(c).toEqual({ detectorCount: 4, referenceCutoff, referenceCount: 3, adjusted: false, shift: 0 });
    expect(calibratedP(0.05, c.shift)).toBe(0.05);
  });

  it("raises the scores until the default cutoff keeps the detector's count, best scores first", () => {
    // A classifier that has never seen such data: every p(particle) under 0.1.
    const p = [0.02, 0.08, 0.01, 0.05, 0.03, 0.07];
    const all = calibrateScores({ p, raw: [0.5, 0.6, 0.4, 0.45, 0.35, 0.7], noiseLevel, referenceCutoff });
    expect(all).toMatchObject({ detectorCount: 6, referenceCount: 0, adjusted: true });
    expect(keptAt(p, all.shift, referenceCutoff)).toEqual(p.map(() => true));
    const four = calibrateScores({ p, raw: [0.5, 0.6, 0.1, 0.45, 0.35, 0.7], noiseLevel, referenceCutoff });
    expect(four.detectorCount).toBe(4);
    expect(four.shift).toBeGreaterThan(0);
    expect(keptAt(p, four.shift, referenceCutoff)).toEqual([false, true, false, true, true, true]);
    // The order of the scores is kept, and they stay probabilities.
    const q = p.map((v) => calibratedP(v, four.shift));
    expect([...q].sort((a, b) => a - b)).toEqual(q.slice().sort((a, b) => a - b));
    expect(Math.min(...q)).toBeGreaterThan(0);
    expect(Math.max(...q)).toBeLessThan(1);
  });

  it('keeps candidates tied with the last one kept, and works with probabilities of exactly 0 and 1', () => {
    const p = [0, 0, 0, 1e-9, 1e-9, 0];
    const c = calibrateScores({ p, raw: p.map(() => 0.9), noiseLevel, referenceCutoff });
    expect(c.detectorCount).toBe(6);
    expect(keptAt(p, c.shift, referenceCutoff)).toEqual(p.map(() => true));
    const tied = [0.01, 0.01, 0.01, 0.001];
    const three = calibrateScores({ p: tied, raw: [0.9, 0.9, 0.1, 0.9], noiseLevel, referenceCutoff });
    expect(three.detectorCount).toBe(2);
    expect(keptAt(tied, three.shift, referenceCutoff)).toEqual([true, true, true, false]);
    expect(calibrateScores({ p: [1, 1], raw: [0.9, 0.9], noiseLevel, referenceCutoff }).adjusted).toBe(false);
  });

  it('where a run of equal scores straddles the count, keeps it or leaves it out, whichever ends nearer the count', () => {
    // 100 candidates the classifier tells apart and 900 it gives exactly 0 (float32 underflow); the detector counts 400.
    const p = [...Array.from({ length: 100 }, () => 0.05), ...Array.from({ length: 900 }, () => 0)];
    const raw = [...p.map(() => 0.9).slice(0, 700), ...Array.from({ length: 300 }, () => 0.1)];
    const c = calibrateScores({ p, raw, noiseLevel, referenceCutoff });
    expect(c.detectorCount).toBe(400);
    expect(keptAt(p, c.shift, referenceCutoff).filter(Boolean)).toHaveLength(100);
    // Nearer the count with the run: kept with it.
    const q = [...Array.from({ length: 100 }, () => 0.05), ...Array.from({ length: 200 }, () => 0.001)];
    const most = calibrateScores({ p: q, raw: q.map(() => 0.9), noiseLevel, referenceCutoff });
    expect(most.detectorCount).toBe(300);
    expect(keptAt(q, most.shift, referenceCutoff).filter(Boolean)).toHaveLength(300);
  });

  it('never shifts when the classifier keeps enough (on empty ice it decides)', () => {
    const raw = Array.from({ length: 90 }, (_, i) => (i % 2 ? 0.1 : 0.35));
    const c = calibrateScores({ p: raw.map((_, i) => (i < 12 ? 0.95 : 0.01)), raw, noiseLevel, referenceCutoff });
    expect(c).toMatchObject({ detectorCount: 0, adjusted: false, shift: 0 });
  });

  it('never counts a candidate without a score (screened out, or not classified yet)', () => {
    const c = calibrateScores({ p: [undefined, 0.01, undefined], raw: [0.9, 0.9, 0.9], noiseLevel, referenceCutoff });
    expect(c.detectorCount).toBe(1);
    expect(keptAt([undefined, 0.01, undefined], c.shift, referenceCutoff)).toEqual([false, true, false]);
  });

  it('at the default cutoff keeps every score above the count-th best and none below it, and a looser cutoff never keeps fewer (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.float({ min: 0, max: 1, noNaN: true }), fc.float({ min: 0, max: 1, noNaN: true })), { maxLength: 60 }),
        fc.array(fc.float({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 6 }),
        (rows, cutoffs) => {
          const p = rows.map((r) => r[0]);
          const c = calibrateScores({ p, raw: rows.map((r) => r[1]), noiseLevel, referenceCutoff });
          const kept = keptAt(p, c.shift, referenceCutoff);
          if (c.adjusted) {
            const nth = [...p].sort((a, b) => b - a)[c.detectorCount - 1];
            p.forEach((v, i) => {
              if (v > nth) expect(kept[i]).toBe(true);
              if (v < nth) expect(kept[i]).toBe(false);
            });
          } else {
            expect(kept.filter(Boolean).length * COUNT_AGREEMENT).toBeGreaterThanOrEqual(c.detectorCount);
          }
          const counts = [...cutoffs].sort((a, b) => a - b).map((k) => keptAt(p, c.shift, k).filter(Boolean).length);
          counts.slice(1).forEach((n, i) => expect(n).toBeGreaterThanOrEqual(counts[i]));
        },
      ),
    );
  });
});

describe('describeCalibration', () => {
  it('says nothing when the scores stood, and says what was done and why when they did not', () => {
    expect(describeCalibration(undefined)).toBeUndefined();
    expect(describeCalibration({ detectorCount: 4, referenceCutoff: 0.9, referenceCount: 2, adjusted: false, shift: 0 })).toBeUndefined();
    const report = calibrateScores({
      p: [0.02, 0.08, 0.01, 0.05, 0.03, 0.07],
      raw: [0.5, 0.6, 0.1, 0.45, 0.35, 0.7],
      noiseLevel: 0.3,
      referenceCutoff: 0.9,
    });
    expect(describeCalibration(report)).toBe(
      `the classifier's scores ran low: the default cutoff 0.9 kept 0 of the ~4 particles the detector estimates, so p(particle) was raised (odds x${Math.exp(report.shift).toPrecision(3)}) until that cutoff keeps 4; other cutoffs keep more or fewer from there`,
    );
  });

  it('says the networks disagree only where calibration stepped in and kept under a quarter of the estimate', () => {
    const report = (referenceCount: number, adjusted = true) => ({
      detectorCount: 160,
      referenceCutoff: 0.9,
      referenceCount,
      adjusted,
      shift: 2,
    });
    expect(unlikeTraining(report(10))).toBe(true); // the real apoferritin set: 10 of ~155
    expect(unlikeTraining(report(39))).toBe(true);
    expect(unlikeTraining(report(40))).toBe(false);
    expect(unlikeTraining(report(10, false))).toBe(false);
    expect(unlikeTraining(undefined)).toBe(false);
  });
});
