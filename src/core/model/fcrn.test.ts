import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { buildFcrn, FCRN_FLOPS_PER_PIXEL } from './fcrn';

describe('buildFcrn', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('has the paper architecture and ~26k weights', () => {
    const m = buildFcrn();
    expect(m.inputs[0].shape).toEqual([null, null, null, 1]);
    expect(m.countParams()).toBe(2624 + 9248 + 7200 + 7200 + 289);
    const kernels = m.layers.filter((l) => l.getClassName() === 'Conv2D').map((l) => (l.getWeights()[0].shape as number[]).slice(0, 2));
    expect(kernels).toEqual([
      [9, 9],
      [3, 3],
      [1, 7],
      [7, 1],
      [3, 3],
    ]);
    // 2 FLOP per multiply-add, weights excluding biases.
    const macs = m.layers.filter((l) => l.getClassName() === 'Conv2D').reduce((s, l) => s + l.getWeights()[0].size, 0);
    expect(2 * macs).toBe(FCRN_FLOPS_PER_PIXEL);
    m.dispose();
  });

  it.each([
    [17, 23],
    [32, 32],
    [1, 5],
  ])('output has the input size %ix%i', (h, w) => {
    const m = buildFcrn();
    const y = tf.tidy(() => m.predict(tf.zeros([2, h, w, 1])) as tf.Tensor);
    expect(y.shape).toEqual([2, h, w, 1]);
    y.dispose();
    m.dispose();
  });

  it('is repeatable for a seed and differs between seeds', () => {
    const w = (seed: number) => {
      const m = buildFcrn({ seed });
      const d = Array.from(m.getWeights()[2].dataSync());
      m.dispose();
      return d;
    };
    expect(w(7)).toEqual(w(7));
    expect(w(7)).not.toEqual(w(8));
  });
});
