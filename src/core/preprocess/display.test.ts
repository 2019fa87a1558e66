import { describe, expect, it } from 'vitest';
import { ParameterError } from '../errors';
import { createImage } from '../image';
import { displayFactor, toGreyImage } from './display';

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
