import { describe, expect, it } from 'vitest';
import { outsideMessage, outsideMicrograph } from './bounds';

describe('coordinates outside their micrograph', () => {
  it('counts the edges as inside and everything beyond them as outside', () => {
    const points = [
      { x: 0, y: 0 },
      { x: 100, y: 80 },
      { x: 100.5, y: 10 },
      { x: 5, y: -0.1 },
    ];
    expect(outsideMicrograph(points, 100, 80)).toEqual([points[2], points[3]]);
  });

  it('says how many, of how many, and gives one', () => {
    expect(outsideMessage([{ x: 1, y: 1 }], 'a.mrc', 10, 10)).toBeUndefined();
    expect(
      outsideMessage(
        [
          { x: 1, y: 1 },
          { x: 30, y: 2 },
        ],
        'a.mrc',
        10,
        10,
      ),
    ).toBe('1 of 2 coordinates lie outside a.mrc (10 x 10 px), e.g. (30, 2). Were they written for another binning or another micrograph?');
  });

  it('lets points within a margin of the edge through, and still refuses those beyond it', () => {
    const points = [
      { x: -12, y: 5 },
      { x: 50, y: 93 },
    ];
    expect(outsideMessage(points, 'a.mrc', 100, 80, 16)).toBeUndefined();
    expect(outsideMicrograph(points, 100, 80, 10)).toEqual([points[0], points[1]]);
    expect(outsideMessage([{ x: 300, y: 5 }], 'a.mrc', 100, 80, 16)).toMatch(/^1 of 1 coordinates lie outside a.mrc/);
  });
});
