import { describe, expect, it } from 'vitest';
import { diameterInPx, lacksPixelSize, outOfRangeNote } from './diameter';

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

describe('outOfRangeNote', () => {
  it("says when a conversion leaves the picker's range, and at what size the micrograph is picked instead", () => {
    const setting = { value: 500, unit: 'A' as const };
    expect(outOfRangeNote(setting, 1)).toBeUndefined();
    expect(diameterInPx(setting, 0.5)).toBe(800);
    expect(outOfRangeNote(setting, 0.5)).toBe("500 Å is 1000 px in this micrograph, outside the picker's 10-800 px: picked at 800 px");
    expect(outOfRangeNote(setting, undefined)).toBeUndefined(); // not converted at all: said elsewhere
    expect(outOfRangeNote({ value: 64, unit: 'px' }, undefined)).toBeUndefined();
  });
});
