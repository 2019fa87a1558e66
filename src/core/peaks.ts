// The peak search (docs/method.md, step 5): particle centres from the detector map. The map is
// normalised to [0,255], smoothed (sigma 2, then the user's sigma: two Gaussians compose to one
// of sqrt(2^2 + sigma^2), so we blur once), and its EXTENDED MAXIMA of height h = threshold *
// kLevel are found (MATLAB imextendedmax semantics, 8-connectivity): the regional maxima of the
// h-maxima transform HMAX_h(f) = reconstruction by dilation of (f - h) under f. Each connected
// region gives one centre, its centroid.
//
// Reconstruction: L. Vincent, "Morphological grayscale reconstruction in image analysis:
// applications and efficient algorithms", IEEE Trans. Image Processing 2(2) 176-201 (1993),
// section V.C "hybrid" algorithm (one raster scan, one anti-raster scan, then a FIFO queue).
//
// Speed: PeakFinder keeps the normalised map, the last blurred one and its regional maxima
// ("leaves"), so a sigma change redoes one blur and one scan, and a threshold or k change
// only the search below. That search uses the equivalent definition: a region is an extended
// maximum iff it is the 8-connected component C of {f >= M - h} around a regional maximum of
// height M and max_C f = M (then HMAX_h = M - h on C and < M - h around it). Each leaf floods
// its component breadth-first, stopping at the first pixel higher than M, so the work is
// about the area of the caps; if it ever exceeds a few image sizes (pathological maps) the
// search falls back to the full reconstruction, which tests check it agrees with.
// Images are stored with a 1-pixel border of -Infinity, so the hot loops need no bounds checks.
import { ParameterError } from './errors';
import type { Image2D } from './image';
import { createImage } from './image';
import { checkPickParams, type PeakParams } from './params';
import { gaussianBlur } from './preprocess/gaussian';

export const PEAK_PRESMOOTH_SIGMA = 2;
export const PEAK_MAP_MAX = 255;

export interface Peak {
  /** Centroid of the maximum region, working pixels (pixel i's centre at i). */
  x: number;
  y: number;
  /** Highest smoothed map value in the region, on the 0..1 scale of the normalised map. */
  height: number;
  /** Pixels in the region. */
  area: number;
}

/** Working buffers for one map size, reused across searches (no allocation per search). */
class PaddedBuffers {
  readonly W: number;
  readonly f: Float32Array; // mask: the smoothed map
  readonly g: Float32Array; // marker, becomes HMAX_h(f)
  readonly label: Uint8Array; // visited flags of the regional-maxima search
  readonly stack: Int32Array;
  queue: Int32Array;
  /** Per pixel: id of the last flood that visited it / the last search that claimed it. */
  readonly visited: Int32Array;
  readonly claimed: Int32Array;
  floodId = 0;
  searchId = 0;

  constructor(
    readonly w: number,
    readonly h: number,
  ) {
    this.W = w + 2;
    const n = this.W * (h + 2);
    this.f = new Float32Array(n).fill(-Infinity);
    this.g = new Float32Array(n).fill(-Infinity);
    this.label = new Uint8Array(n);
    this.stack = new Int32Array(w * h);
    this.queue = new Int32Array(Math.max(1024, w + h));
    this.visited = new Int32Array(n);
    this.claimed = new Int32Array(n);
  }

  /** Copy an unpadded w x h array into the interior of f. */
  setMask(src: Float32Array): void {
    const { w, h, W, f } = this;
    for (let y = 0; y < h; y++) f.set(src.subarray(y * w, y * w + w), (y + 1) * W + 1);
  }
}

/** Circular FIFO of pixel indices that doubles when full. */
function growQueue(q: Int32Array, head: number, count: number): Int32Array {
  const bigger = new Int32Array(q.length * 2);
  for (let i = 0; i < count; i++) bigger[i] = q[(head + i) % q.length];
  return bigger;
}

/**
 * In-place reconstruction by dilation of marker g under mask f (g <= f), 8-connectivity, on
 * padded buffers whose border is -Infinity in both. Vincent (1993) hybrid algorithm.
 */
