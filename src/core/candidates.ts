// Steps 6-7 and the patch extraction of step 8 (docs/method.md), at WORKING scale: drop candidates whose box
// leaves the image, screen them on their patch intensity statistics, and cut the boxes
// around the survivors, resampled to 64x64 for the classifier.
// Coordinates are working-pixel indices (pixel i's centre at i), as peaks.ts returns them.
import { ParameterError } from './errors';
import { checkPickParams, type ScreenParams } from './params';
import type { Image2D } from './image';
import { sampleBoxBilinear } from './preprocess/downsample';
import { percentiles } from './preprocess/percentile';

export interface Point {
  x: number;
  y: number;
}

/** Distance from p to the nearest of `others` (Infinity when there are none). */
export function nearestDistance(p: Point, others: readonly Point[]): number {
  let best = Infinity;
  for (const t of others) best = Math.min(best, Math.hypot(p.x - t.x, p.y - t.y));
  return best;
}

export const CLASSIFIER_PATCH_SIZE = 64;

/**
 * Side of the classifier's input box, in particle radii. Departure from the paper's 2r box (the
 * particle alone): a 4r box shows the particle with a ring of its surroundings, which is what
 * tells a particle from a grain of ice, a carbon edge or a contamination rim. Measured with
 * the same detector, training set and epochs, on simulated dev micrographs of held-out kinds,
 * the ROC AUC of near-truth against far-from-truth candidates: 2r 0.48-0.88 by condition,
 * 4r 0.80-1.00. Each classifier's metadata records the box it was trained with (boxRadii).
 */
export const CLASSIFIER_BOX_RADII = 4;

function checkRadius(radius: number): void {
  if (!Number.isFinite(radius) || radius <= 0)
    throw new ParameterError(`particle radius must be a positive number of pixels, got ${radius}`);
}

/** Half-side of the box that must stay inside: r (the 2r box) plus an r/2 margin. */
export function borderMargin(radius: number): number {
  return radius + radius / 2;
}

/** The paper's border drop (docs/method.md, step 6): keep candidates whose 2r box plus r/2 margin lies inside the width x height image. Picking now uses the user's edge margin; the DoG baseline and the held-out scoring band keep this rule. */
export function dropBorderPicks<T extends Point>(peaks: readonly T[], width: number, height: number, radius: number): T[] {
  checkRadius(radius);
  const m = borderMargin(radius);
  return peaks.filter((p) => p.x - m >= 0 && p.y - m >= 0 && p.x + m <= width - 1 && p.y + m <= height - 1);
}

/**
 * The edge margin (a pick parameter): whether a centre lies at least `margin` pixels inside each
 * edge of a width x height image (original pixels). One particle radius keeps the particles
 * lying wholly inside, whose boxes RELION would otherwise extract across the edge.
 */
export function insideEdgeMargin(x: number, y: number, width: number, height: number, margin: number): boolean {
  return x >= margin && y >= margin && x <= width - 1 - margin && y <= height - 1 - margin;
}

/**
 * Of candidates closer than `minDistance` (working px), keeps the highest: candidates are taken
 * in order of decreasing `height` and each is kept when no kept one lies within the distance.
 * The result keeps the input order. A grid of cells at least minDistance wide makes it linear in practice.
 */
export function suppressNeighbours<T extends Point>(cands: readonly T[], height: (c: T) => number, minDistance: number): T[] {
  if (!(minDistance > 0) || cands.length === 0) return cands.slice();
  const n = cands.length;
  const h = Float64Array.from(cands, height);
  // Peaks arrive highest first; the stable sort would leave that order as it is, so it is skipped.
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = h[i - 1] >= h[i];
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  if (!sorted) order.sort((a, b) => h[b] - h[a] || a - b);
  // Kept candidates in square cells, as linked lists in typed arrays (no per-cell arrays). Any side
  // of at least minDistance keeps the 3x3 search exact; a larger one bounds the grid near n cells
  // when minDistance is small.
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const c of cands) {
    x0 = Math.min(x0, c.x);
    y0 = Math.min(y0, c.y);
    x1 = Math.max(x1, c.x);
    y1 = Math.max(y1, c.y);
  }
  const side = Math.max(minDistance, Math.sqrt(((x1 - x0) * (y1 - y0)) / n), (x1 - x0 + (y1 - y0)) / n);
  const cols = Math.floor((x1 - x0) / side) + 1;
  const rows = Math.floor((y1 - y0) / side) + 1;
  const head = new Int32Array(cols * rows).fill(-1);
  const next = new Int32Array(n);
  const keep = new Uint8Array(n);
  const d2 = minDistance * minDistance;
  for (const i of order) {
    const { x, y } = cands[i];
    const cx = Math.floor((x - x0) / side);
    const cy = Math.floor((y - y0) / side);
    let free = true;
    for (let gy = Math.max(0, cy - 1); gy <= Math.min(rows - 1, cy + 1) && free; gy++) {
      for (let gx = Math.max(0, cx - 1); gx <= Math.min(cols - 1, cx + 1) && free; gx++) {
        for (let k = head[gy * cols + gx]; k >= 0; k = next[k]) {
          if ((cands[k].x - x) ** 2 + (cands[k].y - y) ** 2 < d2) {
            free = false;
            break;
          }
        }
      }
    }
    if (!free) continue;
    keep[i] = 1;
    const cell = cy * cols + cx;
    next[i] = head[cell];
    head[cell] = i;
  }
  return cands.filter((_, i) => keep[i]);
}

