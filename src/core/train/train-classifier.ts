// Classifier training (docs/method.md, "Classifier training"): categorical cross-entropy on the softmax
// output (index 0 background, 1 particle), Adam lr 5e-5, batch 8, 5 epochs, 10% validation.
// Class balancing: every epoch the minority class of the training split is oversampled
// (seeded draws with replacement) up to the majority's count. Shuffling, splitting and
// balancing are seeded, and so are the dropout masks (a new seed each step, drawn from the same
// generator), so a run repeats for a seed.
import * as tf from '@tensorflow/tfjs';
import { ParameterError, throwIfAborted } from '../errors';
import { BACKGROUND_CLASS, PARTICLE_CLASS } from '../model/classifier';
import { createRng, shuffleInPlace, type Rng } from '../random';
import { gatherRows, splitTrainValidation, toBatches } from './batches';
import { readScalars, setLearningRate, type TrainingOptions, type TrainingResult } from './train-detector';
import { checkTrainOptions } from './train-options';

export interface ClassifierTrainingData {
  /** n patches (the model's input size, 64x64), one after another, row-major. */
  patches: Float32Array;
  /** 0 = background, 1 = particle. */
  labels: ArrayLike<number>;
  n: number;
}

export interface ClassifierEpochReport {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  samplesPerSecond: number;
  learningRate: number;
}

export interface TrainClassifierOptions extends TrainingOptions<ClassifierEpochReport> {
  /** Oversample the minority class in each epoch (default true). */
  balance: boolean;
}

export const DEFAULT_CLASSIFIER_TRAINING: Readonly<Omit<TrainClassifierOptions, 'signal' | 'onBatch' | 'onEpoch'>> = {
  epochs: 5,
  batchSize: 8,
  learningRate: 5e-5,
  lrDecay: 1,
  validationFraction: 0.1,
  balance: true,
  seed: 1,
};

/** Training order for one epoch: shuffled, the minority class topped up by seeded draws. */
export function balancedOrder(rows: readonly number[], labels: ArrayLike<number>, balance: boolean, rng: Rng): number[] {
  const pos = rows.filter((r) => labels[r] === PARTICLE_CLASS);
  const neg = rows.filter((r) => labels[r] === BACKGROUND_CLASS);
  const order = rows.slice();
  if (balance && pos.length && neg.length) {
    const [minority, deficit] = pos.length < neg.length ? [pos, neg.length - pos.length] : [neg, pos.length - neg.length];
    for (let i = 0; i < deficit; i++) order.push(minority[rng.int(minority.length)]);
  }
  return shuffleInPlace(order, rng);
}

/**
 * Gives every dropout layer of `model` a new seed. Unseeded, tfjs draws dropout masks from its own
 * generator and runs do not repeat; one fixed seed would draw the same mask at every step. The
 * layer's seed is private in tfjs-layers' typings but read at each call (layers/core.js).
 */
function seedDropout(model: tf.LayersModel, seed: number | undefined): void {
  for (const layer of model.layers) if (layer.getClassName() === 'Dropout') (layer as unknown as { seed?: number }).seed = seed;
}

function oneHot(labels: ArrayLike<number>, rows: readonly number[]): tf.Tensor2D {
  return tf.oneHot(
    tf.tensor1d(
      rows.map((r) => labels[r]),
      'int32',
    ),
    2,
  ) as tf.Tensor2D;
}

/** Mean cross-entropy per sample; probabilities clipped so log never sees 0. */
function crossEntropy(yTrue: tf.Tensor, probs: tf.Tensor): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(yTrue, tf.log(tf.clipByValue(probs, 1e-7, 1))), -1))) as tf.Scalar;
}

/** Correct predictions, as a scalar tensor (read asynchronously: WebGPU's synchronous read is slow and fails on some adapters). */
function correct(yTrue: tf.Tensor, probs: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(yTrue, -1), tf.argMax(probs, -1)), 'float32')) as tf.Scalar);
}

