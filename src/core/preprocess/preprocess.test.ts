import { describe, expect, it } from 'vitest';
import { ParameterError, CancelledError } from '../errors';
import { createImage, type Image2D } from '../image';
import { createRng } from '../random';
import { correctIllumination } from './illumination';
import {
  invertAboutMean,
  meanOf,
  normaliseToUnit,
  prepareNetworkInput,
  preprocessForDetection,
  recentreMean,
  robustStretch,
  TARGET_MEAN,
} from './preprocess';

/** Noise plus a blob of the given sign at (cx, cy); background level `bg`. */
function blobImage(w: number, h: number, sign: number, bg: number, seed = 1): Image2D {
  const rng = createRng(seed);
  const img = createImage(w, h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const r2 = (x - w / 2) ** 2 + (y - h / 2) ** 2;
      img.data[y * w + x] = bg + sign * 40 * Math.exp(-r2 / (2 * 12 * 12)) + rng.normal() * 4;
    }
  return img;
}

function centreMinusBackground(img: Image2D): number {
  const { width: w, height: h, data } = img;
  return data[(h >> 1) * w + (w >> 1)] - meanOf(data);
}

describe('sub-steps', () => {
  it('normaliseToUnit maps min..max to 0..1 (constant image -> 0)', () => {
    const img = createImage(3, 1, Float32Array.from([-2, 0, 6]));
    expect(Array.from(normaliseToUnit(img).data)).toEqual([0, 0.25, 1]);
    expect(Array.from(normaliseToUnit(createImage(2, 1, Float32Array.from([5, 5]))).data)).toEqual([0, 0]);
  });
  it('robustStretch maps median +- 4 robust sigmas to 0..1 and clamps', () => {
    const img = createImage(1000, 1);
    for (let i = 0; i < 1000; i++) img.data[i] = i;
    // quartiles 249.75 and 749.25, median 499.5: sigma = 499.5 / 1.349
    const sigma = 499.5 / 1.349;
    const out = robustStretch(img).data;
    expect(out[499]).toBeCloseTo((499 - (499.5 - 4 * sigma)) / (8 * sigma), 5);
    expect(out[0]).toBeCloseTo((0 - (499.5 - 4 * sigma)) / (8 * sigma), 5);
    const flat = createImage(3, 1, Float32Array.from([2, 2, 2]));
    expect(Array.from(robustStretch(flat).data)).toEqual([0, 0, 0]);
  });
  it('robustStretch keeps the contrast of a field that a dark blob covers 20% of', () => {
    // Noise of std 1 around 0, a fifth of it at -30 (contamination): the noise keeps a std of
    // ~1/12 of the output range (quartiles -1.53, 0.49), where the 1st..99th percentile
    // stretch (-30 .. 2.3) would squeeze it to ~1/32.
    const rng = createRng(5);
    const img = createImage(100, 100);
    for (let i = 0; i < img.data.length; i++) img.data[i] = i < 2000 ? -30 : rng.normal();
    const out = robustStretch(img).data;
    const rest = out.subarray(2000);
    const m = meanOf(rest);
    const std = Math.sqrt(meanOf(rest.map((v) => (v - m) ** 2)));
    expect(std).toBeGreaterThan(0.07);
    expect(out[0]).toBe(0);
  });
  it('recentreMean and invertAboutMean keep their promises', () => {
    const img = createImage(4, 1, Float32Array.from([0, 0.2, 0.4, 1]));
    expect(meanOf(recentreMean(img).data)).toBeCloseTo(TARGET_MEAN, 6);
    const inv = invertAboutMean(img).data;
    expect(meanOf(inv)).toBeCloseTo(meanOf(img.data), 6);
    expect(inv[3]).toBeCloseTo(2 * 0.4 - 1, 6);
  });
  it('illumination correction flattens a strong linear ramp', () => {
    const w = 400;
    const h = 300;
    const img = createImage(w, h);
    const rng = createRng(3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.data[y * w + x] = (x / w) * 10 + (y / h) * 3 + rng.normal() * 0.3;
    const out = correctIllumination(img, 100);
    const colMean = (d: Float32Array, x: number) => {
      let s = 0;
      for (let y = 0; y < h; y++) s += d[y * w + x];
      return s / h;
    };
    // A 10-unit ramp across x (and 3 across y): edge columns (means of 300 noisy pixels)
    // end up within 5% of the ramp's range of each other, and the middle too.
    const trend = (x0: number, x1: number) => Math.abs(colMean(out.data, x1) - colMean(out.data, x0));
    expect(trend(0, w - 1)).toBeLessThan(0.5);
    expect(trend(100, 299)).toBeLessThan(0.5);
    const rowMean = (d: Float32Array, y: number) => d.subarray(y * w, y * w + w).reduce((a, b) => a + b, 0) / w;
    expect(Math.abs(rowMean(out.data, h - 1) - rowMean(out.data, 0))).toBeLessThan(0.15);
    expect(meanOf(out.data)).toBeCloseTo(meanOf(img.data), 3);
  });
});

describe('preprocessForDetection', () => {
  it('output is ceil(size/scale) and leaves the input alone', () => {
    const img = blobImage(301, 202, -1, 100);
    const before = img.data.slice();
    const out = preprocessForDetection(img, 3, { negativeStain: false });
    expect([out.width, out.height]).toEqual([101, 68]);
    expect(img.data).toEqual(before);
    expect(meanOf(out.data)).toBeCloseTo(TARGET_MEAN, 2);
  });
  it('negative stain (bright blob on dark) comes out with cryo polarity (dark blob on bright)', () => {
    const cryo = preprocessForDetection(blobImage(240, 240, -1, 100), 2, { negativeStain: false });
    const stain = preprocessForDetection(blobImage(240, 240, +1, 20), 2, { negativeStain: true });
    expect(centreMinusBackground(cryo)).toBeLessThan(-0.2);
    expect(centreMinusBackground(stain)).toBeLessThan(-0.2);
    // Without the flag the stain blob would stay bright.
    expect(centreMinusBackground(preprocessForDetection(blobImage(240, 240, +1, 20), 2, { negativeStain: false }))).toBeGreaterThan(0.2);
  });
  it('is invariant to the micrograph gain and offset', () => {
    const a = blobImage(120, 100, -1, 100);
    const b = createImage(
      120,
      100,
      a.data.map((v) => 3 * v - 7),
    );
    const pa = preprocessForDetection(a, 2, { negativeStain: false }).data;
    const pb = preprocessForDetection(b, 2, { negativeStain: false }).data;
    let err = 0;
    for (let i = 0; i < pa.length; i++) err = Math.max(err, Math.abs(pa[i] - pb[i]));
    expect(err).toBeLessThan(1e-4);
  });
  it('rejects bad scale, non-finite pixels, and honours cancellation', () => {
    const img = blobImage(50, 50, -1, 100);
    expect(() => preprocessForDetection(img, 0, { negativeStain: false })).toThrow(ParameterError);
    expect(() => preprocessForDetection(img, 2.5, { negativeStain: false })).toThrow(ParameterError);
    const bad = createImage(2, 2, Float32Array.from([1, Number.NaN, 2, 3]));
    expect(() => preprocessForDetection(bad, 1, { negativeStain: false })).toThrow(/not finite/);
    const ac = new AbortController();
    ac.abort();
    expect(() => preprocessForDetection(img, 1, { negativeStain: false, signal: ac.signal })).toThrow(CancelledError);
  });
});

describe('prepareNetworkInput', () => {
  it("smooths with the detector's input sigma at the working size, without touching its input", () => {
    const pre = preprocessForDetection(blobImage(200, 160, -1, 100), 1, { negativeStain: false });
    const before = pre.data.slice();
    const a = prepareNetworkInput(pre, 1);
    expect([a.width, a.height]).toEqual([200, 160]);
    expect(Array.from(pre.data)).toEqual(Array.from(before));
    const spread = (d: Float32Array) => Math.max(...d) - Math.min(...d);
    expect(spread(a.data)).toBeLessThan(spread(pre.data));
    expect(Array.from(prepareNetworkInput(pre, 0).data)).toEqual(Array.from(before));
    expect(() => prepareNetworkInput(pre, -1)).toThrow(ParameterError);
  });
});