export interface PatchStats {
  mean: number;
  std: number;
}

/**
 * Mean and (population) std of the 2r x 2r box centred on (x, y): columns
 * round(x) - r .. round(x) + r - 1 (likewise rows), clipped to the image.
 */
export function patchStats(img: Image2D, x: number, y: number, radius: number): PatchStats {
  checkRadius(radius);
  const r = Math.round(radius);
  const { width: w, height: h, data } = img;
  const x0 = Math.max(0, Math.round(x) - r);
  const x1 = Math.min(w, Math.round(x) + r);
  const y0 = Math.max(0, Math.round(y) - r);
  const y1 = Math.min(h, Math.round(y) + r);
  let n = 0;
  let s = 0;
  let s2 = 0;
  for (let yy = y0; yy < y1; yy++) {
    const o = yy * w;
    for (let xx = x0; xx < x1; xx++) {
      const v = data[o + xx];
      s += v;
      s2 += v * v;
    }
    n += Math.max(0, x1 - x0);
  }
  if (n === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(0, s2 / n - mean * mean)) };
}

const SCREEN_KEYS = ['meanPercentile', 'stdPercentile'] as const;

export interface ScreenResult<T> {
  kept: T[];
  /** Per candidate: passed both screens. */
  keep: boolean[];
  /** The cut-offs used (-Infinity when that screen is off). */
  meanThreshold: number;
  stdThreshold: number;
}

/** Intensity screens (docs/method.md, step 7): keep candidates above the chosen percentiles of patch mean and patch std. */
export function intensityScreen<T>(cands: readonly T[], stats: readonly PatchStats[], opts: ScreenParams): ScreenResult<T> {
  if (cands.length !== stats.length)
    throw new ParameterError(`intensity screen got ${cands.length} candidates but ${stats.length} patch statistics`);
  checkPickParams(opts, SCREEN_KEYS);
  const cut = (p: number, values: number[]): number => (p > 0 && values.length ? percentiles(values, [p])[0] : -Infinity);
  const meanThreshold = cut(
    opts.meanPercentile,
    stats.map((s) => s.mean),
  );
  const stdThreshold = cut(
    opts.stdPercentile,
    stats.map((s) => s.std),
  );
  const keep = stats.map((s) => s.mean >= meanThreshold && s.std >= stdThreshold);
  return { kept: cands.filter((_, i) => keep[i]), keep, meanThreshold, stdThreshold };
}

/**
 * N patches of size x size (row-major, one after another: a [N, size, size, 1] tensor's data),
 * each the box of side boxRadii * r centred on a centre, resampled bilinearly. Centre (x, y)
 * is a pixel index, so the box spans [x + 0.5 - side/2, x + 0.5 + side/2) in edge units;
 * samples beyond the image repeat the edge pixel.
 */
export function extractPatches(
  img: Image2D,
  centres: readonly Point[],
  radius: number,
  boxRadii = CLASSIFIER_BOX_RADII,
  size = CLASSIFIER_PATCH_SIZE,
): Float32Array {
  checkRadius(radius);
  if (!Number.isInteger(size) || size < 1) throw new ParameterError(`patch size must be a whole number >= 1, got ${size}`);
  if (img.width < 1 || img.height < 1) throw new ParameterError('cannot cut patches from an empty image');
  const per = size * size;
  const out = new Float32Array(centres.length * per);
  if (!(boxRadii > 0)) throw new ParameterError(`patch box must be a positive number of radii, got ${boxRadii}`);
  const side = boxRadii * radius;
  for (let i = 0; i < centres.length; i++) {
    const { x, y } = centres[i];
    sampleBoxBilinear(img, x + 0.5 - side / 2, y + 0.5 - side / 2, side, side, out, i * per, size, size);
  }
  return out;
}
