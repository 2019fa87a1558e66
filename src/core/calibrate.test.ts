import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calibrateCount, calibrationReport, COUNT_AGREEMENT, describeCalibration, particleCount } from './calibrate';

describe('particleCount', () => {
  it('counts the candidates not explained by noise: each one below the noise level stands for two noise candidates', () => {
    expect(particleCount([0.1, 0.2, 0.5, 0.6, 0.7, 0.8], 0.3)).toBe(2);
    expect(particleCount([0.5, 0.6, 0.7], 0.3)).toBe(3);
    // Noise alone: half below its median, half above; nothing left for particles.
    expect(particleCount([0.1, 0.2, 0.4, 0.5], 0.3)).toBe(0);
    expect(particleCount([0.1, 0.1, 0.1, 0.9], 0.3)).toBe(0);
  });
});

describe('calibrateCount', () => {
  const noiseLevel = 0.3;

  it("keeps the settings' picks when they keep at least half of the detector's count", () => {
    const c = calibrateCount({ score: [0.9, 0.8, 0.7, 0.05], passes: [true, true, false, false], raw: [0.5, 0.4, 0.35, 0.31], noiseLevel });
    expect(c).toMatchObject({ keep: [true, true, false, false], detectorCount: 4, settingsCount: 2, adjusted: false });
  });

  it("keeps the detector's count, best classifier scores first, when the classifier rejects nearly everything", () => {
    // A classifier that has never seen such data: every p(particle) under 0.1.
    const score = [0.02, 0.08, 0.01, 0.05, 0.03, 0.07];
    const c = calibrateCount({ score, passes: score.map(() => false), raw: [0.5, 0.6, 0.4, 0.45, 0.35, 0.7], noiseLevel });
    expect(c.detectorCount).toBe(6);
    expect(c.adjusted).toBe(true);
    expect(c.keep).toEqual(score.map(() => true));
    const four = calibrateCount({ score, passes: score.map(() => false), raw: [0.5, 0.6, 0.1, 0.45, 0.35, 0.7], noiseLevel });
    expect(four.detectorCount).toBe(4);
    expect(four.keep).toEqual([false, true, false, true, true, true]);
    expect(four.scoreThreshold).toBe(0.03);
  });

  it('never removes a pick the settings keep (on empty ice the classifier decides)', () => {
    const raw = Array.from({ length: 90 }, (_, i) => (i % 2 ? 0.1 : 0.35));
    const passes = raw.map((_, i) => i < 12);
    const c = calibrateCount({ score: raw.map(() => 0.5), passes, raw, noiseLevel });
    expect(c.detectorCount).toBe(0);
    expect(c.adjusted).toBe(false);
    expect(c.keep).toEqual(passes);
  });

  it('never keeps a candidate without a score (screened out, or not classified yet)', () => {
    const c = calibrateCount({ score: [undefined, 0.01, undefined], passes: [false, false, false], raw: [0.9, 0.9, 0.9], noiseLevel });
    expect(c.detectorCount).toBe(1);
    expect(c.keep).toEqual([false, true, false]);
  });

  it('keeps at least half the detector count, and all the settings keep (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.float({ min: 0, max: 1, noNaN: true }), fc.boolean(), fc.float({ min: 0, max: 1, noNaN: true })), {
          maxLength: 60,
        }),
        (rows) => {
          const c = calibrateCount({ score: rows.map((r) => r[0]), passes: rows.map((r) => r[1]), raw: rows.map((r) => r[2]), noiseLevel });
          const kept = c.keep.filter(Boolean).length;
          expect(kept * COUNT_AGREEMENT).toBeGreaterThanOrEqual(c.detectorCount);
          if (!c.adjusted) expect(c.keep).toEqual(rows.map((r) => r[1]));
        },
      ),
    );
  });
});

describe('describeCalibration', () => {
  it('says nothing when the settings stood, and says what was kept and why when they did not', () => {
    expect(describeCalibration(undefined)).toBeUndefined();
    expect(describeCalibration({ detectorCount: 4, settingsCount: 2, adjusted: false })).toBeUndefined();
    const score = [0.02, 0.08, 0.01, 0.05, 0.03, 0.07];
    const report = calibrationReport(
      calibrateCount({
        score,
        passes: score.map(() => false),
        raw: [0.5, 0.6, 0.1, 0.45, 0.35, 0.7],
        noiseLevel: 0.3,
      }),
    );
    expect(report).toEqual({ detectorCount: 4, settingsCount: 0, adjusted: true, scoreThreshold: 0.03 });
    expect(describeCalibration(report)).toBe(
      'the settings (cutoff and screens) kept 0, under half the ~4 particles the detector estimates, so its 4 best-scored candidates were kept: p(particle) >= 0.030, about what a cutoff of 0.970 keeps',
    );
  });
});
