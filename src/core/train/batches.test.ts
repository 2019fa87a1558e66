import { describe, expect, it } from 'vitest';
import { createImage } from '../image';
import { createRng } from '../random';
import { dihedral, extractPatches, randomBackgroundCentres, reflectIndex, sampleDetectorPatches } from './batches';
import { detectorLabelMap } from './labels';

const ramp = (w: number, h: number) => {
  const img = createImage(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.data[y * w + x] = y * 1000 + x;
  return img;
};

/** Centres in the middle of a 100x80 image, at its top-left corner, and one more. */
const middleCornerAnd = (other: { x: number; y: number }) => [{ x: 50, y: 40 }, { x: 2, y: 3 }, other];

describe('patches', () => {
  it('reflects indices without repeating the edge', () => {
    expect([-2, -1, 0, 4, 5, 6, 9].map((i) => reflectIndex(i, 5))).toEqual([2, 1, 0, 4, 3, 2, 1]);
  });

  it('centres the patch and reflects at the border, or skips', () => {
    const img = ramp(100, 80);
    const p = extractPatches(
      img,
      [
        { x: 50, y: 40 },
        { x: 2, y: 3 },
      ],
      { size: 8 },
    );
    expect(p.n).toBe(2);
    expect(p.data[4 * 8 + 4]).toBe(40 * 1000 + 50); // centre at index size/2
    expect(p.data[0]).toBe(36 * 1000 + 46);
    // second patch: top-left reads row -1 -> 1 and col -2 -> 2
    expect(p.data[64 + 0]).toBe(1 * 1000 + 2);
    const s = extractPatches(img, middleCornerAnd({ x: 96, y: 76 }), { size: 8, border: 'skip' });
    expect(s.used).toEqual([0, 2]);
    expect(s.data.length).toBe(2 * 64);
  });

  it("with border 'shift' moves a patch that would cross the edge inside the image, and leaves out only an image smaller than a patch", () => {
    const img = ramp(100, 80);
    const p = extractPatches(img, middleCornerAnd({ x: 99, y: 79 }), { size: 8, border: 'shift' });
    expect(p.used).toEqual([0, 1, 2]);
    expect(p.data[4 * 8 + 4]).toBe(40 * 1000 + 50); // inside: as before
    expect(p.data[64]).toBe(0); // near the top-left corner: the patch starts at (0, 0)
    expect(p.data[2 * 64 + 63]).toBe(79 * 1000 + 99); // near the bottom-right: it ends at the last pixel
    expect(extractPatches(ramp(6, 80), [{ x: 3, y: 40 }], { size: 8, border: 'shift' }).n).toBe(0);
  });

  it('resamples a larger region bilinearly (linear ramps stay linear)', () => {
    const img = ramp(100, 80);
    const p = extractPatches(img, [{ x: 50, y: 40 }], { size: 8, sourceSize: 16 });
    // output pixel j samples source coordinate c - 8 + (j + 0.5) * 2 - 0.5
    expect(p.data[0]).toBeCloseTo(32.5 * 1000 + 42.5, 3);
    expect(p.data[7 * 8 + 7]).toBeCloseTo(46.5 * 1000 + 56.5, 3);
  });

  it('the 8 dihedral transforms are distinct and invertible', () => {
    const p = new Float32Array(16).map((_, i) => i);
    const seen = new Set<string>();
    for (let t = 0; t < 8; t++) seen.add(dihedral(p, 4, t).join(','));
    expect(seen.size).toBe(8);
    expect(Array.from(dihedral(dihedral(p, 4, 1), 4, 3))).toEqual(Array.from(p));
    expect(Array.from(dihedral(dihedral(p, 4, 4), 4, 4))).toEqual(Array.from(p));
  });

  it('background centres stay inside and away from particles; sampling repeats for a seed', () => {
    const avoid = [{ x: 50, y: 50 }];
    const bg = randomBackgroundCentres(120, 100, avoid, 20, 32, 30, createRng(4));
    expect(bg.length).toBe(20);
    for (const c of bg) {
      expect(c.x - 16).toBeGreaterThanOrEqual(0);
      expect(c.x + 16).toBeLessThanOrEqual(120);
      expect(Math.hypot(c.x - 50, c.y - 50)).toBeGreaterThanOrEqual(30);
    }
    const img = ramp(120, 100);
    const lab = detectorLabelMap(120, 100, avoid, 5); // disk radius 5: label peak 25
    const a = sampleDetectorPatches(img, lab, avoid, { size: 32, backgroundCount: 3, augment: true, seed: 9 });
    const b = sampleDetectorPatches(img, lab, avoid, { size: 32, backgroundCount: 3, augment: true, seed: 9 });
    expect(a.n).toBe(4);
    expect(Array.from(a.inputs)).toEqual(Array.from(b.inputs));
    // labels follow their image through the augmentation: the label peak sits on the pixel
    // that holds the particle centre's value (ramp values are unique)
    const peak = a.labels.subarray(0, 1024).indexOf(25);
    expect(peak).toBeGreaterThanOrEqual(0);
    expect(a.inputs[peak]).toBe(50 * 1000 + 50);
    expect(a.labels.subarray(32 * 32).every((v) => v === 0)).toBe(true);
  });
});
