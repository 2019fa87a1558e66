import { describe, expect, it } from 'vitest';
import { ParameterError } from '../errors';
import { createImage } from '../image';
import { displayFactor, lowpassSigmaPx, toGreyImage } from './display';

describe('toGreyImage', () => {
  it('fits the longest side and reports the scale', () => {
    const img = createImage(1000, 600);
    for (let i = 0; i < img.data.length; i++) img.data[i] = i % 1000;
    const g = toGreyImage(img, { maxSide: 128 });
    expect(g.scale).toBe(displayFactor(1000, 600, 128));
    expect(g.scale).toBe(8);
    expect([g.width, g.height]).toEqual([125, 75]);
    expect(g.data).toBeInstanceOf(Uint8ClampedArray);
    expect(g.data.length).toBe(125 * 75);
  });
  it('maps the chosen percentiles to 0 and 255 and clamps outliers', () => {
    const img = createImage(1000, 1);
    for (let i = 0; i < 1000; i++) img.data[i] = i;
    img.data[999] = 1e9; // hot pixel
    const g = toGreyImage(img, { maxSide: 1000, lowPercentile: 1, highPercentile: 99 });
    expect(g.scale).toBe(1);
    expect(g.data[0]).toBe(0);
    expect(g.data[999]).toBe(255);
    expect(g.data[500]).toBeGreaterThan(120);
    expect(g.data[500]).toBeLessThan(135);
  });
  it('constant image is black; bad sizes rejected', () => {
    const g = toGreyImage(createImage(4, 4, new Float32Array(16).fill(2)), { maxSide: 8 });
    expect(Array.from(g.data).every((v) => v === 0)).toBe(true);
    expect(() => toGreyImage(createImage(4, 4), { maxSide: 0 })).toThrow(ParameterError);
  });
});

describe('display low-pass', () => {
  it('the sigma halves the transfer at the chosen resolution', () => {
    const sigma = lowpassSigmaPx(20, 1.25); // 20 Å at 1.25 Å/px = 16 px
    const transfer = Math.exp(-2 * Math.PI ** 2 * sigma ** 2 * (1 / 16) ** 2);
    expect(transfer).toBeCloseTo(0.5, 6);
    expect(lowpassSigmaPx(0, 1)).toBe(0);
    expect(lowpassSigmaPx(10, 0)).toBe(0);
  });

  it('smooths the display of a noisy image and leaves it unchanged when off', () => {
    const w = 64;
    const img = createImage(w, w);
    let seed = 7;
    for (let i = 0; i < img.data.length; i++) img.data[i] = (seed = (seed * 16807) % 2147483647) / 2147483647;
    const window = { lo: 0, hi: 1 };
    const plain = toGreyImage(img, { maxSide: 32, window });
    const off = toGreyImage(img, { maxSide: 32, window, lowpassSigma: 0 });
    const blurred = toGreyImage(img, { maxSide: 32, window, lowpassSigma: 6 });
    expect(Array.from(off.data)).toEqual(Array.from(plain.data));
    const spread = (d: Uint8ClampedArray) => {
      const m = d.reduce((a, b) => a + b, 0) / d.length;
      return Math.sqrt(d.reduce((a, b) => a + (b - m) ** 2, 0) / d.length);
    };
    expect(spread(blurred.data)).toBeLessThan(spread(plain.data) / 2);
  });
});
