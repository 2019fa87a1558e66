import { beforeAll, describe, expect, it } from 'vitest';
import { extractPatches } from '../candidates';
import { initBackend } from '../model/backend';
import { buildFcrn } from '../model/fcrn';
import { simulateMicrograph } from '../simulate/simulate';
import { nearestDistance } from '../candidates';
import { balancedSubset, countSamples, cutPatches, labelFromTruth } from './classifier-samples';
import { simTrainingMicrograph } from './dataset';
import { toWorking } from './training-micrograph';

describe('balancedSubset', () => {
  it('keeps the minority and an equal, seeded random share of the majority, in order', () => {
    const labels = [1, 0, 0, 1, 0, 0, 0, 0, 1, 0];
    const rows = balancedSubset(labels, 5);
    expect(rows.filter((r) => labels[r] === 1)).toEqual([0, 3, 8]);
    expect(rows.filter((r) => labels[r] === 0).length).toBe(3);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(balancedSubset(labels, 5)).toEqual(rows);
    // Over seeds, every background sample gets chosen sometimes.
    const seen = new Set<number>();
    for (let s = 0; s < 40; s++) balancedSubset(labels, s).forEach((r) => seen.add(r));
    expect(seen.size).toBe(labels.length);
  });

  it('works whichever class is larger, and with an empty class', () => {
    expect(balancedSubset([1, 1, 1, 0], 1).length).toBe(2);
    expect(balancedSubset([1, 1, 1], 1)).toEqual([]);
    expect(balancedSubset([], 1)).toEqual([]);
  });
});

describe('labelFromTruth (supervised)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('labels by distance to truth, measures each sample, and cuts the pipeline patches', async () => {
    const sim = simulateMicrograph({ width: 512, height: 512, pixelSize: 2, kind: 'trpv1', seed: 31 });
    const m = simTrainingMicrograph(sim);
    const fcrn = buildFcrn({ seed: 2 });
    const models = {
      fcrn,
      fcrnMeta: { kind: 'fcrn' as const, workingRadius: 12, inputSmoothing: 3, patchSize: 64, created: '2024-01-01' },
    };
    const choice = await labelFromTruth(m, models, { seed: 4, peaks: { sigma: 2, threshold: 0.5, kLevel: 1 } });
    const { scale, radius } = choice.work.geometry;
    const r = radius * scale; // original pixels
    const truth = m.truth!;
    const c = countSamples(choice.samples);
    expect(c.byReason['jittered-truth']).toBe(20);
    expect(c.byReason['random-background']).toBe(10);
    expect(c.byReason['far-from-truth']).toBeGreaterThan(0);
    for (const s of choice.samples) {
      const d = nearestDistance(s, truth);
      if (s.reason === 'near-truth') expect(d).toBeLessThanOrEqual(r / 3 + 1e-9);
      if (s.reason === 'far-from-truth') expect(d).toBeGreaterThan(r);
      if (s.reason === 'jittered-truth') expect(d).toBeLessThanOrEqual(r / 4 + 1e-9);
      if (s.reason === 'random-background') expect(d).toBeGreaterThanOrEqual(1.2 * r - 1e-9);
      expect(s.label).toBe(s.reason === 'near-truth' || s.reason === 'jittered-truth' ? 1 : 0);
      expect(s.std).toBeGreaterThan(0);
      expect(Number.isFinite(s.mean)).toBe(true);
    }
    const patches = cutPatches(choice.work, choice.samples);
    expect(patches.length).toBe(choice.samples.length * 64 * 64);
    const i = choice.samples.length - 1;
    const one = extractPatches(choice.work.pre, [toWorking(choice.samples[i], scale)], radius);
    expect(patches.subarray(i * 4096, (i + 1) * 4096)).toEqual(one);
    await expect(labelFromTruth({ ...m, truth: undefined }, models, { seed: 1 })).rejects.toThrow(/ground-truth/);
    fcrn.dispose();
  });
});
