import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../random';
import { initBackend } from './backend';

function randomArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.normal();
  return a;
}

interface Case {
  k: [number, number];
  pad: 'same' | 'valid';
  stride: number;
  size: [number, number];
}

/** dLoss/dW and dLoss/dX of sum(conv2d(x, w) * g) on the current backend. */
async function convGrads(c: Case, ci: number, co: number): Promise<{ dw: Float32Array; dx: Float32Array }> {
  const [fh, fw] = c.k;
  const [h, w] = c.size;
  const x = tf.tensor4d(randomArray(2 * h * w * ci, 1), [2, h, w, ci]);
  const filt = tf.tensor4d(randomArray(fh * fw * ci * co, 2), [fh, fw, ci, co]);
  const outShape = tf.tidy(() => tf.conv2d(x, filt, c.stride, c.pad).shape);
  const g = tf.tensor(
    randomArray(
      outShape.reduce((a, b) => a * b, 1),
      3,
    ),
    outShape,
  );
  const grads = tf.grads((xx: tf.Tensor, ff: tf.Tensor) =>
    tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.stride, c.pad), g)),
  );
  const [dx, dw] = grads([x, filt]);
  const out = { dw: (await dw.data()) as Float32Array, dx: (await dx.data()) as Float32Array };
  tf.dispose([x, filt, g, dx, dw]);
  return out;
}

function maxRelError(a: Float32Array, b: Float32Array): number {
  let maxAbs = 0;
  for (const v of b) maxAbs = Math.max(maxAbs, Math.abs(v));
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]) / maxAbs);
  return err;
}

const cases: Case[] = [];
for (const k of [
  [9, 9],
  [3, 3],
  [1, 7],
  [7, 1],
  [11, 11],
] as [number, number][]) {
  for (const pad of ['same', 'valid'] as const) {
    for (const stride of [1, 2]) cases.push({ k, pad, stride, size: [15, 14] });
  }
}

describe('wasm Conv2DBackpropFilter', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it.each(cases)('matches cpu for kernel $k, $pad, stride $stride', async (c) => {
    await tf.setBackend('cpu');
    const ref = await convGrads(c, 3, 4);
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const got = await convGrads(c, 3, 4);
    expect(tf.memory().numTensors).toBe(before);
    expect(got.dw.length).toBe(ref.dw.length);
    expect(maxRelError(got.dw, ref.dw)).toBeLessThan(1e-4);
    expect(maxRelError(got.dx, ref.dx)).toBeLessThan(1e-4);
  });

  it('leaves the wasm forward conv untouched (same as cpu)', async () => {
    const x = randomArray(1 * 12 * 13 * 2, 5);
    const f = randomArray(3 * 3 * 2 * 3, 6);
    const run = async () => {
      const y = tf.conv2d(tf.tensor4d(x, [1, 12, 13, 2]), tf.tensor4d(f, [3, 3, 2, 3]), 1, 'same');
      const d = (await y.data()) as Float32Array;
      y.dispose();
      return d;
    };
    await tf.setBackend('cpu');
    const ref = await run();
    await tf.setBackend('wasm');
    expect(maxRelError(await run(), ref)).toBeLessThan(1e-5);
  });
});
