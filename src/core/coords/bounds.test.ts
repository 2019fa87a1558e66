import { describe, expect, it } from 'vitest';
import { crowdedMessage, extentMismatchMessage, outsideMessage, outsideMicrograph, overlapMessage } from './bounds';

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

describe('coordinates of a binned micrograph', () => {
  const grid = Array.from({ length: 24 }, (_, i) => ({ x: 20 + 40 * (i % 6), y: 20 + 40 * Math.floor(i / 6) }));
  const halved = grid.map((p) => ({ x: p.x / 2, y: p.y / 2 }));

  it('says when all of at least 20 lie in the top-left quarter, and not otherwise', () => {
    expect(crowdedMessage(grid, 'a.mrc', 240, 160)).toBeUndefined();
    expect(crowdedMessage(halved, 'a.mrc', 240, 160)).toBe(
      'all 24 coordinates for a.mrc lie in its top-left quarter (x <= 110, y <= 70 of 240 x 160 px): were they written for the micrograph binned by 2 or more?',
    );
    expect(crowdedMessage(halved.slice(0, 19), 'a.mrc', 240, 160)).toBeUndefined();
  });

  it('says when picks and truth reach about twice apart in both directions, either way round', () => {
    expect(extentMismatchMessage(grid, halved, 'a')).toMatch(/^the picks for a reach \(220, 140\), its ground truth \(110, 70\)/);
    expect(extentMismatchMessage(halved, grid, 'a')).toBeDefined();
    expect(extentMismatchMessage(grid, grid, 'a')).toBeUndefined();
    // Twice as wide only (a micrograph picked on half of it): not a binning.
    expect(
      extentMismatchMessage(
        grid,
        grid.map((p) => ({ x: p.x / 2, y: p.y })),
        'a',
      ),
    ).toBeUndefined();
  });
});

describe('overlapMessage', () => {
  // A 6 x 5 grid of labels 80 px apart: particles of 64 px fit; at 128 px most would overlap.
  const grid = Array.from({ length: 30 }, (_, i) => ({ x: 100 + 80 * (i % 6), y: 100 + 80 * Math.floor(i / 6) }));

  it('says when labels lie closer together than particles of the diameter can', () => {
    expect(overlapMessage([{ points: grid, diameter: 64 }])).toBeUndefined();
    expect(overlapMessage([{ points: grid, diameter: 128 }])).toBe(
      "the labelled particles' nearest neighbours lie a median 0.63 diameters apart (80 px for a diameter of 128 px), where particles that touch lie one diameter apart: is the diameter too large for these particles?",
    );
  });

  it('says nothing on too few labels, and weighs each micrograph at its own diameter', () => {
    expect(overlapMessage([{ points: grid.slice(0, 10), diameter: 128 }])).toBeUndefined();
    const message = overlapMessage([
      { points: grid, diameter: 128 },
      { points: grid.map((p) => ({ x: 2 * p.x, y: 2 * p.y })), diameter: 256 },
    ]);
    expect(message).toMatch(/a median 0\.63 diameters apart, where/);
  });
});
