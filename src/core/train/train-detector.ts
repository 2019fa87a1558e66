// FCRN training (docs/method.md, "Detector labels and training"): MSE between the network's map and the disk
// labels, Adam, learning rate x lrDecay after every epoch (paper: 1e-3, x0.1, batch 16,
// ~7 epochs). Shuffling and batching are ours and seeded, so a run repeats for a seed on the
// same backend. Works on wasm through grad-kernels.ts and on cpu/webgpu natively.
import * as tf from '@tensorflow/tfjs';
import { ParameterError, throwIfAborted } from '../errors';
import { createRng, shuffleInPlace } from '../random';
import { gatherRows, splitTrainValidation, toBatches } from './batches';
import { checkTrainOptions } from './train-options';

export interface DetectorTrainingData {
  /** n input patches of size x size, one after another, row-major. */
  inputs: Float32Array;
  /** n label patches, same layout (detectorLabelMap values). */
  labels: Float32Array;
  /**
   * Optional per-pixel loss weights, same layout: 0 leaves a pixel out of the loss, 1 counts it
   * fully. Positive-unlabelled training weighs places nobody labelled below labelled ones.
   */
  weights?: Float32Array;
  n: number;
  size: number;
}

export interface BatchReport {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
}

export interface DetectorEpochReport {
  epoch: number;
  loss: number;
  /** null when there is no validation set. */
  valLoss: number | null;
  samplesPerSecond: number;
  learningRate: number;
}

/** What both networks' training takes; E is the network's report after each epoch. */
export interface TrainingOptions<E> {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Factor applied to the learning rate after each epoch. */
  lrDecay: number;
  validationFraction: number;
  seed: number;
  signal?: AbortSignal;
  onBatch?: (b: BatchReport) => void;
  onEpoch?: (e: E) => void;
}

export interface TrainDetectorOptions extends TrainingOptions<DetectorEpochReport> {
  /** At most this many training samples per epoch, drawn anew each epoch (default: all of them). */
  samplesPerEpoch?: number;
}

export const DEFAULT_DETECTOR_TRAINING: Readonly<Omit<TrainDetectorOptions, 'signal' | 'onBatch' | 'onEpoch'>> = {
  epochs: 7,
  batchSize: 16,
  learningRate: 1e-3,
  lrDecay: 0.1,
  validationFraction: 0.1,
  seed: 1,
};

export interface TrainingResult<E> {
  history: E[];
}

/** Adam's learning rate is a plain field read on every step; tfjs only declares it protected. */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

/**
 * Reads scalar tensors asynchronously and frees them. Training never reads synchronously:
 * WebGPU's dataSync goes through a canvas, is slow, and fails on some adapters (SwiftShader).
 */
export async function readScalars(ts: readonly tf.Tensor[]): Promise<number[]> {
  try {
    return await Promise.all(ts.map(async (t) => (await t.data())[0]));
  } finally {
    tf.dispose(ts as tf.Tensor[]);
  }
}

/** Like readScalars, for small vectors. */
async function readVectors(ts: readonly tf.Tensor[]): Promise<Float32Array[]> {
  try {
    return await Promise.all(ts.map(async (t) => (await t.data()) as Float32Array));
  } finally {
    tf.dispose(ts as tf.Tensor[]);
  }
}

/** Mean squared error, each pixel's term times its weight, over the sum of the weights (plain MSE without weights). */
function weightedMse(y: tf.Tensor, pred: tf.Tensor, w?: tf.Tensor): tf.Scalar {
  if (!w) return tf.losses.meanSquaredError(y, pred) as tf.Scalar;
  return tf.div(tf.sum(tf.mul(w, tf.squaredDifference(pred, y))), tf.maximum(tf.sum(w), 1e-6)) as tf.Scalar;
}