function reconstructByDilation(buf: PaddedBuffers): void {
  const { w, h, W, f, g } = buf;
  // Raster scan: propagate from the causal half-neighbourhood N+ (up-left, up, up-right, left).
  for (let y = 1; y <= h; y++) {
    let p = y * W + 1;
    for (let x = 0; x < w; x++, p++) {
      let m = g[p];
      let v = g[p - W - 1];
      if (v > m) m = v;
      v = g[p - W];
      if (v > m) m = v;
      v = g[p - W + 1];
      if (v > m) m = v;
      v = g[p - 1];
      if (v > m) m = v;
      const fp = f[p];
      g[p] = m < fp ? m : fp;
    }
  }
  // Anti-raster scan over N- (right, down-left, down, down-right); queue pixels that can still
  // raise a neighbour.
  let queue = buf.queue;
  let head = 0;
  let count = 0;
  for (let y = h; y >= 1; y--) {
    let p = y * W + w;
    for (let x = 0; x < w; x++, p--) {
      let m = g[p];
      const a = g[p + 1];
      const b = g[p + W - 1];
      const c = g[p + W];
      const d = g[p + W + 1];
      if (a > m) m = a;
      if (b > m) m = b;
      if (c > m) m = c;
      if (d > m) m = d;
      const fp = f[p];
      if (m > fp) m = fp;
      g[p] = m;
      if ((a < m && a < f[p + 1]) || (b < m && b < f[p + W - 1]) || (c < m && c < f[p + W]) || (d < m && d < f[p + W + 1])) {
        if (count === queue.length) {
          queue = growQueue(queue, head, count);
          head = 0;
        }
        queue[(head + count++) % queue.length] = p;
      }
    }
  }
  // FIFO propagation.
  const off0 = -W - 1;
  const off1 = -W;
  const off2 = -W + 1;
  const off3 = -1;
  const off4 = 1;
  const off5 = W - 1;
  const off6 = W;
  const off7 = W + 1;
  while (count > 0) {
    const p = queue[head];
    head = head + 1 === queue.length ? 0 : head + 1;
    count--;
    const gp = g[p];
    for (let k = 0; k < 8; k++) {
      const q =
        p + (k === 0 ? off0 : k === 1 ? off1 : k === 2 ? off2 : k === 3 ? off3 : k === 4 ? off4 : k === 5 ? off5 : k === 6 ? off6 : off7);
      const gq = g[q];
      const fq = f[q];
      if (gq < gp && gq !== fq) {
        g[q] = gp < fq ? gp : fq;
        if (count === queue.length) {
          queue = growQueue(queue, head, count);
          head = 0;
        }
        let tail = head + count++;
        if (tail >= queue.length) tail -= queue.length;
        queue[tail] = q;
      }
    }
  }
  buf.queue = queue;
}

/**
 * Regional maxima of g (8-connected plateaus with no higher neighbour), each reported as a
 * Peak; `f` supplies the height. Flood fills start only at pixels with no higher neighbour.
 */
function regionalMaxima(buf: PaddedBuffers, out: Peak[]): void {
  const { w, h, W, f, g, label, stack } = buf;
  label.fill(0);
  for (let y = 1; y <= h; y++) {
    let p = y * W + 1;
    for (let x = 0; x < w; x++, p++) {
      if (label[p]) continue;
      const v = g[p];
      if (
        g[p - W - 1] > v ||
        g[p - W] > v ||
        g[p - W + 1] > v ||
        g[p - 1] > v ||
        g[p + 1] > v ||
        g[p + W - 1] > v ||
        g[p + W] > v ||
        g[p + W + 1] > v
      )
        continue;
      // Flood the plateau of value v containing p.
      let isMax = true;
      let sp = 0;
      let n = 0;
      let sx = 0;
      let sy = 0;
      let top = -Infinity;
      label[p] = 1;
      stack[sp++] = p;
      while (sp > 0) {
        const q = stack[--sp];
        n++;
        const qy = (q / W) | 0;
        sx += q - qy * W;
        sy += qy;
        if (f[q] > top) top = f[q];
        for (let k = 0; k < 8; k++) {
          const r = q + (k < 3 ? k - W - 1 : k === 3 ? -1 : k === 4 ? 1 : k + W - 6);
          const gr = g[r];
          if (gr > v) isMax = false;
          else if (gr === v && !label[r]) {
            label[r] = 1;
            stack[sp++] = r;
          }
        }
      }
      if (isMax) out.push({ x: sx / n - 1, y: sy / n - 1, height: top / PEAK_MAP_MAX, area: n });
    }
  }
}

/**
 * Regional maxima of the mask f: one representative pixel per maximal plateau, sorted by
 * height, highest first.
 */
