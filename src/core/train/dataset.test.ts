// Training sets built from a simulation: what each builder promises about its patches and labels.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../model/backend';
import { buildFcrn } from '../model/fcrn';
import { simulateMicrograph } from '../simulate/simulate';
import { labelFromTruth } from './classifier-samples';
import { detectorImage, simDiameter, simTrainingMicrograph, trainingSimConfigs, TRAINING_RANGES, visibleCentres } from './dataset';
import { ClassifierSetBuilder, DetectorSetBuilder } from './training-run';

describe('training sets from a simulation', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('a simulation is a training micrograph with its visible particles as truth', async () => {
    const sim = simulateMicrograph({ ...trainingSimConfigs({ count: 1, size: 256, seedOffset: 0 })[0] });
    const m = simTrainingMicrograph(sim);
    expect(m.image).toBe(sim.image);
    expect(m.diameter).toBe(simDiameter(sim));
    expect(m.truth).toEqual(visibleCentres(sim));
    expect(m.negativeStain).toBe(sim.params.negativeStain);
    await expect(detectorImage({ ...m, truth: undefined })).rejects.toThrow(/needs ground-truth/);
  });

  it('detector patches: one per particle inside (capped) plus background, labels peaking on particles', async () => {
    const cfg = trainingSimConfigs({ count: 1, size: 1024, seedOffset: 0 })[0];
    const m = simTrainingMicrograph(simulateMicrograph(cfg));
    const det = await detectorImage(m);
    const inside = det.centres.filter((c) => c.x >= 32 && c.y >= 32 && c.x < det.input.width - 32 && c.y < det.input.height - 32);
    const set = new DetectorSetBuilder({ perMicrograph: 30, backgroundPerMicrograph: 4 });
    const added = await set.add(m, cfg.seed);
    const s = set.build();
    const particlePatches = Math.min(30, inside.length);
    expect(added).toEqual({ patches: particlePatches + 4, particles: det.centres.length, radius: det.geometry.radius });
    expect(s.n).toBe(particlePatches + 4);
    expect(s.inputs.length).toBe(s.n * 64 * 64);
    // A particle patch's centre lies within the 3x3 pixels around index 32 (flips of an even-sized
    // patch move it by one), and one of them within 0.71 px of the particle centre, where the
    // label (R - d)^2 / R^2 is at least (1 - 0.71 / R)^2.
    const R = Math.floor(det.geometry.radius);
    for (let i = 0; i < particlePatches; i++) {
      let peak = 0;
      for (let y = 31; y <= 33; y++) for (let x = 31; x <= 33; x++) peak = Math.max(peak, s.labels[i * 4096 + y * 64 + x]);
      expect(peak).toBeGreaterThanOrEqual((1 - Math.SQRT1_2 / R) ** 2 - 1e-6);
    }
    // Labels are scaled to peak 1 and the input is the network input (preprocessed, smoothed).
    expect(s.labels.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(s.inputs.every(Number.isFinite)).toBe(true);
    // With border 'shift' (a user's labels) the particles near the edge make patches too.
    expect(inside.length).toBeLessThan(det.centres.length);
    const all = new DetectorSetBuilder({ border: 'shift' });
    expect((await all.add(m, cfg.seed)).patches).toBe(det.centres.length);
  });

  it('supervised classifier samples: labels follow why each sample was chosen', async () => {
    const cfg = trainingSimConfigs({ count: 2, size: 1024, seedOffset: 50_000 })[1];
    const fcrn = buildFcrn({ seed: 1 });
    const fcrnMeta = { kind: 'fcrn' as const, workingRadius: 7, inputSmoothing: 1, patchSize: 64, created: '2024-01-01' };
    const set = new ClassifierSetBuilder();
    const choice = await labelFromTruth(
      simTrainingMicrograph(simulateMicrograph(cfg)),
      { fcrn, fcrnMeta },
      { seed: cfg.seed, peaks: { sigma: 3, threshold: 0.5, kLevel: 1 } },
    );
    set.add(choice);
    const s = set.build();
    expect(s.n).toBe(choice.samples.length);
    expect(s.patches.length).toBe(s.n * 64 * 64);
    const particleReasons = new Set(['near-truth', 'jittered-truth']);
    choice.samples.forEach((c, i) => expect(s.labels[i]).toBe(particleReasons.has(c.reason) ? 1 : 0));
    expect(set.byReason['jittered-truth']).toBe(20);
    expect(set.byReason['random-background']).toBe(10);
    expect(set.candidates).toBeGreaterThan(0);
    fcrn.dispose();
  });
});

describe('training recipes', () => {
  it('narrow (the shipped models) draws from its own ranges; wide adds generic shapes and post-processing', () => {
    const narrow = trainingSimConfigs({ count: 40, seedOffset: 0 });
    expect(trainingSimConfigs({ name: 'narrow', count: 40, seedOffset: 0, network: 'detector' })).toEqual(narrow);
    // The detector's set adds the hollow shapes; the classifier's keeps the four complexes.
    expect(new Set(narrow.map((c) => c.kind))).toEqual(new Set(['trpv1', 'proteasome', 'ribosome', 'small', 'shell', 'ring']));
    const classifier = trainingSimConfigs({ count: 40, seedOffset: 0, network: 'classifier' });
    expect(new Set(classifier.map((c) => c.kind))).toEqual(new Set(TRAINING_RANGES.narrow.kinds));
    for (const c of narrow) {
      expect(c.post).toBeUndefined();
      if (c.negativeStain) continue;
      expect(TRAINING_RANGES.narrow.defocusUm.some(([a, b]) => c.defocusUm![0] >= a && c.defocusUm![0] <= b)).toBe(true);
      expect(TRAINING_RANGES.narrow.dose.some(([a, b]) => c.dose! >= a && c.dose! <= b)).toBe(true);
    }
    const wide = trainingSimConfigs({ name: 'wide', count: 40, seedOffset: 0 });
    expect(new Set(wide.map((c) => c.kind))).toEqual(new Set(TRAINING_RANGES.wide.kinds));
    expect(wide.some((c) => c.post?.length)).toBe(true);
    expect(wide.every((c) => c.negativeStain || (c.defocusUm![0] >= 0.3 && c.defocusUm![0] <= 3.6))).toBe(true);
  });
});
