import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, ParameterError } from '../errors';
import { initBackend } from '../model/backend';
import { buildClassifier } from '../model/classifier';
import { classifyPatches } from '../model/inference';
import { createRng } from '../random';
import { balancedOrder, trainClassifier } from './train-classifier';

/** Particles: a bright disk of radius 12 on noise. Background: noise only. 1 in 3 is a particle. */
function toyPatches(n: number, seed: number): { patches: Float32Array; labels: Uint8Array; n: number } {
  const rng = createRng(seed);
  const patches = new Float32Array(n * 64 * 64);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 3 === 0 ? 1 : 0;
    const cx = 32 + rng.int(5) - 2;
    const cy = 32 + rng.int(5) - 2;
    for (let y = 0; y < 64; y++) {
      for (let x = 0; x < 64; x++) {
        const disk = labels[i] && Math.hypot(x - cx, y - cy) <= 12 ? 1 : 0;
        patches[i * 4096 + y * 64 + x] = disk + 0.3 * rng.normal();
      }
    }
  }
  return { patches, labels, n };
}

describe('trainClassifier', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('balances classes by oversampling the minority, seeded', () => {
    const labels = [1, 0, 0, 0, 0, 1, 0];
    const rows = [0, 1, 2, 3, 4, 5, 6];
    const order = balancedOrder(rows, labels, true, createRng(1));
    expect(order.filter((r) => labels[r] === 1).length).toBe(5);
    expect(order.filter((r) => labels[r] === 0).length).toBe(5);
    expect(balancedOrder(rows, labels, true, createRng(1))).toEqual(order);
    expect(balancedOrder(rows, labels, false, createRng(1)).length).toBe(7);
  });

  it('learns particle vs background on wasm, reporting loss and accuracy', async () => {
    const data = toyPatches(30, 1);
    const model = buildClassifier({ seed: 1 });
    const before = tf.memory().numTensors;
    const { history } = await trainClassifier(model, data, { epochs: 4, learningRate: 1e-3, seed: 2 });
    expect(tf.memory().numTensors).toBe(before);
    const last = history[history.length - 1];
    expect(last.loss).toBeLessThan(history[0].loss);
    expect(last.accuracy).toBeGreaterThan(0.85);
    expect(last.valAccuracy).not.toBeNull();
    const test = toyPatches(12, 7);
    const p = await classifyPatches(model, test.patches, test.n);
    let right = 0;
    for (let i = 0; i < test.n; i++) if ((p[i] > 0.5 ? 1 : 0) === test.labels[i]) right++;
    expect(right / test.n).toBeGreaterThanOrEqual(0.9);
    model.dispose();
  });

  it('repeats for a seed, dropout masks included, and leaves the dropout layer unseeded', async () => {
    const data = toyPatches(24, 4);
    const weightsAfter = async (seed: number) => {
      const model = buildClassifier({ seed: 1 });
      await trainClassifier(model, data, { epochs: 1, learningRate: 1e-3, seed });
      const values = model.getWeights().map((w) => Array.from(w.dataSync()));
      expect(model.getLayer('dropout').getConfig().seed).toBeUndefined();
      model.dispose();
      return values;
    };
    const first = await weightsAfter(2);
    expect(await weightsAfter(2)).toEqual(first);
    expect(await weightsAfter(3)).not.toEqual(first);
  });

  it('cancels with CancelledError and refuses one-class data', async () => {
    const model = buildClassifier();
    const data = toyPatches(12, 3);
    const ctrl = new AbortController();
    ctrl.abort();
    await expect(trainClassifier(model, data, { signal: ctrl.signal })).rejects.toBeInstanceOf(CancelledError);
    await expect(trainClassifier(model, { ...data, labels: new Uint8Array(12) })).rejects.toBeInstanceOf(ParameterError);
    await expect(trainClassifier(model, { ...data, labels: new Uint8Array(12).fill(2) })).rejects.toThrow(/must be 0/);
    model.dispose();
  });
});
