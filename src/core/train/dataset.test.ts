// The generalised builders (any micrograph + truth + diameter) must give the simulation path
// exactly the sets the simulation-only builders gave, so `npm run train` stays reproducible.
// The reference numbers were recorded from the previous dataset.ts (detectorImage(sim),
// detectorSamples, classifierSamples(sim, ...)) on these same configurations; outside these
// tests, the old and new builders were also compared element by element (identical).
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../model/backend';
import { buildFcrn } from '../model/fcrn';
import { simulateMicrograph } from '../simulate/simulate';
import { labelFromTruth } from './classifier-samples';
import { detectorImage, simDiameter, simTrainingMicrograph, trainingSimConfigs, visibleCentres } from './dataset';
import { ClassifierSetBuilder, DetectorSetBuilder } from './training-run';

function sums(a: Float32Array): { sum: number; sq: number } {
  let sum = 0;
  let sq = 0;
  for (const v of a) {
    sum += v;
    sq += v * v;
  }
  return { sum, sq };
}

describe('training sets from a simulation', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('a simulation is a training micrograph with its visible particles as truth', () => {
    const sim = simulateMicrograph({ ...trainingSimConfigs({ count: 1, size: 256, seedOffset: 0 })[0] });
    const m = simTrainingMicrograph(sim);
    expect(m.image).toBe(sim.image);
    expect(m.diameter).toBe(simDiameter(sim));
    expect(m.truth).toEqual(visibleCentres(sim));
    expect(m.negativeStain).toBe(sim.params.negativeStain);
    expect(() => detectorImage({ ...m, truth: undefined })).toThrow(/needs ground-truth/);
  });

  it('detector patches are the ones the simulation-only builder made', () => {
    const cfg = trainingSimConfigs({ count: 1, size: 1024, seedOffset: 0 })[0];
    const set = new DetectorSetBuilder({ perMicrograph: 30, backgroundPerMicrograph: 4 });
    const added = set.add(simTrainingMicrograph(simulateMicrograph(cfg)), cfg.seed);
    const s = set.build();
    expect(added).toEqual({ patches: 34, particles: 92, radius: 11 });
    expect(s.n).toBe(34);
    expect(s.inputs.length).toBe(139_264);
    const x = sums(s.inputs);
    const y = sums(s.labels);
    expect(x.sum).toBeCloseTo(93017.78772342445, 2);
    expect(x.sq).toBeCloseTo(64502.26312814286, 2);
    expect(y.sum).toBeCloseTo(346.72717832892994, 3);
    expect(y.sq).toBeCloseTo(138.15110558865936, 3);
    expect(s.inputs[12345]).toBeCloseTo(0.7711333632469177, 6);
  });

  it('supervised classifier samples are the ones the simulation-only builder made', async () => {
    const cfg = trainingSimConfigs({ count: 2, size: 1024, seedOffset: 50_000 })[1];
    const fcrn = buildFcrn({ seed: 1 });
    const fcrnMeta = { kind: 'fcrn' as const, workingRadius: 12, inputSmoothing: 3, patchSize: 64, created: '2024-01-01' };
    const set = new ClassifierSetBuilder();
    set.add(await labelFromTruth(simTrainingMicrograph(simulateMicrograph(cfg)), { fcrn, fcrnMeta }, { seed: cfg.seed, peaks: { sigma: 3, threshold: 0.5, kLevel: 1 } }));
    const s = set.build();
    expect(set.candidates).toBe(33);
    expect(set.byReason).toEqual({ 'far-from-truth': 21, 'jittered-truth': 20, 'random-background': 10 });
    expect(Array.from(s.labels).join('')).toBe('000000000000000000000111111111111111111110000000000');
    const p = sums(s.patches);
    expect(p.sum).toBeCloseTo(92849.56675337398, 1);
    expect(p.sq).toBeCloseTo(52386.896348994276, 1);
    expect(s.patches[12345]).toBeCloseTo(0.17527243494987488, 5);
    fcrn.dispose();
  });
});