function findLeaves(buf: PaddedBuffers): Int32Array {
  const { w, h, W, f, label, stack } = buf;
  label.fill(0);
  const found: number[] = [];
  for (let y = 1; y <= h; y++) {
    let p = y * W + 1;
    for (let x = 0; x < w; x++, p++) {
      if (label[p]) continue;
      const v = f[p];
      if (
        f[p - W - 1] > v ||
        f[p - W] > v ||
        f[p - W + 1] > v ||
        f[p - 1] > v ||
        f[p + 1] > v ||
        f[p + W - 1] > v ||
        f[p + W] > v ||
        f[p + W + 1] > v
      )
        continue;
      let isMax = true;
      let sp = 0;
      label[p] = 1;
      stack[sp++] = p;
      while (sp > 0) {
        const q = stack[--sp];
        for (let k = 0; k < 8; k++) {
          const r = q + (k < 3 ? k - W - 1 : k === 3 ? -1 : k === 4 ? 1 : k + W - 6);
          const fr = f[r];
          if (fr > v) isMax = false;
          else if (fr === v && !label[r]) {
            label[r] = 1;
            stack[sp++] = r;
          }
        }
      }
      if (isMax) found.push(p);
    }
  }
  // Highest first, so the highest leaf of a region claims it and the others are skipped.
  found.sort((a, b) => f[b] - f[a] || a - b);
  return Int32Array.from(found);
}

/** Work budget of the flood search, in pixel visits per image pixel, before falling back. */
const FLOOD_BUDGET = 4;

/**
 * Extended maxima by flooding from each leaf (see the header). Returns null when the work
 * budget is exceeded; the caller then uses the reconstruction.
 */
function extendedMaximaByFlooding(buf: PaddedBuffers, leaves: Int32Array, hgt: number): Peak[] | null {
  const { w, h, W, f, stack, visited, claimed } = buf;
  const budget = FLOOD_BUDGET * w * h;
  const search = ++buf.searchId;
  let work = 0;
  const peaks: Peak[] = [];
  for (let li = 0; li < leaves.length; li++) {
    const start = leaves[li];
    if (claimed[start] === search) continue;
    const top = f[start];
    const level = Math.fround(top - hgt); // the plateau value HMAX_h takes there
    const id = ++buf.floodId;
    let head = 0;
    let tail = 0;
    visited[start] = id;
    stack[tail++] = start;
    let isMax = true;
    // Breadth-first, so a higher pixel nearby ends the flood early.
    while (head < tail) {
      const q = stack[head++];
      for (let k = 0; k < 8; k++) {
        const r = q + (k < 3 ? k - W - 1 : k === 3 ? -1 : k === 4 ? 1 : k + W - 6);
        const fr = f[r];
        if (fr >= level && visited[r] !== id) {
          if (fr > top) {
            isMax = false;
            break;
          }
          visited[r] = id;
          stack[tail++] = r;
        }
      }
      if (!isMax) break;
    }
    work += tail;
    if (work > budget) return null;
    if (!isMax) continue;
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < tail; i++) {
      const q = stack[i];
      claimed[q] = search;
      const qy = (q / W) | 0;
      sx += q - qy * W;
      sy += qy;
    }
    peaks.push({ x: sx / tail - 1, y: sy / tail - 1, height: top / PEAK_MAP_MAX, area: tail });
  }
  sortPeaks(peaks);
  return peaks;
}

function sortPeaks(peaks: Peak[]): void {
  peaks.sort((a, b) => b.height - a.height || a.y - b.y || a.x - b.x);
}

const PEAK_KEYS = ['sigma', 'threshold', 'kLevel'] as const;

/** A copy of the map scaled min..max to [0, 255], the scale the threshold is on; all zeros for a constant map. */
export function scaleMapTo255(map: Image2D): Float32Array {
  const src = map.data;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0; // non-finite iff some value is NaN or infinite
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(sum)) throw new ParameterError('the detector map contains values that are not finite numbers');
  const out = new Float32Array(src.length);
  const k = max > min ? PEAK_MAP_MAX / (max - min) : 0;
  for (let i = 0; i < src.length; i++) out[i] = (src[i] - min) * k;
  return out;
}

/** One sigma for the pre-smoothing (2) followed by the user's sigma. */
export function combinedSigma(sigma: number): number {
  return Math.sqrt(PEAK_PRESMOOTH_SIGMA * PEAK_PRESMOOTH_SIGMA + sigma * sigma);
}

