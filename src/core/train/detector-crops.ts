// Detector training data cut from whole working images, for fine-tuning on a few micrographs:
// overlapping crops that together cover each image, each in a few random flips/rotations, with
// a per-pixel loss weight. Particle-centred patches (batches.ts) see each particle's
// surroundings many times over; crops see every pixel about equally, background included.
//
// Weights (positive-unlabelled learning): inside the disk of a labelled particle or of a
// rejected pick the loss counts fully; anywhere else nobody said what is there, so it counts
// with `unlabelledWeight` (1 when the labels are known to be complete). Topaz makes the same
// distinction with its PU objective; a weight is the simplest form of it for a regression.
import { ParameterError } from '../errors';
import { createImage, type Image2D } from '../image';
import { createRng } from '../random';
import { dihedral, extractPatches } from './batches';
import type { DetectorSamples } from './batches';
import { labelDiskRadius, type Centre } from './labels';

export interface WeightedDetectorSamples extends DetectorSamples {
  weights: Float32Array;
}

/** Loss weights: 1 within the label disk of any positive or negative, `unlabelled` elsewhere. */
export function detectorWeightMap(width: number, height: number, labelled: readonly Centre[], radius: number, unlabelled: number): Image2D {
  if (!(unlabelled >= 0 && unlabelled <= 1))
    throw new ParameterError(`the weight of unlabelled places must be in [0, 1], got ${unlabelled}`);
  const w = createImage(width, height);
  w.data.fill(unlabelled);
  const R = Math.max(1, labelDiskRadius(radius));
  for (const c of labelled) {
    for (let y = Math.max(0, Math.ceil(c.y - R)); y <= Math.min(height - 1, Math.floor(c.y + R)); y++) {
      for (let x = Math.max(0, Math.ceil(c.x - R)); x <= Math.min(width - 1, Math.floor(c.x + R)); x++) {
        if ((x - c.x) ** 2 + (y - c.y) ** 2 <= R * R) w.data[y * width + x] = 1;
      }
    }
  }
  return w;
}

export interface CropSpec {
  /** Crop side, working pixels (default 96). */
  size?: number;
  /** Step between crop origins (default 3/4 of the side: neighbours overlap). */
  stride?: number;
  /** Randomly flipped/rotated copies of each crop (default 2). */
  copies?: number;
  seed: number;
}

/** Top-left corners along one side: evenly spaced, the last crop flush with the far edge. */
function origins(length: number, size: number, stride: number): number[] {
  if (length <= size) return [0];
  const n = Math.ceil((length - size) / stride) + 1;
  return Array.from({ length: n }, (_, i) => Math.round((i * (length - size)) / (n - 1)));
}

/** Crops of image, labels and weights (all the same size), each in `copies` random symmetries. */
export function detectorCrops(input: Image2D, labels: Image2D, weights: Image2D, spec: CropSpec): WeightedDetectorSamples {
  for (const m of [labels, weights]) {
    if (m.width !== input.width || m.height !== input.height)
      throw new ParameterError(`label or weight map is ${m.width}x${m.height} but the image is ${input.width}x${input.height}`);
  }
  const size = spec.size ?? 96;
  const stride = spec.stride ?? Math.round((size * 3) / 4);
  const copies = spec.copies ?? 2;
  if (!(Number.isInteger(size) && size >= 8 && Number.isInteger(stride) && stride >= 1 && Number.isInteger(copies) && copies >= 1)) {
    throw new ParameterError(`crops need whole sizes (side >= 8, stride >= 1, copies >= 1), got ${size}, ${stride}, ${copies}`);
  }
  const centres: Centre[] = [];
  // Crops are cut by centre: patch pixel floor(size/2) sits on the centre pixel (batches.ts).
  for (const y0 of origins(input.height, size, stride))
    for (const x0 of origins(input.width, size, stride)) centres.push({ x: x0 + Math.floor(size / 2), y: y0 + Math.floor(size / 2) });
  const rng = createRng(spec.seed);
  const per = size * size;
  const n = centres.length * copies;
  const out = { inputs: new Float32Array(n * per), labels: new Float32Array(n * per), weights: new Float32Array(n * per), n, size };
  // Reflection fills a crop larger than the image, labels and weights mirrored with it.
  const cut = (img: Image2D) => extractPatches(img, centres, { size, border: 'reflect' }).data;
  const [xs, ys, ws] = [cut(input), cut(labels), cut(weights)];
  for (let c = 0; c < centres.length; c++) {
    for (let k = 0; k < copies; k++) {
      const t = k === 0 && copies > 1 ? 0 : rng.int(8);
      const i = c * copies + k;
      const src = (a: Float32Array) => a.subarray(c * per, (c + 1) * per);
      out.inputs.set(dihedral(src(xs), size, t), i * per);
      out.labels.set(dihedral(src(ys), size, t), i * per);
      out.weights.set(dihedral(src(ws), size, t), i * per);
    }
  }
  return out;
}
