import { describe, expect, it } from 'vitest';
import { createRng } from './random';
import { filterImage, irfft2d, nextPow2, rfft2d } from './fft2d';

describe('fft2d', () => {
  it('round-trips a real image through rfft2d / irfft2d', () => {
    const rng = createRng(3);
    const w = 64;
    const h = 32;
    const img = new Float32Array(w * h).map(() => rng.normal());
    const back = irfft2d(rfft2d(img, w, h));
    let err = 0;
    for (let i = 0; i < img.length; i++) err = Math.max(err, Math.abs(back[i] - img[i]));
    expect(err).toBeLessThan(1e-4);
  });

  it('puts a pure cosine in the right bin with the right amplitude', () => {
    const w = 32;
    const h = 16;
    const img = new Float32Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) img[y * w + x] = Math.cos((2 * Math.PI * (3 * x)) / w + (2 * Math.PI * (2 * y)) / h);
    const s = rfft2d(img, w, h);
    const at = (kx: number, ky: number) => Math.hypot(s.data[2 * (ky * s.cols + kx)], s.data[2 * (ky * s.cols + kx) + 1]);
    expect(at(3, 2)).toBeCloseTo((w * h) / 2, 2);
    expect(at(3, h - 2)).toBeLessThan(1e-3);
    expect(at(0, 0)).toBeLessThan(1e-3);
  });

  it('filters non-power-of-two images (identity and low-pass)', () => {
    const rng = createRng(5);
    const w = 50;
    const h = 37;
    const img = new Float32Array(w * h).map(() => 10 + rng.normal());
    const same = filterImage(img, w, h, () => 1);
    for (let i = 0; i < img.length; i++) expect(same[i]).toBeCloseTo(img[i], 3);
    const dc = filterImage(img, w, h, (fx, fy) => (fx === 0 && fy === 0 ? 1 : 0));
    // Keeping only the DC of the mirror-padded image leaves a flat image near the mean.
    const mean = img.reduce((a, b) => a + b, 0) / img.length;
    for (let i = 0; i < img.length; i += 97) expect(Math.abs(dc[i] - mean)).toBeLessThan(0.1);
  });

  it('rejects sizes that are not powers of two', () => {
    expect(() => rfft2d(new Float32Array(12), 4, 3)).toThrow(RangeError);
    expect(nextPow2(1000)).toBe(1024);
    expect(nextPow2(1024)).toBe(1024);
  });
});