/** Peak search on one detector map, caching everything a parameter change does not touch. */
export class PeakFinder {
  readonly width: number;
  readonly height: number;
  private readonly normalised: Float32Array;
  private readonly flat: boolean;
  private readonly buf: PaddedBuffers;
  private smoothedSigma = -1;
  private leaves: Int32Array = new Int32Array(0);

  constructor(map: Image2D) {
    if (map.width < 1 || map.height < 1) throw new ParameterError('the detector map is empty');
    this.width = map.width;
    this.height = map.height;
    this.normalised = scaleMapTo255(map);
    let max = 0;
    for (let i = 0; i < this.normalised.length; i++) if (this.normalised[i] > max) max = this.normalised[i];
    this.flat = max === 0;
    this.buf = new PaddedBuffers(map.width, map.height);
  }

  /** The smoothed map (0..255) the maxima are searched in, for display or debugging. */
  smoothed(sigma: number): Image2D {
    this.ensureSmoothed(sigma);
    const { w, h, W, f } = this.buf;
    const out = createImage(w, h);
    for (let y = 0; y < h; y++) out.data.set(f.subarray((y + 1) * W + 1, (y + 1) * W + 1 + w), y * w);
    return out;
  }

  private ensureSmoothed(sigma: number): void {
    if (sigma === this.smoothedSigma) return;
    const blurred = gaussianBlur(createImage(this.width, this.height, this.normalised), combinedSigma(sigma));
    this.buf.setMask(blurred.data);
    this.leaves = findLeaves(this.buf);
    this.smoothedSigma = sigma;
  }

  find(params: PeakParams): Peak[] {
    checkPickParams(params, PEAK_KEYS);
    // A constant map has no particles (MATLAB would call the whole image one maximum).
    if (this.flat) return [];
    this.ensureSmoothed(params.sigma);
    const hgt = params.threshold * params.kLevel;
    return extendedMaximaByFlooding(this.buf, this.leaves, hgt) ?? extendedMaximaByReconstruction(this.buf, hgt);
  }
}

function extendedMaximaByReconstruction(buf: PaddedBuffers, hgt: number): Peak[] {
  const { w, h, W, f, g } = buf;
  for (let y = 1; y <= h; y++) {
    const o = y * W + 1;
    for (let i = o; i < o + w; i++) g[i] = f[i] - hgt;
  }
  if (hgt > 0) reconstructByDilation(buf);
  const peaks: Peak[] = [];
  regionalMaxima(buf, peaks);
  sortPeaks(peaks);
  return peaks;
}

/** The peak search in one call (use PeakFinder to re-pick the same map quickly). */
export function findPeaks(map: Image2D, params: PeakParams): Peak[] {
  return new PeakFinder(map).find(params);
}

/** HMAX_h(f): reconstruction by dilation of f - h under f (8-connectivity). */
export function hMaximaTransform(img: Image2D, h: number): Image2D {
  if (!(h >= 0)) throw new ParameterError(`h must be >= 0, got ${h}`);
  const buf = new PaddedBuffers(img.width, img.height);
  buf.setMask(img.data);
  const { W, f, g } = buf;
  for (let y = 1; y <= img.height; y++) for (let i = y * W + 1; i < y * W + 1 + img.width; i++) g[i] = f[i] - h;
  reconstructByDilation(buf);
  const out = createImage(img.width, img.height);
  for (let y = 0; y < img.height; y++) out.data.set(g.subarray((y + 1) * W + 1, (y + 1) * W + 1 + img.width), y * img.width);
  return out;
}

export type ExtendedMaximaMethod = 'flood' | 'reconstruction';

/**
 * Extended maxima of an image as it is (no normalisation or smoothing), one Peak per region
 * (height = value / 255). Both methods give the same regions; 'flood' is the fast one.
 */
export function extendedMaxima(img: Image2D, h: number, method: ExtendedMaximaMethod = 'flood'): Peak[] {
  if (!(h >= 0)) throw new ParameterError(`h must be >= 0, got ${h}`);
  const buf = new PaddedBuffers(img.width, img.height);
  buf.setMask(img.data);
  if (method === 'flood') {
    const peaks = extendedMaximaByFlooding(buf, findLeaves(buf), h);
    if (peaks) return peaks;
  }
  return extendedMaximaByReconstruction(buf, h);
}
