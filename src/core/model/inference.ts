// Running the two networks on images: the FCRN tiled with a halo (bounded memory, exact
// result), the classifier in batches. Every tensor is disposed; both check the AbortSignal
// between tiles/batches and throw CancelledError.
import * as tf from '@tensorflow/tfjs';
import { DrpnetError, throwIfAborted } from '../errors';
import { createImage, type Image2D } from '../image';
import { PARTICLE_CLASS } from './classifier';
import { FCRN_RECEPTIVE_RADIUS } from './fcrn';

export interface FcrnRunOptions {
  /**
   * Core tile side in pixels (default 128); each tile is run with a halo around it. Measured
   * on wasm in Node, 1365x1365: tile 128 -> 17.8 GFLOP/s, wasm heap 30 MB; tile 256 ->
   * 20 GFLOP/s, wasm heap 107-128 MB (the heap never shrinks, so memory wins the default).
   */
  tile?: number;
  /** Halo in pixels (default and minimum: the receptive-field radius, 10), which makes the result exact. */
  halo?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export interface Tile {
  /** Core region [x0, x1) x [y0, y1) whose output this tile provides. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Input region including the halo, clipped to the image. */
  ix0: number;
  iy0: number;
  ix1: number;
  iy1: number;
}

export function planTiles(width: number, height: number, tile: number, halo: number): Tile[] {
  const tiles: Tile[] = [];
  for (let y0 = 0; y0 < height; y0 += tile) {
    for (let x0 = 0; x0 < width; x0 += tile) {
      const x1 = Math.min(width, x0 + tile);
      const y1 = Math.min(height, y0 + tile);
      tiles.push({
        x0,
        y0,
        x1,
        y1,
        ix0: Math.max(0, x0 - halo),
        iy0: Math.max(0, y0 - halo),
        ix1: Math.min(width, x1 + halo),
        iy1: Math.min(height, y1 + halo),
      });
    }
  }
  return tiles;
}

function cropRegion(img: Image2D, x0: number, y0: number, x1: number, y1: number): Float32Array {
  const w = x1 - x0;
  const out = new Float32Array(w * (y1 - y0));
  for (let y = y0; y < y1; y++) out.set(img.data.subarray(y * img.width + x0, y * img.width + x1), (y - y0) * w);
  return out;
}

/** FCRN map of the same size as `img` (working scale). Tiled so memory stays bounded. */
export async function runFcrn(model: tf.LayersModel, img: Image2D, opts: FcrnRunOptions = {}): Promise<Image2D> {
  const tile = Math.floor(opts.tile ?? 128);
  const halo = Math.floor(opts.halo ?? FCRN_RECEPTIVE_RADIUS);
  if (img.width < 1 || img.height < 1)
    throw new DrpnetError('bad-dimensions', `cannot run the detector on a ${img.width}x${img.height} image`);
  if (!(tile >= 16)) throw new DrpnetError('bad-parameter', `tile size must be at least 16 pixels, got ${opts.tile}`);
  if (!(halo >= FCRN_RECEPTIVE_RADIUS)) {
    throw new DrpnetError(
      'bad-parameter',
      `tile halo must be at least the network's receptive radius (${FCRN_RECEPTIVE_RADIUS} px), got ${opts.halo}`,
    );
  }
  const out = createImage(img.width, img.height);
  const tiles = planTiles(img.width, img.height, tile, halo);
  for (let t = 0; t < tiles.length; t++) {
    throwIfAborted(opts.signal);
    const tl = tiles[t];
    const w = tl.ix1 - tl.ix0;
    const h = tl.iy1 - tl.iy0;
    const input = cropRegion(img, tl.ix0, tl.iy0, tl.ix1, tl.iy1);
    const y = tf.tidy(() => model.predict(tf.tensor4d(input, [1, h, w, 1])) as tf.Tensor);
    let map: Float32Array;
    try {
      map = (await y.data()) as Float32Array;
    } finally {
      y.dispose();
    }
    const cw = tl.x1 - tl.x0;
    for (let yy = tl.y0; yy < tl.y1; yy++) {
      const src = (yy - tl.iy0) * w + (tl.x0 - tl.ix0);
      out.data.set(map.subarray(src, src + cw), yy * img.width + tl.x0);
    }
    opts.onProgress?.((t + 1) / tiles.length);
  }
  return out;
}

export interface ClassifyOptions {
  /** Patches per forward pass (default 64). */
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/**
 * p(particle) (softmax output index 1) for `n` patches stored one after another, each
 * size x size (the model's input size, 64), row-major.
 */
export async function classifyPatches(
  model: tf.LayersModel,
  patches: Float32Array,
  n: number,
  opts: ClassifyOptions = {},
): Promise<Float32Array> {
  const shape = model.inputs[0].shape;
  const ph = shape[1];
  const pw = shape[2];
  if (typeof ph !== 'number' || typeof pw !== 'number')
    throw new DrpnetError('model-error', 'the classifier model has no fixed patch size');
  const per = ph * pw;
  if (!Number.isInteger(n) || n < 0 || patches.length !== n * per) {
    throw new DrpnetError('bad-parameter', `expected ${n} patches of ${pw}x${ph} (${n * per} values), got ${patches.length} values`);
  }
  const batch = Math.max(1, Math.floor(opts.batchSize ?? 64));
  const result = new Float32Array(n);
  for (let start = 0; start < n; start += batch) {
    throwIfAborted(opts.signal);
    const b = Math.min(batch, n - start);
    const p = tf.tidy(() => {
      const x = tf.tensor4d(patches.subarray(start * per, (start + b) * per), [b, ph, pw, 1]);
      const probs = model.predict(x) as tf.Tensor2D;
      return probs.slice([0, PARTICLE_CLASS], [b, 1]);
    });
    try {
      result.set((await p.data()) as Float32Array, start);
    } finally {
      p.dispose();
    }
    opts.onProgress?.(Math.min(1, (start + b) / n));
  }
  return result;
}
