import { describe, expect, it } from 'vitest';
import { angstromToPixels, formatPixelSize, isUsablePixelSize, pixelsToAngstrom, toTenth } from './pixel-size';

describe('pixel sizes', () => {
  it('converts Å and pixels both ways, and rounds to the tenth diameters are set in', () => {
    expect(angstromToPixels(128, 2)).toBe(64);
    expect(pixelsToAngstrom(64, 2)).toBe(128);
    expect(toTenth(27.99999)).toBe(28);
    expect(toTenth(69.23)).toBe(69.2);
  });

  it('only a positive, finite pixel size converts', () => {
    expect([1.06, 0, -1, Number.NaN, Number.POSITIVE_INFINITY, undefined].map(isUsablePixelSize)).toEqual([
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('writes a float32 header value as people write it', () => {
    expect(formatPixelSize(Math.fround(1.3))).toBe('1.3');
    expect(formatPixelSize(2.5999999)).toBe('2.6');
  });
});
