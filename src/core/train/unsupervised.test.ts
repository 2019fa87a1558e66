import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../model/backend';
import { buildFcrn } from '../model/fcrn';
import { DEFAULT_PICK_PARAMS } from '../params';
import { pickMicrograph, PickSession } from '../pipeline';
import { percentiles } from '../preprocess/percentile';
import { presetConfig } from '../simulate/presets';
import { simulateMicrograph } from '../simulate/simulate';
import { nearestDistance } from '../candidates';
import { balancedSubset, countSamples } from './classifier-samples';
import { simTrainingMicrograph } from './dataset';
import { trainDetector } from './train-detector';
import { asMicrograph } from './training-micrograph';
import { detectorMetadata, DetectorSetBuilder } from './training-run';
import { labelUnsupervised } from './unsupervised';

const fcrnMeta = detectorMetadata(12, 64, {});

describe('labelUnsupervised', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('with a random-weight detector: screened strict candidates vs separated loose candidates and low-std patches', async () => {
    const sim = simulateMicrograph({ width: 512, height: 512, pixelSize: 1.3, kind: 'small', seed: 12 });
    const m = simTrainingMicrograph(sim);
    const fcrn = buildFcrn({ seed: 5 });
    const models = { fcrn, fcrnMeta };
    const spec = { sigma: 2, threshold: 0.5, seed: 3 };
    const choice = await labelUnsupervised(m, models, spec);
    const { scale, radius } = choice.work.geometry;
    const r = radius * scale;
    const pos = choice.samples.filter((s) => s.label === 1);
    const neg = choice.samples.filter((s) => s.reason === 'loose-candidate');
    const low = choice.samples.filter((s) => s.reason === 'low-std');
    expect(pos.length).toBeGreaterThan(3);
    expect(neg.length).toBeGreaterThan(3);
    expect(low.length).toBeGreaterThan(0);
    expect(countSamples(choice.samples).byReason).toEqual({
      'strict-candidate': pos.length,
      'loose-candidate': neg.length,
      'low-std': low.length,
    });

    // Particles are exactly the picks the pipeline keeps at level 2 with the 5%/10% screens.
    const session = new PickSession('check', asMicrograph(m.image));
    const params = {
      ...DEFAULT_PICK_PARAMS,
      diameter: m.diameter,
      sigma: 2,
      threshold: 0.5,
      kLevel: 2,
      meanPercentile: 5,
      stdPercentile: 10,
      useClassifier: false,
    };
    const kept = (await pickMicrograph(session, models, params)).picks;
    expect(pos.map((s) => [s.x, s.y])).toEqual(kept.map((p) => [p.x, p.y]));
    for (const s of pos) {
      expect(s.reason).toBe('strict-candidate');
      expect(s.level).toBeGreaterThanOrEqual(2);
    }
    // Background candidates keep r/3 from every particle; random ones keep r from both and have a low std.
    for (const s of neg) expect(nearestDistance(s, pos)).toBeGreaterThan(r / 3);
    const cut = percentiles(
      pos.map((s) => s.std),
      [10],
    )[0];
    for (const s of low) {
      expect(s.std).toBeLessThan(cut);
      expect(nearestDistance(s, [...pos, ...neg])).toBeGreaterThanOrEqual(radius * scale - scale);
    }
    // Every sample lies inside the default edge margin: one particle radius from each edge.
    const margin = (DEFAULT_PICK_PARAMS.edgeMargin * m.diameter) / 2;
    for (const s of choice.samples) {
      expect(Math.min(s.x, s.y)).toBeGreaterThanOrEqual(margin);
      expect(Math.max(s.x, s.y)).toBeLessThanOrEqual(511 - margin);
    }
    // Balanced: as many particles as background samples.
    const rows = balancedSubset(
      choice.samples.map((s) => s.label),
      1,
    );
    const kept1 = rows.filter((i) => choice.samples[i].label === 1).length;
    expect(kept1).toBe(Math.min(pos.length, neg.length + low.length));
    expect(rows.length).toBe(2 * kept1);

    // Repeatable, and the caller's session (its map already computed) gives the same samples.
    expect((await labelUnsupervised(m, models, spec, session)).samples).toEqual(choice.samples);
    await expect(labelUnsupervised(m, models, { ...spec, strictLevel: 1 })).rejects.toThrow(/strict level/);
    fcrn.dispose();
  });

  it('with a detector trained briefly on simulations: positives lie on particles of held-out micrographs', async () => {
    // TRPV1 at 1.5 A/px (working radius 11), typical conditions; 12 training micrographs, 5 epochs.
    const cfg = (seed: number, size: number) => presetConfig('typical', { kind: 'trpv1', width: size, height: size, pixelSize: 1.5, seed });
    const set = new DetectorSetBuilder();
    for (let i = 0; i < 12; i++) await set.add(simTrainingMicrograph(simulateMicrograph(cfg(500 + i, 512))), i);
    const fcrn = buildFcrn({ seed: 3 });
    await trainDetector(fcrn, set.build(), { epochs: 5, batchSize: 16, learningRate: 2e-3, lrDecay: 1, validationFraction: 0.1, seed: 1 });
    let positives = 0;
    let onParticle = 0;
    let chance = 0;
    for (const seed of [900, 901]) {
      const m = simTrainingMicrograph(simulateMicrograph(cfg(seed, 768)));
      const choice = await labelUnsupervised(m, { fcrn, fcrnMeta }, { sigma: 4, threshold: 4, seed: 1 });
      const r = choice.work.geometry.radius * choice.work.geometry.scale;
      const pos = choice.samples.filter((s) => s.label === 1);
      positives += pos.length;
      onParticle += pos.filter((s) => nearestDistance(s, m.truth!) <= r).length;
      // Fraction of the image within r of a particle: the precision of random positions.
      chance += (m.truth!.length * Math.PI * r * r) / (768 * 768) / 2;
    }
    // Measured on this machine (wasm, seeds above): 39 positives, 37 within r of a particle
    // (precision 0.95); random positions would score ~0.25.
    expect(positives).toBeGreaterThanOrEqual(25);
    expect(onParticle / positives).toBeGreaterThanOrEqual(0.85);
    expect(onParticle / positives).toBeGreaterThan(3 * chance);
    fcrn.dispose();
  });
});
