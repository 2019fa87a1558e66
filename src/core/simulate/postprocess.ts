// What happens to a micrograph after the microscope, before a picker sees it: shared data sets
// are often low-pass filtered, denoised, contrast-equalised, squashed by a non-linear display
// curve or quantised to 8 bits (PNG/JPEG exports). Training on simulated images put through
// these makes the networks indifferent to them. Each step maps an image to a new one.
import { ParameterError } from '../errors';
import { createImage, type Image2D } from '../image';
import { gaussianBlur } from '../preprocess/gaussian';
import { percentiles } from '../preprocess/percentile';
import type { Rng } from '../random';

export type PostStep =
  /** Gaussian low-pass of this sigma, original pixels. */
  | { kind: 'lowpass'; sigma: number }
  /** Removes smooth background: the image minus its Gaussian blur of this sigma (a high-pass). */
  | { kind: 'highpass'; sigma: number }
  /** Median of the 3x3 neighbourhood, `passes` times: a crude edge-keeping denoiser. */
  | { kind: 'median'; passes: number }
  /** Global histogram equalisation to `levels` grey levels. */
  | { kind: 'equalise'; levels: number }
  /** Percentiles lo..hi to [0, 1], clipped, then v^gamma: a display curve. */
  | { kind: 'curve'; lo: number; hi: number; gamma: number }
  /** Percentiles lo..hi to 0..255, clipped and rounded: an 8-bit export. */
  | { kind: 'quantise8'; lo: number; hi: number };

function copy(img: Image2D): Image2D {
  return createImage(img.width, img.height, img.data.slice());
}

function median3x3(img: Image2D): Image2D {
  const { width: w, height: h, data } = img;
  const out = createImage(w, h);
  const win = new Float32Array(9);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = Math.min(h - 1, Math.max(0, y + dy));
        for (let dx = -1; dx <= 1; dx++) win[n++] = data[yy * w + Math.min(w - 1, Math.max(0, x + dx))];
      }
      win.sort();
      out.data[y * w + x] = win[4];
    }
  }
  return out;
}

function equalise(img: Image2D, levels: number): Image2D {
  const n = img.data.length;
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const d = img.data;
  order.sort((a, b) => d[a] - d[b]);
  const out = createImage(img.width, img.height);
  // Rank -> level; equal values share the level of their first rank so flat areas stay flat.
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && d[order[end]] === d[order[start]]) end++;
    const level = Math.floor((start / n) * levels);
    for (let i = start; i < end; i++) out.data[order[i]] = level;
    start = end;
  }
  return out;
}

function stretch(img: Image2D, lo: number, hi: number): { a: number; k: number } {
  const [a, b] = percentiles(img.data, [lo, hi]);
  return { a, k: b > a ? 1 / (b - a) : 0 };
}

export function applyPostStep(img: Image2D, step: PostStep): Image2D {
  switch (step.kind) {
    case 'lowpass':
      return step.sigma > 0 ? gaussianBlur(img, step.sigma) : copy(img);
    case 'highpass': {
      const bg = gaussianBlur(img, step.sigma);
      const out = createImage(img.width, img.height);
      for (let i = 0; i < out.data.length; i++) out.data[i] = img.data[i] - bg.data[i];
      return out;
    }
    case 'median': {
      let out = img;
      for (let p = 0; p < step.passes; p++) out = median3x3(out);
      return out === img ? copy(img) : out;
    }
    case 'equalise':
      return equalise(img, step.levels);
    case 'curve': {
      const { a, k } = stretch(img, step.lo, step.hi);
      const out = createImage(img.width, img.height);
      for (let i = 0; i < out.data.length; i++) {
        const v = Math.min(1, Math.max(0, (img.data[i] - a) * k));
        out.data[i] = v ** step.gamma;
      }
      return out;
    }
    case 'quantise8': {
      const { a, k } = stretch(img, step.lo, step.hi);
      const out = createImage(img.width, img.height);
      for (let i = 0; i < out.data.length; i++) out.data[i] = Math.round(Math.min(255, Math.max(0, (img.data[i] - a) * k * 255)));
      return out;
    }
  }
}

export function applyPostSteps(img: Image2D, steps: readonly PostStep[]): Image2D {
  return steps.reduce(applyPostStep, img);
}

/**
 * A random chain for training: each step is drawn independently, so most images get none or
 * one or two. `particleRadius` (original pixels) bounds the low-pass so particles survive.
 */
export function randomPostSteps(rng: Rng, particleRadius: number): PostStep[] {
  if (!(particleRadius > 0)) throw new ParameterError(`particle radius must be positive, got ${particleRadius}`);
  const steps: PostStep[] = [];
  if (rng.next() < 0.3) steps.push({ kind: 'lowpass', sigma: rng.uniform(0.5, Math.max(0.6, particleRadius / 5)) });
  if (rng.next() < 0.15) steps.push({ kind: 'median', passes: 1 + rng.int(2) });
  if (rng.next() < 0.1) steps.push({ kind: 'highpass', sigma: rng.uniform(3, 8) * particleRadius });
  const u = rng.next();
  if (u < 0.12) steps.push({ kind: 'equalise', levels: 256 });
  else if (u < 0.3) steps.push({ kind: 'curve', lo: rng.uniform(0, 2), hi: rng.uniform(98, 100), gamma: Math.exp(rng.uniform(-0.6, 0.6)) });
  if (rng.next() < 0.3) steps.push({ kind: 'quantise8', lo: rng.uniform(0, 3), hi: rng.uniform(97, 100) });
  return steps;
}
