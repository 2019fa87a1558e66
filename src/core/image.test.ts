import { describe, expect, it } from 'vitest';
import { createImage, cropImage } from './image';

describe('cropImage', () => {
  const img = createImage(
    5,
    4,
    Float32Array.from({ length: 20 }, (_, i) => i),
  );
  it('copies the region [x0,x1) x [y0,y1)', () => {
    const c = cropImage(img, 1, 2, 4, 4);
    expect([c.width, c.height]).toEqual([3, 2]);
    expect(Array.from(c.data)).toEqual([11, 12, 13, 16, 17, 18]);
    c.data[0] = -1;
    expect(img.data[11]).toBe(11); // a copy, not a view
  });
  it('clips to the image and rounds outward', () => {
    const c = cropImage(img, -3, 2.5, 1.2, 99);
    expect([c.width, c.height]).toEqual([2, 2]);
    expect(Array.from(c.data)).toEqual([10, 11, 15, 16]);
    expect(cropImage(img, 9, 9, 12, 12).data.length).toBe(0);
  });
});
