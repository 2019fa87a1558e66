// Reading what relion_preprocess --extract wrote, with our own MRC reader: the particle
// stacks (.mrcs) and where the particle sits in the mean of a stack.
import { readFileSync } from 'node:fs';
import type { Image2D } from '../../../src/core/image';
import { toArrayBuffer } from '../../../src/core/io/micrograph';
import { readMrc, readMrcHeader } from '../../../src/core/io/mrc';
import { gaussianBlur } from '../../../src/core/preprocess/gaussian';
import { percentile } from '../../../src/core/preprocess/percentile';

export interface StackMean {
  /** Pixel-wise mean of all boxes. */
  mean: Image2D;
  /** Number of boxes (sections) in the stack. */
  count: number;
}

/** Mean of every box in an MRC stack (our reader averages the sections of a stack). */
export function readStackMean(file: string): StackMean {
  const buffer = toArrayBuffer(readFileSync(file));
  const header = readMrcHeader(buffer, file);
  return { mean: readMrc(buffer, file).image, count: header.nz };
}

/** Pixel-wise mean of several equally sized mean images, weighted by their box counts. */
export function pooledMean(parts: StackMean[]): StackMean {
  const count = parts.reduce((s, p) => s + p.count, 0);
  const { width, height } = parts[0].mean;
  const data = new Float32Array(width * height);
  for (const p of parts) for (let i = 0; i < data.length; i++) data[i] += (p.mean.data[i] * p.count) / count;
  return { mean: { width, height, data }, count };
}

/**
 * Offset (pixels) of the particle from the box centre in a mean box: the centroid of what
 * stands above the median after smoothing at `sigma`. RELION cuts a box of side B with the
 * pick at pixel (B/2, B/2), so a centred particle (bright after --invert_contrast) gives an
 * offset near (0, 0); particles cut off-centre move it towards where they sit.
 */
export function blobOffset(mean: Image2D, sigma: number): { dx: number; dy: number } {
  const smooth = gaussianBlur(mean, sigma);
  const level = percentile(smooth.data, 50);
  let sx = 0;
  let sy = 0;
  let sw = 0;
  for (let i = 0; i < smooth.data.length; i++) {
    const w = Math.max(0, smooth.data[i] - level);
    sx += w * (i % mean.width);
    sy += w * Math.floor(i / mean.width);
    sw += w;
  }
  if (!(sw > 0)) throw new Error('the mean box is flat: nothing stands above its median');
  return { dx: sx / sw - Math.floor(mean.width / 2), dy: sy / sw - Math.floor(mean.height / 2) };
}
