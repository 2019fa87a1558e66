import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, ParameterError } from './errors';
import { createImage, type Image2D } from './image';
import { decodedMicrograph, type Micrograph } from './io/micrograph';
import { initBackend } from './model/backend';
import { buildClassifier } from './model/classifier';
import { buildFcrn } from './model/fcrn';
import type { ModelMetadata } from './model/model-io';
import { DEFAULT_PICK_PARAMS, PICK_PARAMETERS, type PickParams } from './params';
import { PickSession, pickMicrograph, withCutoff, type Models } from './pipeline';
import { createRng } from './random';

// A detector with hand-set weights that passes the (smoothed) input through its first channel
// and negates it at the end: its map peaks where the micrograph is darkest, i.e. on particles.
// That makes picks predictable, so the test checks the pipeline's geometry and bookkeeping
// (scales, original-pixel coordinates, caching) rather than a trained network's skill.
function darkBlobDetector(): tf.LayersModel {
  const model = buildFcrn({ seed: 1 });
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length !== 2) continue;
    // getWeights() hands out the layer's own tensors: read shapes only, never dispose them.
    const [kh, kw, , cout] = weights[0].shape;
    const k = tf.buffer(weights[0].shape, 'float32');
    k.set(layer.name === 'regression' ? -1 : 1, Math.floor((kh - 1) / 2), Math.floor((kw - 1) / 2), 0, 0);
    layer.setWeights([k.toTensor(), tf.zeros([cout])]);
  }
  return model;
}

const META: ModelMetadata = { kind: 'fcrn', workingRadius: 12, inputSmoothing: 3, patchSize: 64, created: '2026-01-01' };

/** A noisy bright micrograph with dark disks (cryo polarity) at known original-pixel centres. */
function micrographWithParticles(width: number, height: number, centres: { x: number; y: number }[], radius: number, seed = 5): Micrograph {
  const rng = createRng(seed);
  const img: Image2D = createImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 100 + rng.normal() * 2;
      for (const c of centres) {
        const d2 = (x - c.x) ** 2 + (y - c.y) ** 2;
        if (d2 <= radius * radius) v -= 6 * (1 - d2 / (radius * radius));
      }
      img.data[y * width + x] = v;
    }
  }
  return decodedMicrograph(img, { frames: 1, averaged: false, format: 'mrc' });
}

