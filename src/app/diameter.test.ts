import { describe, expect, it } from 'vitest';
import { lacksPixelSize } from './diameter';

describe('lacksPixelSize', () => {
  it('before a file is opened, goes by whether its format can carry a pixel size', () => {
    expect(['a.png', 'a.jpg', 'a.tif', 'a.mrc', 'a.mrcs', 'noextension'].map((name) => lacksPixelSize({ name }))).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('once opened, goes by its header', () => {
    const info = { width: 10, height: 10, frames: 1, displayScale: 1 };
    expect(lacksPixelSize({ name: 'a.mrc', info })).toBe(true);
    expect(lacksPixelSize({ name: 'a.mrc', info: { ...info, pixelSize: 1.06 } })).toBe(false);
  });
});
