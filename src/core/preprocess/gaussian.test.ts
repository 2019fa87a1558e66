import { describe, expect, it } from 'vitest';
import { ParameterError } from '../errors';
import { createImage, type Image2D } from '../image';
import { createRng } from '../random';
import { gaussianBlur, gaussianBlurExact, gaussianBlurRecursive, gaussianKernel, kernelRadius, symmetricIndex } from './gaussian';

function randomImage(w: number, h: number, seed: number): Image2D {
  const rng = createRng(seed);
  const img = createImage(w, h);
  for (let i = 0; i < img.data.length; i++) img.data[i] = rng.next();
  return img;
}

/** Direct 2-D convolution with symmetric borders: the slow definition. */
function blurReference(img: Image2D, sigma: number): Float64Array {
  const k = gaussianKernel(sigma);
  const R = (k.length - 1) / 2;
  const { width: w, height: h, data } = img;
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let j = -R; j <= R; j++)
        for (let i = -R; i <= R; i++) s += k[j + R] * k[i + R] * data[symmetricIndex(y + j, h) * w + symmetricIndex(x + i, w)];
      out[y * w + x] = s;
    }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('symmetricIndex', () => {
  it('repeats the edge sample', () => {
    expect([-3, -2, -1, 0, 1, 2, 3, 4, 5].map((i) => symmetricIndex(i, 3))).toEqual([2, 1, 0, 0, 1, 2, 2, 1, 0]);
    expect(symmetricIndex(-7, 1)).toBe(0);
  });
});

describe('gaussianKernel', () => {
  it('sums to 1, is symmetric and has radius ceil(3 sigma)', () => {
    for (const s of [0.5, 1, 2, 3.3, 10]) {
      const k = gaussianKernel(s);
      expect(k.length).toBe(2 * Math.ceil(3 * s) + 1);
      expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      for (let i = 0; i < k.length; i++) expect(k[i]).toBeCloseTo(k[k.length - 1 - i], 7);
    }
    expect(Array.from(gaussianKernel(0))).toEqual([1]);
  });
  it('rejects a negative or NaN sigma', () => {
    expect(() => gaussianKernel(-1)).toThrow(ParameterError);
    expect(() => gaussianBlur(createImage(2, 2), Number.NaN)).toThrow(ParameterError);
  });
});

