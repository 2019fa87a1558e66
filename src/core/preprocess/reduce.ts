// What detection needs from the full-resolution micrograph, and nothing more: its area
// downsample at the working scale and its value range. Both can be gathered from bands of rows,
// so a file can be streamed through (io/mrc-stream.ts) instead of being held whole: on a
// 4096x4096 float32 micrograph that is 64 MiB never resident.
import { ParameterError } from '../errors';
import type { Image2D } from '../image';
import { AreaDownsampler } from './downsample';

export interface ValueRange {
  min: number;
  max: number;
  /** False when any value is NaN or infinite. */
  finite: boolean;
}

/** Min and max; `finite` is false when any value is NaN or infinite. */
export function valueRange(data: Float32Array): ValueRange {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0; // NaN or Infinity anywhere makes the sum non-finite: one check instead of n
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max, finite: Number.isFinite(sum) };
}

/** The micrograph at the working scale: area-downsampled values, and the original's range. */
export interface ReducedImage {
  image: Image2D;
  range: ValueRange;
}

/** Anything a PickSession can read its pixels from: a decoded image or a streamed file. */
export interface PixelSource {
  readonly width: number;
  readonly height: number;
  reduce(scale: number, signal?: AbortSignal): Promise<ReducedImage>;
}

/** Gathers a ReducedImage from bands of whole rows (see AreaDownsampler for the band rule). */
export class Reducer {
  private readonly down: AreaDownsampler;
  private range: ValueRange = { min: Infinity, max: -Infinity, finite: true };

  constructor(width: number, height: number, scale: number) {
    if (!Number.isInteger(scale) || scale < 1) throw new ParameterError(`working scale must be a whole number >= 1, got ${scale}`);
    this.down = new AreaDownsampler(width, height, scale);
  }

  addRows(band: Float32Array): void {
    const r = valueRange(band);
    this.range = { min: Math.min(this.range.min, r.min), max: Math.max(this.range.max, r.max), finite: this.range.finite && r.finite };
    this.down.addRows(band);
  }

  result(): ReducedImage {
    return { image: this.down.result(), range: this.range };
  }
}

/** reduce() of an image already in memory: one band. */
export function reduceImage(img: Image2D, scale: number): ReducedImage {
  const r = new Reducer(img.width, img.height, scale);
  r.addRows(img.data);
  return r.result();
}
