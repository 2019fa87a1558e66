import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, DrpnetError } from '../errors';
import { createImage, type Image2D } from '../image';
import { createRng } from '../random';
import { initBackend } from './backend';
import { buildClassifier } from './classifier';
import { buildFcrn } from './fcrn';
import { classifyPatches, planTiles, runFcrn } from './inference';

function noiseImage(w: number, h: number, seed: number): Image2D {
  const rng = createRng(seed);
  const img = createImage(w, h);
  for (let i = 0; i < img.data.length; i++) img.data[i] = rng.next();
  return img;
}

function untiled(model: tf.LayersModel, img: Image2D): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor4d(img.data, [1, img.height, img.width, 1])) as tf.Tensor).dataSync() as Float32Array);
}

describe('runFcrn', () => {
  let model: tf.LayersModel;
  beforeAll(async () => {
    await initBackend('wasm');
    model = buildFcrn({ seed: 3 });
  });

  it.each([
    [61, 47],
    [64, 80],
  ])('tiled output equals untiled for %ix%i (odd and even sizes)', async (w, h) => {
    const img = noiseImage(w, h, w * h);
    const before = tf.memory().numTensors;
    const fractions: number[] = [];
    const map = await runFcrn(model, img, { tile: 20, halo: 10, onProgress: (f) => fractions.push(f) });
    expect(tf.memory().numTensors).toBe(before);
    expect([map.width, map.height]).toEqual([w, h]);
    const ref = untiled(model, img);
    let maxErr = 0;
    let maxRef = 0;
    for (let i = 0; i < ref.length; i++) {
      maxErr = Math.max(maxErr, Math.abs(ref[i] - map.data[i]));
      maxRef = Math.max(maxRef, Math.abs(ref[i]));
    }
    expect(maxErr / maxRef).toBeLessThan(1e-4);
    expect(fractions.length).toBe(planTiles(w, h, 20, 10).length);
    expect(fractions[fractions.length - 1]).toBe(1);
  });

  it('a halo below the receptive field is refused', async () => {
    await expect(runFcrn(model, noiseImage(30, 30, 1), { halo: 4 })).rejects.toBeInstanceOf(DrpnetError);
  });

  it('stops with CancelledError when aborted, and leaks nothing', async () => {
    const ctrl = new AbortController();
    const before = tf.memory().numTensors;
    const run = runFcrn(model, noiseImage(90, 90, 2), {
      tile: 16,
      halo: 10,
      signal: ctrl.signal,
      onProgress: (f) => {
        if (f > 0.2) ctrl.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('classifyPatches', () => {
  it('returns p(particle) per patch, the same in batches as at once', async () => {
    await initBackend('wasm');
    const m = buildClassifier({ seed: 2 });
    const n = 5;
    const patches = noiseImage(64 * 64, n, 9).data;
    const before = tf.memory().numTensors;
    const p = await classifyPatches(m, patches, n, { batchSize: 2 });
    expect(tf.memory().numTensors).toBe(before);
    const ref = tf.tidy(() => (m.predict(tf.tensor4d(patches, [n, 64, 64, 1])) as tf.Tensor).arraySync() as number[][]);
    for (let i = 0; i < n; i++) {
      expect(p[i]).toBeGreaterThanOrEqual(0);
      expect(p[i]).toBeLessThanOrEqual(1);
      expect(p[i]).toBeCloseTo(ref[i][1], 5);
    }
    await expect(classifyPatches(m, patches, n + 1)).rejects.toBeInstanceOf(DrpnetError);
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(classifyPatches(m, patches, n, { signal: ctrl.signal })).rejects.toBeInstanceOf(CancelledError);
    m.dispose();
  });
});
