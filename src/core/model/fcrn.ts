// Stage 1 of DRPnet: the fully convolutional regression network (FCRN). Architecture from
// Nguyen et al. 2021 (docs/method.md, step 4): any input size, 'same' padding throughout,
// output a map of the input's size whose local maxima are particle centres.
import * as tf from '@tensorflow/tfjs';

export interface FcrnOptions {
  /** Seed of the weight initialisers (default 1); the same seed gives the same weights. */
  seed?: number;
}

/** Multiply-adds x2 per output pixel: 2 * (81*32 + 9*32*32 + 7*32*32 + 7*32*32 + 9*32) = 52,864. */
export const FCRN_FLOPS_PER_PIXEL = 52_864;

/**
 * Receptive-field radius in pixels: 4 (9x9) + 1 (3x3) + 3 (1x7 or 7x1) + 1 (2x2 pool, bottom/right
 * only) + 1 (3x3) = 10. A tile halo of at least this makes tiled inference exact.
 */
export const FCRN_RECEPTIVE_RADIUS = 10;

export function buildFcrn(opts: FcrnOptions = {}): tf.LayersModel {
  const seed = opts.seed ?? 1;
  let layer = 0;
  // Each layer gets its own seed so layers with equal shapes do not get equal weights.
  const init = () => tf.initializers.glorotUniform({ seed: seed * 1000 + layer++ });
  const conv = (kernelSize: [number, number], filters: number, activation: 'relu' | 'linear', name: string) =>
    tf.layers.conv2d({ filters, kernelSize, padding: 'same', activation, kernelInitializer: init(), biasInitializer: 'zeros', name });
  const input = tf.input({ shape: [null, null, 1], name: 'micrograph' });
  let x = conv([9, 9], 32, 'relu', 'conv9x9').apply(input) as tf.SymbolicTensor;
  x = conv([3, 3], 32, 'relu', 'conv3x3').apply(x) as tf.SymbolicTensor;
  x = conv([1, 7], 32, 'relu', 'conv1x7').apply(x) as tf.SymbolicTensor;
  x = conv([7, 1], 32, 'relu', 'conv7x1').apply(x) as tf.SymbolicTensor;
  // 2x2 stride-1 'same' pooling: TF/tfjs put the single padding row/column at bottom/right,
  // as the paper's MATLAB maxPooling2dLayer with 'Padding','same' does.
  x = tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'same', name: 'pool2x2' }).apply(x) as tf.SymbolicTensor;
  const out = conv([3, 3], 1, 'linear', 'regression').apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'drpnet_fcrn' });
}
