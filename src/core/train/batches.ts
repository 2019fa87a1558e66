// Training patches: square patches of an image (and of its label map) centred on given
// centres, plus optional random background patches and seeded dihedral augmentation
// (flips and 90-degree rotations). Patches that reach past the image edge are, by default,
// filled by REFLECTION (mirror without repeating the edge pixel, numpy's 'reflect'); with
// border: 'skip' they are left out and `used` says which centres made it; with border: 'shift'
// the patch is moved inside the image, its centre off the patch's middle (left out only when
// the image is smaller than a patch).
import { ParameterError } from '../errors';
import type { Image2D } from '../image';
import { createRng, shuffleInPlace, type Rng } from '../random';
import type { Centre } from './labels';

export type BorderMode = 'reflect' | 'skip' | 'shift';

export interface PatchOptions {
  /** Output patch side in pixels (default 64). */
  size?: number;
  /** Side of the image region sampled, resampled bilinearly to `size` (default = size, no resampling). */
  sourceSize?: number;
  border?: BorderMode;
}

export interface PatchSet {
  /** n patches of size x size, one after another, row-major. */
  data: Float32Array;
  n: number;
  size: number;
  /** Index into the centres of each patch kept (all of them with 'reflect'). */
  used: number[];
}

/** Mirror an index into [0, n) without repeating the edge sample. */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

/** A centre moved just far enough that its patch (from c - half) lies inside. */
function clampCentre(c: number, lo: number, hi: number): number {
  return Math.round(c) < lo ? lo : Math.round(c) > hi ? hi : c;
}

function checkSize(size: number, what: string): void {
  if (!Number.isInteger(size) || size < 1) throw new ParameterError(`${what} must be a positive whole number of pixels, got ${size}`);
}

/**
 * Patches centred on `centres`. Without resampling, the centre pixel round(c) lands at index
 * floor(size/2) of the patch (the 33rd pixel of a 64 patch).
 */
export function extractPatches(img: Image2D, centres: readonly Centre[], opts: PatchOptions = {}): PatchSet {
  const size = opts.size ?? 64;
  const src = opts.sourceSize ?? size;
  checkSize(size, 'patch size');
  checkSize(src, 'patch source size');
  const border = opts.border ?? 'reflect';
  const { width: W, height: H, data } = img;
  const per = size * size;
  const out = new Float32Array(centres.length * per);
  const used: number[] = [];
  const half = Math.floor(src / 2);
  for (let c = 0; c < centres.length; c++) {
    let { x: cx, y: cy } = centres[c];
    if (border === 'shift') {
      if (W < src || H < src) continue;
      cx = clampCentre(cx, half, W - src + half);
      cy = clampCentre(cy, half, H - src + half);
    }
    const rx = Math.round(cx);
    const ry = Math.round(cy);
    if (border === 'skip' && (rx - half < 0 || ry - half < 0 || rx - half + src > W || ry - half + src > H)) continue;
    const dst = out.subarray(used.length * per, (used.length + 1) * per);
    if (src === size) {
      for (let y = 0; y < size; y++) {
        const sy = reflectIndex(ry - half + y, H) * W;
        for (let x = 0; x < size; x++) dst[y * size + x] = data[sy + reflectIndex(rx - half + x, W)];
      }
    } else {
      const step = src / size;
      for (let y = 0; y < size; y++) {
        const fy = cy - src / 2 + (y + 0.5) * step - 0.5;
        const y0 = Math.floor(fy);
        const wy = fy - y0;
        const ya = reflectIndex(y0, H) * W;
        const yb = reflectIndex(y0 + 1, H) * W;
        for (let x = 0; x < size; x++) {
          const fx = cx - src / 2 + (x + 0.5) * step - 0.5;
          const x0 = Math.floor(fx);
          const wx = fx - x0;
          const xa = reflectIndex(x0, W);
          const xb = reflectIndex(x0 + 1, W);
          dst[y * size + x] =
            (1 - wy) * ((1 - wx) * data[ya + xa] + wx * data[ya + xb]) + wy * ((1 - wx) * data[yb + xa] + wx * data[yb + xb]);
        }
      }
    }
    used.push(c);
  }
  return { data: used.length === centres.length ? out : out.slice(0, used.length * per), n: used.length, size, used };
}

/**
 * One of the 8 symmetries of the square applied to a size x size patch, in place of a copy:
 * t & 3 = number of 90-degree rotations, t >= 4 = mirrored left-right first.
 */
