import { describe, expect, it } from 'vitest';
import { greyToRgba, histogram8, percentileFromHistogram, percentileLut, windowLut } from './contrast';

describe('display contrast', () => {
  const ramp = Uint8ClampedArray.from({ length: 256 }, (_, i) => i);

  it('histogram and percentiles of a uniform ramp', () => {
    const h = histogram8(ramp);
    expect(h.every((c) => c === 1)).toBe(true);
    expect(percentileFromHistogram(h, 0)).toBe(0);
    expect(percentileFromHistogram(h, 50)).toBe(127);
    expect(percentileFromHistogram(h, 100)).toBe(255);
  });

  it('window LUT maps lo to 0 and hi to 255, clamped outside', () => {
    const lut = windowLut(50, 150);
    expect(lut[50]).toBe(0);
    expect(lut[150]).toBe(255);
    expect(lut[100]).toBe(128);
    expect(lut[10]).toBe(0);
    expect(lut[200]).toBe(255);
  });

  it('0..100 percentiles of a full-range image give the identity', () => {
    const lut = percentileLut(histogram8(ramp), 0, 100);
    expect([...lut]).toEqual([...ramp]);
  });

  it('a constant image does not divide by zero', () => {
    const lut = percentileLut(histogram8(new Uint8ClampedArray(100).fill(7)), 1, 99);
    expect(lut[7]).toBe(0);
    expect(lut[8]).toBe(255);
  });

  it('grey to opaque RGBA through the LUT', () => {
    const out = greyToRgba(new Uint8ClampedArray([0, 100]), windowLut(0, 100));
    expect([...out]).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
  });
});