/** Mean squared error of the model on the given rows, in inference mode, batched. */
async function meanSquaredError(model: tf.LayersModel, data: DetectorTrainingData, rows: number[], batchSize: number): Promise<number> {
  const per = data.size * data.size;
  let sum = 0;
  let weight = 0;
  for (const b of toBatches(rows, batchSize)) {
    const [s] = await readVectors([
      tf.tidy(() => {
        const shape: [number, number, number, number] = [b.length, data.size, data.size, 1];
        const pred = model.predict(tf.tensor4d(gatherRows(data.inputs, per, b), shape)) as tf.Tensor;
        const sq = tf.squaredDifference(pred, tf.tensor4d(gatherRows(data.labels, per, b), shape));
        if (!data.weights) return tf.stack([tf.sum(sq), tf.scalar(b.length * per)]);
        const w = tf.tensor4d(gatherRows(data.weights, per, b), shape);
        return tf.stack([tf.sum(tf.mul(w, sq)), tf.sum(w)]);
      }),
    ]);
    sum += s[0];
    weight += s[1];
  }
  return sum / Math.max(weight, 1e-6);
}

export async function trainDetector(
  model: tf.LayersModel,
  data: DetectorTrainingData,
  options: Partial<TrainDetectorOptions> = {},
): Promise<TrainingResult<DetectorEpochReport>> {
  const o = { ...DEFAULT_DETECTOR_TRAINING, ...options };
  checkTrainOptions(o);
  if (o.samplesPerEpoch !== undefined && !(Number.isInteger(o.samplesPerEpoch) && o.samplesPerEpoch >= 1))
    throw new ParameterError(`samples per epoch must be a positive whole number, got ${o.samplesPerEpoch}`);
  const per = data.size * data.size;
  if (
    !(data.n > 0) ||
    data.inputs.length !== data.n * per ||
    data.labels.length !== data.n * per ||
    (data.weights && data.weights.length !== data.n * per)
  ) {
    throw new ParameterError(
      `training data must hold ${data.n} patches of ${data.size}x${data.size}: got ${data.inputs.length} input and ${data.labels.length} label values`,
    );
  }
  const rng = createRng(o.seed);
  const { train, val } = splitTrainValidation(data.n, o.validationFraction, rng);
  const optimizer = tf.train.adam(o.learningRate);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const history: DetectorEpochReport[] = [];
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const lr = o.learningRate * o.lrDecay ** epoch;
      setLearningRate(optimizer, lr);
      const order = shuffleInPlace(train.slice(), rng).slice(0, o.samplesPerEpoch ?? train.length);
      const batches = toBatches(order, o.batchSize);
      const t0 = performance.now();
      let lossSum = 0;
      for (let b = 0; b < batches.length; b++) {
        throwIfAborted(o.signal);
        const rows = batches[b];
        const shape: [number, number, number, number] = [rows.length, data.size, data.size, 1];
        const lossT = tf.tidy(() => {
          const x = tf.tensor4d(gatherRows(data.inputs, per, rows), shape);
          const y = tf.tensor4d(gatherRows(data.labels, per, rows), shape);
          const w = data.weights ? tf.tensor4d(gatherRows(data.weights, per, rows), shape) : undefined;
          return optimizer.minimize(() => weightedMse(y, model.apply(x, { training: true }) as tf.Tensor, w), true, vars) as tf.Scalar;
        });
        const [loss] = await readScalars([lossT]);
        lossSum += loss * rows.length;
        o.onBatch?.({ epoch, batch: b, batches: batches.length, loss });
      }
      const seconds = (performance.now() - t0) / 1000;
      const report: DetectorEpochReport = {
        epoch,
        loss: lossSum / order.length,
        valLoss: val.length ? await meanSquaredError(model, data, val, o.batchSize) : null,
        samplesPerSecond: order.length / seconds,
        learningRate: lr,
      };
      history.push(report);
      o.onEpoch?.(report);
    }
  } finally {
    optimizer.dispose();
  }
  return { history };
}
