import { describe, expect, it } from 'vitest';
import { createImage, cropImage } from '../image';
import { toGreyImage } from './display';

describe('toGreyImage window', () => {
  it('reports the window it used, and a crop drawn with that window matches the whole image', () => {
    const img = createImage(
      64,
      64,
      Float32Array.from({ length: 64 * 64 }, (_, i) => Math.sin(i / 7) * 100 + (i % 64)),
    );
    const whole = toGreyImage(img, { maxSide: 64 });
    expect(whole.window.hi).toBeGreaterThan(whole.window.lo);
    const crop = toGreyImage(cropImage(img, 10, 20, 30, 40), { maxSide: 64, window: whole.window });
    for (let y = 0; y < 20; y++) for (let x = 0; x < 20; x++) expect(crop.data[y * 20 + x]).toBe(whole.data[(y + 20) * 64 + x + 10]);
  });
});
