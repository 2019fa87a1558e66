import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './backend';
import { buildClassifier } from './classifier';

describe('buildClassifier', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('takes 64x64 patches, gives 2 probabilities, and its weights are under 2 MB', () => {
    const m = buildClassifier();
    expect(m.inputs[0].shape).toEqual([null, 64, 64, 1]);
    expect(m.outputs[0].shape).toEqual([null, 2]);
    const bytes = m.getWeights().reduce((s, w) => s + w.size * 4, 0);
    expect(bytes).toBeLessThan(2 * 1024 * 1024);
    // dense 128 on 4x4x64 after four stride-2 pools
    expect(m.getLayer('fc128').getWeights()[0].shape).toEqual([1024, 128]);
    const p = tf.tidy(() => m.predict(tf.randomNormal([3, 64, 64, 1])) as tf.Tensor);
    const sums = tf.tidy(() => p.sum(1).arraySync() as number[]);
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
    p.dispose();
    m.dispose();
  });
});
