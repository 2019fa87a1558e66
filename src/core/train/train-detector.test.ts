import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, ParameterError } from '../errors';
import { createImage } from '../image';
import { buildFcrn } from '../model/fcrn';
import { initBackend } from '../model/backend';
import { createRng } from '../random';
import { detectorLabelMap } from './labels';
import { trainDetector, type DetectorTrainingData } from './train-detector';

const SIZE = 32;
const RADIUS = 4; // label disk radius 4

/** n noisy patches, each with one bright disk of radius 5 at a random place, and its labels. */
function toyData(n: number, seed: number, SIZE = 32): DetectorTrainingData & { centres: { x: number; y: number }[] } {
  const rng = createRng(seed);
  const per = SIZE * SIZE;
  const inputs = new Float32Array(n * per);
  const labels = new Float32Array(n * per);
  const centres = [];
  for (let i = 0; i < n; i++) {
    const c = { x: 8 + rng.int(SIZE - 16), y: 8 + rng.int(SIZE - 16) };
    centres.push(c);
    const img = createImage(SIZE, SIZE);
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) img.data[y * SIZE + x] = (Math.hypot(x - c.x, y - c.y) <= 5 ? 1 : 0) + 0.1 * rng.normal();
    }
    inputs.set(img.data, i * per);
    labels.set(detectorLabelMap(SIZE, SIZE, [c], RADIUS).data, i * per);
  }
  return { inputs, labels, n, size: SIZE, centres };
}

function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

describe('trainDetector', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('learns to put peaks on bright disks (wasm), with validation loss, and repeats for a seed', async () => {
    const data = toyData(10, 1);
    const model = buildFcrn({ seed: 1 });
    const initial = model.getWeights().map((w) => w.clone());
    const before = tf.memory().numTensors;
    const epochs: number[] = [];
    const { history } = await trainDetector(model, data, {
      epochs: 15,
      batchSize: 4,
      learningRate: 2e-3,
      lrDecay: 1,
      validationFraction: 0.2,
      seed: 3,
      onEpoch: (e) => epochs.push(e.epoch),
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(epochs).toEqual(Array.from({ length: 15 }, (_, i) => i));
    const first = history[0];
    const last = history[history.length - 1];
    expect(last.loss).toBeLessThan(0.3 * first.loss);
    expect(last.valLoss).not.toBeNull();
    expect(last.valLoss!).toBeLessThan(first.valLoss!);
    expect(last.samplesPerSecond).toBeGreaterThan(0);

    // On fresh examples, the map's maximum lies on the disk.
    const test = toyData(4, 99);
    const pred = tf.tidy(() => (model.predict(tf.tensor4d(test.inputs, [4, SIZE, SIZE, 1])) as tf.Tensor).dataSync());
    for (let i = 0; i < 4; i++) {
      const k = argmax(pred.subarray(i * SIZE * SIZE, (i + 1) * SIZE * SIZE));
      const [x, y] = [k % SIZE, Math.floor(k / SIZE)];
      expect(Math.hypot(x - test.centres[i].x, y - test.centres[i].y)).toBeLessThanOrEqual(2);
    }

    // Same seed, same start, same backend: the same losses.
    model.setWeights(initial);
    const again = await trainDetector(model, data, {
      epochs: 2,
      batchSize: 4,
      learningRate: 2e-3,
      lrDecay: 1,
      validationFraction: 0.2,
      seed: 3,
    });
    expect(again.history.map((h) => h.loss)).toEqual(history.slice(0, 2).map((h) => h.loss));
    tf.dispose(initial);
    model.dispose();
  });

  it('wasm training (our Conv2DBackpropFilter) follows cpu training', async () => {
    // Tiny (16x16, 2 steps): the cpu backend's conv gradients are slow.
    const data = toyData(2, 5, 16);
    const run = async (backend: string) => {
      await tf.setBackend(backend);
      const m = buildFcrn({ seed: 4 });
      const r = await trainDetector(m, data, { epochs: 2, batchSize: 2, learningRate: 1e-3, validationFraction: 0, seed: 2 });
      const w = m.getWeights()[0].dataSync().slice();
      m.dispose();
      return { losses: r.history.map((h) => h.loss), w };
    };
    const cpu = await run('cpu');
    const wasm = await run('wasm');
    for (let i = 0; i < 2; i++) expect(wasm.losses[i]).toBeCloseTo(cpu.losses[i], 3);
    let maxDiff = 0;
    for (let i = 0; i < cpu.w.length; i++) maxDiff = Math.max(maxDiff, Math.abs(cpu.w[i] - wasm.w[i]));
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('cancels between batches with CancelledError', async () => {
    const model = buildFcrn();
    const ctrl = new AbortController();
    const run = trainDetector(model, toyData(8, 2), {
      epochs: 3,
      batchSize: 2,
      validationFraction: 0,
      seed: 1,
      signal: ctrl.signal,
      onBatch: (b) => b.batch === 1 && ctrl.abort(),
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    model.dispose();
  });

  it('trains on at most samplesPerEpoch samples per epoch', async () => {
    const model = buildFcrn();
    const d = toyData(12, 3);
    const batches: number[] = [];
    const r = await trainDetector(model, d, {
      epochs: 2,
      batchSize: 2,
      validationFraction: 0,
      samplesPerEpoch: 4,
      seed: 1,
      onBatch: (b) => batches.push(b.batches),
    });
    expect(r.history).toHaveLength(2);
    expect(batches).toEqual([2, 2, 2, 2]); // 4 of the 12 per epoch, in batches of 2
    model.dispose();
    await expect(trainDetector(buildFcrn(), d, { samplesPerEpoch: 0 })).rejects.toBeInstanceOf(ParameterError);
  });

  it('rejects data of the wrong size', async () => {
    const d = toyData(2, 1);
    await expect(trainDetector(buildFcrn(), { ...d, n: 3 })).rejects.toBeInstanceOf(ParameterError);
  });
});
