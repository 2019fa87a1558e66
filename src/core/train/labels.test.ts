import { describe, expect, it } from 'vitest';
import { ParameterError } from '../errors';
import { detectorLabelMap, labelDiskRadius } from './labels';

describe('detectorLabelMap', () => {
  it('peaks at R^2 on the centre, falls to 0 on the disk border, 0 outside', () => {
    const r = 9; // working radius -> disk radius 9
    expect(labelDiskRadius(r)).toBe(9);
    const m = detectorLabelMap(40, 30, [{ x: 20, y: 15 }], r);
    const at = (x: number, y: number) => m.data[y * 40 + x];
    expect(at(20, 15)).toBe(81);
    expect(at(24, 15)).toBe(25); // distance 4 -> (9-4)^2
    expect(at(29, 15)).toBe(0); // on the border
    expect(at(20, 24)).toBe(0);
    expect(at(30, 15)).toBe(0); // outside
    expect(at(26, 21)).toBeCloseTo((9 - Math.hypot(6, 6)) ** 2, 5);
    let nonzero = 0;
    for (const v of m.data) if (v > 0) nonzero++;
    // Strictly inside a radius-9 disk: lattice points with d < 9.
    let expected = 0;
    for (let dy = -9; dy <= 9; dy++) for (let dx = -9; dx <= 9; dx++) if (Math.hypot(dx, dy) < 9) expected++;
    expect(nonzero).toBe(expected);
  });

  it('overlapping disks take the maximum; disks are clipped at the image edge', () => {
    const m = detectorLabelMap(
      30,
      10,
      [
        { x: 10, y: 5 },
        { x: 14, y: 5 },
        { x: 0, y: 0 },
      ],
      4,
    ); // R = 4
    expect(m.data[5 * 30 + 12]).toBe(4); // distance 2 from both -> (4-2)^2
    expect(m.data[5 * 30 + 10]).toBe(16);
    expect(m.data[0]).toBe(16);
  });

  it('rejects radii too small for a disk', () => {
    expect(() => detectorLabelMap(10, 10, [{ x: 5, y: 5 }], 0.5)).toThrow(ParameterError);
  });
});