export function dihedral(patch: Float32Array, size: number, t: number): Float32Array {
  const out = new Float32Array(size * size);
  const n = size - 1;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let sx = t >= 4 ? n - x : x;
      let sy = y;
      for (let r = 0; r < (t & 3); r++) {
        const tx = sx;
        sx = sy;
        sy = n - tx;
      }
      out[y * size + x] = patch[sy * size + sx];
    }
  }
  return out;
}

/** Uniform random centres whose patches lie inside the image and keep `minDistance` from every given centre. */
export function randomBackgroundCentres(
  width: number,
  height: number,
  avoid: readonly Centre[],
  count: number,
  size: number,
  minDistance: number,
  rng: Rng,
): Centre[] {
  const half = Math.floor(size / 2);
  const out: Centre[] = [];
  if (width < size || height < size) return out;
  const min2 = minDistance * minDistance;
  for (let attempt = 0; attempt < count * 50 && out.length < count; attempt++) {
    const x = half + rng.int(width - size + 1);
    const y = half + rng.int(height - size + 1);
    if (avoid.every((c) => (c.x - x) ** 2 + (c.y - y) ** 2 >= min2)) out.push({ x, y });
  }
  return out;
}

export interface DetectorSampleOptions {
  size?: number;
  border?: BorderMode;
  /** Extra patches at random places away from every centre (default 0). */
  backgroundCount?: number;
  /** Minimum distance of a background patch centre from any particle centre (default size/2). */
  minBackgroundDistance?: number;
  /** Apply a random flip/rotation to each patch (image and label alike). Default false. */
  augment?: boolean;
  /** Per-pixel loss weights of the image (detector-crops.ts detectorWeightMap), cut like the labels. */
  weights?: Image2D;
  seed: number;
}

export interface DetectorSamples {
  inputs: Float32Array;
  labels: Float32Array;
  /** Per-pixel loss weights, same layout (absent: every pixel counts fully). */
  weights?: Float32Array;
  n: number;
  size: number;
}

/** Image and label patches for FCRN training, in the layout trainDetector takes. */
export function sampleDetectorPatches(
  image: Image2D,
  labels: Image2D,
  centres: readonly Centre[],
  opts: DetectorSampleOptions,
): DetectorSamples {
  if (image.width !== labels.width || image.height !== labels.height) {
    throw new ParameterError(`label map is ${labels.width}x${labels.height} but the image is ${image.width}x${image.height}`);
  }
  const size = opts.size ?? 64;
  const rng = createRng(opts.seed);
  const background = randomBackgroundCentres(
    image.width,
    image.height,
    centres,
    opts.backgroundCount ?? 0,
    size,
    opts.minBackgroundDistance ?? size / 2,
    rng,
  );
  const all = [...centres, ...background];
  const po: PatchOptions = { size, border: opts.border };
  const x = extractPatches(image, all, po);
  const y = extractPatches(labels, all, po);
  const w = opts.weights && extractPatches(opts.weights, all, po);
  if (opts.augment) {
    const per = size * size;
    for (let i = 0; i < x.n; i++) {
      const t = rng.int(8);
      for (const set of w ? [x, y, w] : [x, y]) set.data.set(dihedral(set.data.subarray(i * per, (i + 1) * per), size, t), i * per);
    }
  }
  return { inputs: x.data, labels: y.data, weights: w?.data, n: x.n, size };
}

/** Seeded split of sample indices 0..n-1 into training and validation sets. */
export function splitTrainValidation(n: number, validationFraction: number, rng: Rng): { train: number[]; val: number[] } {
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new ParameterError(`validation fraction must be in [0, 1), got ${validationFraction}`);
  }
  const idx = Array.from({ length: n }, (_, i) => i);
  shuffleInPlace(idx, rng);
  // At least one validation sample when a fraction is asked for, but never all of them.
  const nVal = validationFraction > 0 && n > 1 ? Math.min(n - 1, Math.max(1, Math.round(n * validationFraction))) : 0;
  return { val: idx.slice(0, nVal), train: idx.slice(nVal) };
}

/** Rows `indices` (each `per` values long) of `data`, gathered into one contiguous array. */
export function gatherRows(data: Float32Array, per: number, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * per);
  indices.forEach((r, i) => out.set(data.subarray(r * per, (r + 1) * per), i * per));
  return out;
}

/** Consecutive batches of `batchSize` (the last may be shorter). */
export function toBatches<T>(items: readonly T[], batchSize: number): T[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new ParameterError(`batch size must be a positive whole number, got ${batchSize}`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += batchSize) out.push(items.slice(i, i + batchSize));
  return out;
}