async function evaluate(
  model: tf.LayersModel,
  data: ClassifierTrainingData,
  rows: number[],
  batchSize: number,
  side: number,
): Promise<{ loss: number; accuracy: number }> {
  let loss = 0;
  let hits = 0;
  for (const b of toBatches(rows, batchSize)) {
    const [l, h] = await readScalars(
      tf.tidy(() => {
        const x = tf.tensor4d(gatherRows(data.patches, side * side, b), [b.length, side, side, 1]);
        const y = oneHot(data.labels, b);
        const p = model.predict(x) as tf.Tensor;
        return [crossEntropy(y, p), correct(y, p)];
      }),
    );
    loss += l * b.length;
    hits += h;
  }
  return { loss: loss / rows.length, accuracy: hits / rows.length };
}

export async function trainClassifier(
  model: tf.LayersModel,
  data: ClassifierTrainingData,
  options: Partial<TrainClassifierOptions> = {},
): Promise<TrainingResult<ClassifierEpochReport>> {
  const o = { ...DEFAULT_CLASSIFIER_TRAINING, ...options };
  checkTrainOptions(o);
  const side = model.inputs[0].shape[1];
  if (typeof side !== 'number') throw new ParameterError('the classifier model has no fixed patch size');
  const per = side * side;
  if (!(data.n > 0) || data.patches.length !== data.n * per || data.labels.length !== data.n) {
    throw new ParameterError(
      `classifier training data must hold ${data.n} patches of ${side}x${side} and ${data.n} labels: got ${data.patches.length} values and ${data.labels.length} labels`,
    );
  }
  for (let i = 0; i < data.n; i++) {
    if (data.labels[i] !== BACKGROUND_CLASS && data.labels[i] !== PARTICLE_CLASS)
      throw new ParameterError(`label ${i} is ${data.labels[i]}; labels must be 0 (background) or 1 (particle)`);
  }
  const rng = createRng(o.seed);
  const { train, val } = splitTrainValidation(data.n, o.validationFraction, rng);
  const classes = new Set(train.map((r) => data.labels[r]));
  if (classes.size < 2)
    throw new ParameterError('classifier training needs both particle (1) and background (0) examples in the training set');
  const optimizer = tf.train.adam(o.learningRate);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const history: ClassifierEpochReport[] = [];
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const lr = o.learningRate * o.lrDecay ** epoch;
      setLearningRate(optimizer, lr);
      const batches = toBatches(balancedOrder(train, data.labels, o.balance, rng), o.batchSize);
      const t0 = performance.now();
      let lossSum = 0;
      let hits = 0;
      let seen = 0;
      for (let b = 0; b < batches.length; b++) {
        throwIfAborted(o.signal);
        const rows = batches[b];
        seedDropout(model, rng.int(2 ** 31));
        const out = tf.tidy(() => {
          const x = tf.tensor4d(gatherRows(data.patches, per, rows), [rows.length, side, side, 1]);
          const y = oneHot(data.labels, rows);
          let probs: tf.Tensor | undefined;
          const loss = optimizer.minimize(
            () => {
              const p = model.apply(x, { training: true }) as tf.Tensor;
              probs = tf.keep(p);
              return crossEntropy(y, p);
            },
            true,
            vars,
          )!;
          const h = correct(y, probs!);
          probs!.dispose();
          return [loss, h];
        });
        const [loss, h] = await readScalars(out);
        lossSum += loss * rows.length;
        hits += h;
        seen += rows.length;
        o.onBatch?.({ epoch, batch: b, batches: batches.length, loss });
      }
      const seconds = (performance.now() - t0) / 1000;
      const v = val.length ? await evaluate(model, data, val, 64, side) : null;
      const report: ClassifierEpochReport = {
        epoch,
        loss: lossSum / seen,
        accuracy: hits / seen,
        valLoss: v ? v.loss : null,
        valAccuracy: v ? v.accuracy : null,
        samplesPerSecond: seen / seconds,
        learningRate: lr,
      };
      history.push(report);
      o.onEpoch?.(report);
    }
  } finally {
    optimizer.dispose();
    seedDropout(model, undefined);
  }
  return { history };
}
