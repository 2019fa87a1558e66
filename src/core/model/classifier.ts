// Stage 2 of DRPnet: the particle/background classifier on 64x64 patches (docs/method.md,
// step 8). Output index 0 = background, index 1 = particle (softmax probabilities).
// Departure from the paper: the pools have stride 2, not 1. The receptive field is the same
// but the dense layer shrinks from ~25M to ~131k weights (~0.7 MB file instead of ~100 MB).
import * as tf from '@tensorflow/tfjs';
import { CLASSIFIER_PATCH_SIZE } from '../candidates';

export const BACKGROUND_CLASS = 0;
export const PARTICLE_CLASS = 1;

export interface ClassifierOptions {
  /** Seed of the weight initialisers (default 1). Training seeds the dropout masks (train-classifier.ts). */
  seed?: number;
  /** Dropout rate before the dense layers (paper: 0.5). */
  dropout?: number;
  /** Batch-norm moving-average momentum (tfjs default 0.99). */
  batchNormMomentum?: number;
}

export function buildClassifier(opts: ClassifierOptions = {}): tf.LayersModel {
  const seed = opts.seed ?? 1;
  let layer = 0;
  const init = () => tf.initializers.glorotUniform({ seed: seed * 1000 + layer++ });
  const input = tf.input({ shape: [CLASSIFIER_PATCH_SIZE, CLASSIFIER_PATCH_SIZE, 1], name: 'patch' });
  let x: tf.SymbolicTensor = input;
  const blocks: [number, number][] = [
    [11, 16],
    [7, 16],
    [5, 32],
    [3, 64],
  ];
  blocks.forEach(([k, filters], i) => {
    // No conv bias: the batch-norm's beta that follows plays that role.
    x = tf.layers
      .conv2d({ filters, kernelSize: k, padding: 'same', useBias: false, kernelInitializer: init(), name: `conv${i + 1}_${k}x${k}` })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ momentum: opts.batchNormMomentum ?? 0.99, name: `bn${i + 1}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.reLU({ name: `relu${i + 1}` }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${i + 1}` }).apply(x) as tf.SymbolicTensor;
  });
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dropout({ rate: opts.dropout ?? 0.5, name: 'dropout' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(), name: 'fc128' }).apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 2, activation: 'softmax', kernelInitializer: init(), name: 'softmax' })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'drpnet_classifier' });
}