describe('PickSession', () => {
  let models: Models;
  beforeAll(async () => {
    await initBackend('wasm');
    models = { fcrn: darkBlobDetector(), fcrnMeta: META };
  });

  const centres = [
    { x: 150, y: 170 },
    { x: 400, y: 130 },
    { x: 260, y: 380 },
    { x: 420, y: 420 },
  ];
  const params: PickParams = { ...DEFAULT_PICK_PARAMS, diameter: 60, useClassifier: false, sigma: 2, threshold: 34, kLevel: 3 }; // peak height T*k = 102 of 255

  it('returns picks in ORIGINAL pixels at the particle centres, whatever the working scale', async () => {
    const session = new PickSession('synthetic', micrographWithParticles(560, 540, centres, 30));
    const res = await pickMicrograph(session, models, params);
    // diameter 60 with workingRadius 12 gives scale 3: the map is ceil(560/3) x ceil(540/3).
    expect(res.detection.mapScale).toBe(3);
    expect([res.detection.map.width, res.detection.map.height]).toEqual([187, 180]);
    expect(res.picks).toHaveLength(centres.length);
    for (const c of centres) {
      const nearest = Math.min(...res.picks.map((p) => Math.hypot(p.x - c.x, p.y - c.y)));
      expect(nearest).toBeLessThan(4); // about one working pixel
    }
    for (const p of res.picks) expect(p.score).toBeGreaterThan(0);
  });

  it('re-picks on the kept map without running the detector again', async () => {
    const session = new PickSession('synthetic', micrographWithParticles(560, 540, centres, 30));
    const first = await session.runDetector(models, params);
    expect(first.timings.fcrn).toBeGreaterThanOrEqual(0);
    const again = await session.runDetector(models, { ...params, threshold: 20, sigma: 3 });
    expect(again.timings.fcrn).toBeUndefined();
    expect(again.map).toBe(first.map);
    const loose = await session.repick(models, params);
    const strict = await session.repick(models, { ...params, threshold: 40 });
    expect(strict.picks.length).toBeLessThanOrEqual(loose.picks.length);
    // A new diameter changes the working scale, so the detector runs again.
    const rescaled = await session.runDetector(models, { ...params, diameter: 30 });
    expect(rescaled.timings.fcrn).toBeGreaterThanOrEqual(0);
    expect(rescaled.mapScale).toBe(2);
  });

  it('says whether it keeps a map for these parameters, and keeps none after a cancelled detector run', async () => {
    const session = new PickSession('synthetic', micrographWithParticles(560, 540, centres, 30));
    expect(session.hasDetection(models, params)).toBe(false);
    await session.runDetector(models, params);
    expect(session.hasDetection(models, { ...params, threshold: 20 })).toBe(true);
    const other = { ...params, diameter: 30 };
    expect(session.hasDetection(models, other)).toBe(false);
    const stop = new AbortController();
    const run = session.runDetector(models, other, { signal: stop.signal, onProgress: (stage) => stage === 'detector' && stop.abort() });
    await expect(run).rejects.toThrow();
    // The old map went with the cancelled run: a pick with the old parameters runs the detector again.
    expect(session.hasDetection(models, params)).toBe(false);
    expect(session.hasDetection(models, other)).toBe(false);
  });

  it('a re-pick after other settings returns what a fresh session returns: its caches change nothing', async () => {
    // Many candidates (a low threshold on a noisy field) whose centroids move between settings,
    // and both intensity screens on, so cached patch statistics decide which are kept.
    const mic = micrographWithParticles(560, 540, centres, 30, 9);
    const p: PickParams = { ...params, diameter: 24, threshold: 1, kLevel: 1, minDistance: 0.1, meanPercentile: 30, stdPercentile: 30 };
    const visited = new PickSession('synthetic', mic);
    await visited.runDetector(models, p);
    for (const threshold of [3, 0.5, 2, 5, 1.5, 0.8, 4, 1.2, 0.3]) await visited.repick(models, { ...p, threshold });
    for (const threshold of [1, 2]) {
      const fresh = new PickSession('synthetic', mic);
      await fresh.runDetector(models, p);
      const expected = await fresh.repick(models, { ...p, threshold });
      expect(expected.picks.length).toBeGreaterThan(20);
      expect((await visited.repick(models, { ...p, threshold })).picks).toEqual(expected.picks);
    }
  });

  it('with the classifier too: a re-pick after other thresholds keeps what a fresh session keeps', async () => {
    const mic = micrographWithParticles(560, 540, centres, 30, 9);
    const withClassifier: Models = { ...models, classifier: buildClassifier({ seed: 3 }) };
    const p: PickParams = { ...params, diameter: 24, threshold: 1, kLevel: 1, minDistance: 0.1, useClassifier: true, cutoff: 0.5 };
    const visited = new PickSession('synthetic', mic);
    await visited.runDetector(withClassifier, p);
    for (const threshold of [3, 0.5, 2, 0.8, 1.2]) await visited.repick(withClassifier, { ...p, threshold });
    for (const threshold of [1, 2]) {
      const fresh = new PickSession('synthetic', mic);
      await fresh.runDetector(withClassifier, p);
      const expected = await fresh.repick(withClassifier, { ...p, threshold });
      expect((await visited.repick(withClassifier, { ...p, threshold })).picks.map((c) => c.pClassifier)).toEqual(
        expected.picks.map((c) => c.pClassifier),
      );
    }
  });

  it('reports what calibration did: nothing when the classifier keeps enough, a shift of its scores when it keeps too few', async () => {
    const session = new PickSession('calibrated', micrographWithParticles(560, 540, centres, 30));
    // A noise level under every candidate's output: the detector counts each candidate a particle.
    const meta = { ...META, noiseLevel: -1e9 };
    const reference = PICK_PARAMETERS.cutoff.default;
    const settings = { ...params, useClassifier: true };
    const untrained = buildClassifier({ seed: 3 });
    // An untrained classifier says about 0.5 everywhere: the default cutoff keeps every candidate.
    const even = await pickMicrograph(session, { fcrn: models.fcrn, fcrnMeta: meta, classifier: untrained }, settings);
    expect(even.calibration).toEqual({
      detectorCount: even.all.length,
      referenceCutoff: reference,
      referenceCount: even.all.length,
      adjusted: false,
      shift: 0,
    });
    // The same classifier with its particle output pushed down (p(particle) ~ 1e-5), as on data unlike its training data.
    const low = buildClassifier({ seed: 3 });
    low.setWeights(untrained.getWeights());
    const out = low.getLayer('softmax');
    out.setWeights([out.getWeights()[0], tf.tensor1d([6, -6])]);
    const shy: Models = { fcrn: models.fcrn, fcrnMeta: meta, classifier: low };
    const raw = await pickMicrograph(session, shy, { ...settings, calibrate: false });
    expect(raw.calibration).toBeUndefined();
    expect(raw.picks).toHaveLength(0);
    const n = raw.all.length;
    expect(n).toBeGreaterThan(2);
    const calibrated = await pickMicrograph(session, shy, settings);
    expect(calibrated.calibration).toMatchObject({ detectorCount: n, referenceCount: 0, adjusted: true });
    expect(calibrated.picks).toHaveLength(n);
    calibrated.all.forEach((p, i) => {
      // The classifier's own output stays beside the raised one, and the order is kept.
      expect(p.pClassifier).toBe(raw.all[i].pParticle);
      expect(p.pParticle).toBeGreaterThan(p.pClassifier!);
      expect(p.score).toBe(p.pParticle);
    });
    // The cutoff works on the raised scores, one way: 0 keeps nothing, stricter keeps fewer.
    const counts: number[] = [];
    for (const cutoff of [0, 0.5, 0.8, 0.9, 0.95, 1])
      counts.push((await pickMicrograph(session, shy, { ...settings, cutoff })).picks.length);
    expect(counts[0]).toBe(0);
    counts.slice(1).forEach((c, i) => expect(c).toBeGreaterThanOrEqual(counts[i]));
    // Another cutoff on the candidates already scored gives what picking again gives (the
    // workbench sets a cutoff on many micrographs at once this way); with a screen dropping some too.
    const screened = { ...settings, meanPercentile: 40 };
    const base = await pickMicrograph(session, shy, screened);
    expect(base.all.some((p) => p.screenedOut)).toBe(true);
    for (const cutoff of [0.5, 0.9, 0.95, 1]) {
      const direct = await pickMicrograph(session, shy, { ...screened, cutoff });
      expect(withCutoff(base.all, cutoff, true)).toEqual(direct.all);
    }
    // Candidates the classifier did not judge, or picks that do not say what the screens dropped: picked again.
    expect(withCutoff([{ ...base.all[0], pParticle: undefined, pClassifier: undefined, screenedOut: false }], 0.5, true)).toBeUndefined();
    expect(withCutoff([{ ...base.all[0], screenedOut: undefined }], 0.5, true)).toBeUndefined();
  });

  it('keeps the particles lying wholly inside by default, and follows the edge margin', async () => {
    // Centres 20 px (2/3 of a radius) and 45 px (1.5 radii) from an edge.
    const edge = [{ x: 20, y: 270 }, { x: 280, y: 45 }, ...centres];
    const session = new PickSession('edge', micrographWithParticles(560, 540, edge, 30));
    const near = (picks: { x: number; y: number }[], c: { x: number; y: number }) =>
      picks.some((p) => Math.hypot(p.x - c.x, p.y - c.y) < 6);
    const byDefault = (await pickMicrograph(session, models, params)).picks;
    expect(byDefault.every((p) => p.x >= 30 && p.y >= 30 && p.x <= 529 && p.y <= 509)).toBe(true);
    expect(near(byDefault, edge[0])).toBe(false);
    expect(near(byDefault, edge[1])).toBe(true);
    const all = (await session.repick(models, { ...params, edgeMargin: 0 })).picks.filter((p) => p.kept);
    expect(near(all, edge[0])).toBe(true);
    const strict = (await session.repick(models, { ...params, edgeMargin: 2 })).picks.filter((p) => p.kept);
    expect(near(strict, edge[1])).toBe(false);
    expect(strict.every((p) => p.x >= 60 && p.y >= 60 && p.x <= 499 && p.y <= 479)).toBe(true);
  });

  it('says which diameter a micrograph needs when it is picked at a scale that leaves the particle under one pixel', async () => {
    // 9001 px wide is reduced 6 times (at most 1800 working px): a 10 px particle (the smallest
    // diameter the parameter table allows) would be 1.7 px wide.
    const session = new PickSession('wide', micrographWithParticles(9001, 8, [], 1));
    const err = await session.runDetector(models, { ...params, diameter: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ParameterError);
    expect((err as Error).message).toBe(
      'particle diameter 10 px is too small for a 9001 px wide micrograph, which is picked at 1/6 scale: give at least 12 px',
    );
  });

  it('stops with CancelledError when its signal is aborted', async () => {
    const session = new PickSession('cancel', micrographWithParticles(300, 300, centres.slice(0, 1), 30));
    const controller = new AbortController();
    controller.abort();
    await expect(session.runDetector(models, params, { signal: controller.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});