describe('gaussianBlurExact', () => {
  it('equals the direct 2-D convolution with symmetric borders', () => {
    const img = randomImage(23, 17, 1);
    expect(maxAbsDiff(gaussianBlurExact(img, 1.5).data, blurReference(img, 1.5))).toBeLessThan(1e-5);
    // Radius larger than the image: reflection must wrap more than once.
    const tiny = randomImage(4, 3, 2);
    expect(maxAbsDiff(gaussianBlurExact(tiny, 2).data, blurReference(tiny, 2))).toBeLessThan(1e-5);
  });
  it('leaves a constant image unchanged, in place too', () => {
    const img = createImage(31, 20);
    img.data.fill(3.25);
    expect(maxAbsDiff(gaussianBlurExact(img, 2).data, img.data)).toBeLessThan(1e-5);
    const same = gaussianBlurExact(img, 4, { inPlace: true });
    expect(same).toBe(img);
    for (const v of img.data) expect(v).toBeCloseTo(3.25, 5);
  });
  it('does not change the input unless asked', () => {
    const img = randomImage(10, 10, 3);
    const copy = img.data.slice();
    gaussianBlurExact(img, 2);
    expect(img.data).toEqual(copy);
  });
  it('preserves the sum away from borders (impulse response is the kernel)', () => {
    const img = createImage(41, 41);
    img.data[20 * 41 + 20] = 1;
    const out = gaussianBlurExact(img, 2);
    const k = gaussianKernel(2);
    const R = kernelRadius(2);
    expect(out.data[20 * 41 + 20]).toBeCloseTo(k[R] * k[R], 6);
    expect(out.data[(20 + 3) * 41 + 20 - 1]).toBeCloseTo(k[R + 3] * k[R - 1], 6);
    expect(out.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });
});

describe('gaussianBlurRecursive (Young, van Vliet & van Ginkel poles)', () => {
  it('leaves a constant image unchanged', () => {
    const img = createImage(50, 40);
    img.data.fill(-7.5);
    const out = gaussianBlurRecursive(img, 20);
    expect(maxAbsDiff(out.data, img.data)).toBeLessThan(1e-4);
  });
  it('impulse response has unit mass and the requested width', () => {
    const n = 801;
    const img = createImage(n, 1);
    img.data[400] = 1;
    for (const s of [3, 8, 20]) {
      const out = gaussianBlurRecursive(img, s).data;
      let m0 = 0;
      let m2 = 0;
      for (let i = 0; i < n; i++) {
        m0 += out[i];
        m2 += out[i] * (i - 400) ** 2;
      }
      expect(m0).toBeCloseTo(1, 4);
      // The poles are variance-matched: the measured standard deviation is sigma.
      expect(Math.abs(Math.sqrt(m2 / m0) - s) / s).toBeLessThan(0.01);
    }
  });
  // Tolerance: the third-order IIR is an approximation; on random and structured images
  // its max error against the exact truncated kernel stays below 1% of the input range.
  it('matches the exact kernel within 1% of the input range (random image, sigma 2..30)', () => {
    const img = randomImage(120, 90, 4);
    for (const s of [2, 5, 12, 30]) {
      const err = maxAbsDiff(gaussianBlurRecursive(img, s).data, gaussianBlurExact(img, s).data);
      expect(err, `sigma ${s}`).toBeLessThan(0.01);
    }
  });
  it('matches the exact kernel within 1% on a step and a ramp at sigma 100 (borders included)', () => {
    const w = 300;
    const h = 260;
    const img = createImage(w, h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.data[y * w + x] = (x > 140 ? 1 : 0) * 0.5 + (y / h) * 0.5;
    const exact = gaussianBlurExact(img, 100).data;
    const rec = gaussianBlurRecursive(img, 100).data;
    expect(maxAbsDiff(rec, exact)).toBeLessThan(0.01);
  });
  it('antisymmetric borders keep a linear ramp linear (padding ceil(3 sigma) < image side)', () => {
    const img = createImage(150, 120);
    for (let y = 0; y < 120; y++) for (let x = 0; x < 150; x++) img.data[y * 150 + x] = 0.3 * x - 0.2 * y + 5;
    const out = gaussianBlurRecursive(img, 30, { border: 'antisymmetric' });
    // Residual from the filter's tail beyond the ceil(3 sigma) padding: < 0.5% of the range (69).
    expect(maxAbsDiff(out.data, img.data), 'max error').toBeLessThan(0.005 * 69);
    // Symmetric borders bend it near the edges.
    expect(maxAbsDiff(gaussianBlurRecursive(img, 30).data, img.data)).toBeGreaterThan(3);
  });
  it('works in place', () => {
    const img = randomImage(40, 30, 5);
    const expected = gaussianBlurRecursive(img, 6).data;
    gaussianBlurRecursive(img, 6, { inPlace: true });
    expect(maxAbsDiff(img.data, expected)).toBe(0);
  });
});

describe('gaussianBlur', () => {
  it('chooses exact for small sigma and recursive for large', () => {
    const img = randomImage(30, 30, 6);
    expect(gaussianBlur(img, 1).data).toEqual(gaussianBlurExact(img, 1).data);
    expect(gaussianBlur(img, 10).data).toEqual(gaussianBlurRecursive(img, 10).data);
    expect(gaussianBlur(img, 10, { method: 'exact' }).data).toEqual(gaussianBlurExact(img, 10).data);
    expect(gaussianBlur(img, 0).data).toEqual(img.data);
  });
});
