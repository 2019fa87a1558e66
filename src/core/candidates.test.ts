import { describe, expect, it } from 'vitest';
import { CLASSIFIER_BOX_RADII, dropBorderPicks, extractPatches, intensityScreen, patchStats, suppressNeighbours } from './candidates';
import { ParameterError } from './errors';
import { createImage } from './image';

describe('dropBorderPicks', () => {
  it('keeps a pick only when its 2r box plus r/2 margin (1.5 r each side) is inside', () => {
    const r = 10; // margin 15
    const picks = [
      { x: 15, y: 15 }, // just inside
      { x: 14.9, y: 50 }, // too close to the left
      { x: 84, y: 50 }, // 84 + 15 = 99 = width - 1: inside
      { x: 84.5, y: 50 }, // outside on the right
      { x: 50, y: 65 }, // 65 + 15 = 80 > 79: outside at the bottom
      { x: 50, y: 40, score: 3 },
    ];
    expect(dropBorderPicks(picks, 100, 80, r)).toEqual([
      { x: 15, y: 15 },
      { x: 84, y: 50 },
      { x: 50, y: 40, score: 3 },
    ]);
    expect(() => dropBorderPicks(picks, 100, 80, 0)).toThrow(ParameterError);
  });
});

describe('patchStats', () => {
  it('mean and std of the 2r x 2r box around the centre', () => {
    const img = createImage(20, 20);
    // Box for centre (10, 10), r = 2: columns/rows 8..11.
    for (let y = 8; y < 12; y++) for (let x = 8; x < 12; x++) img.data[y * 20 + x] = x % 2 ? 3 : 1;
    img.data[7 * 20 + 10] = 100; // just outside the box
    const s = patchStats(img, 10, 10, 2);
    expect(s.mean).toBeCloseTo(2, 6);
    expect(s.std).toBeCloseTo(1, 6);
  });
  it('clips at the image edge', () => {
    const img = createImage(4, 4, new Float32Array(16).fill(5));
    expect(patchStats(img, 0, 0, 3)).toEqual({ mean: 5, std: 0 });
  });
});

describe('intensityScreen', () => {
  it('keeps candidates at or above the mean and std percentiles; 0 switches a screen off', () => {
    const cands = ['a', 'b', 'c', 'd', 'e'];
    const stats = [
      { mean: 1, std: 5 },
      { mean: 2, std: 4 },
      { mean: 3, std: 3 },
      { mean: 4, std: 2 },
      { mean: 5, std: 1 },
    ];
    expect(intensityScreen(cands, stats, { meanPercentile: 0, stdPercentile: 0 }).kept).toEqual(cands);
    const byMean = intensityScreen(cands, stats, { meanPercentile: 50, stdPercentile: 0 });
    expect(byMean.meanThreshold).toBe(3);
    expect(byMean.kept).toEqual(['c', 'd', 'e']);
    const both = intensityScreen(cands, stats, { meanPercentile: 25, stdPercentile: 25 });
    expect(both.kept).toEqual(['b', 'c', 'd']);
    expect(both.keep).toEqual([false, true, true, true, false]);
    expect(() => intensityScreen(cands, stats.slice(1), { meanPercentile: 0, stdPercentile: 0 })).toThrow(ParameterError);
    expect(() => intensityScreen(cands, stats, { meanPercentile: 120, stdPercentile: 0 })).toThrow(ParameterError);
    expect(intensityScreen([], [], { meanPercentile: 10, stdPercentile: 10 }).kept).toEqual([]);
  });
});

describe('suppressNeighbours', () => {
  const h = (c: { h: number }) => c.h;
  it('keeps the higher of two candidates closer than the distance, in input order', () => {
    const c = [
      { x: 0, y: 0, h: 1 },
      { x: 3, y: 4, h: 2 }, // 5 from the first: suppresses it at distance 6, not at 5
      { x: 20, y: 0, h: 0.5 },
      { x: 23, y: 0, h: 0.4 }, // 3 from a kept, higher one
    ];
    expect(suppressNeighbours(c, h, 6)).toEqual([c[1], c[2]]);
    expect(suppressNeighbours(c, h, 5)).toEqual([c[0], c[1], c[2]]);
    expect(suppressNeighbours(c, h, 0)).toEqual(c);
  });
  it('a suppressed candidate does not suppress others (a chain keeps every other one)', () => {
    const chain = [0, 1, 2, 3, 4].map((i) => ({ x: 4 * i, y: 0, h: 5 - i }));
    expect(suppressNeighbours(chain, h, 5).map((c) => c.x)).toEqual([0, 8, 16]);
  });
  it('matches a brute-force check on random candidates', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const c = Array.from({ length: 300 }, () => ({ x: rand() * 200, y: rand() * 200, h: rand() }));
    const kept = suppressNeighbours(c, h, 9);
    for (const a of kept) for (const b of kept) if (a !== b) expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThanOrEqual(9);
    // Every dropped candidate has a higher kept one within the distance.
    for (const d of c.filter((x) => !kept.includes(x)))
      expect(kept.some((k) => k.h > d.h && Math.hypot(k.x - d.x, k.y - d.y) < 9)).toBe(true);
  });

  it('gives the greedy result whether or not the input is already highest first (ties in input order)', () => {
    let seed = 11;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    // Heights on a coarse grid, so ties occur; coordinates around zero, so cells reach negative values.
    const c = Array.from({ length: 400 }, () => ({ x: rand() * 120 - 60, y: rand() * 90 - 30, h: Math.floor(rand() * 8) }));
    const greedy = (cands: typeof c, d: number) => {
      const order = cands.map((_, i) => i).sort((a, b) => cands[b].h - cands[a].h || a - b);
      const kept: typeof c = [];
      for (const i of order) if (kept.every((k) => Math.hypot(k.x - cands[i].x, k.y - cands[i].y) >= d)) kept.push(cands[i]);
      return cands.filter((x) => kept.includes(x));
    };
    const highestFirst = [...c].sort((a, b) => b.h - a.h);
    for (const input of [c, highestFirst]) for (const d of [0.5, 4, 13]) expect(suppressNeighbours(input, h, d)).toEqual(greedy(input, d));
  });
});

describe('extractPatches', () => {
  it('returns N x size x size patches of the 2r box, resampled bilinearly', () => {
    const w = 100;
    const img = createImage(w, 80);
    for (let y = 0; y < 80; y++) for (let x = 0; x < w; x++) img.data[y * w + x] = x + 1000 * y;
    const r = 16;
    const out = extractPatches(
      img,
      [
        { x: 40, y: 30 },
        { x: 60, y: 50 },
      ],
      r,
      2,
      64,
    );
    expect(out.length).toBe(2 * 64 * 64);
    // Patch pixel u samples x = cx - r + (u + 0.5) * (2r/64); linear data is reproduced exactly.
    const at = (i: number, u: number, v: number) => out[i * 4096 + v * 64 + u];
    for (const [u, v] of [
      [0, 0],
      [31, 40],
      [63, 63],
    ]) {
      const sx = 40 - r + (u + 0.5) * 0.5;
      const sy = 30 - r + (v + 0.5) * 0.5;
      expect(at(0, u, v)).toBeCloseTo(sx + 1000 * sy, 1);
    }
    // The patch centre is the pick centre.
    expect((at(1, 31, 32) + at(1, 32, 32)) / 2).toBeCloseTo(60 + 1000 * (50 + 0.25), 1);
  });
  it('a 2r = size box with an integer-offset centre copies pixels', () => {
    const img = createImage(10, 10);
    for (let i = 0; i < 100; i++) img.data[i] = i;
    const p = extractPatches(img, [{ x: 4.5, y: 4.5 }], 2, 2, 4);
    // Box [3, 7) in edge units: columns/rows 3..6.
    expect(Array.from(p.subarray(0, 4))).toEqual([33, 34, 35, 36]);
    expect(() => extractPatches(img, [], 0)).toThrow(ParameterError);
    expect(() => extractPatches(img, [], 2, 0)).toThrow(ParameterError);
    expect(extractPatches(img, [], 2).length).toBe(0);
  });
  it('the default box is CLASSIFIER_BOX_RADII radii: the particle and a ring of its surroundings', () => {
    const img = createImage(100, 100);
    for (let i = 0; i < 10000; i++) img.data[i] = i % 100;
    const r = 8;
    const out = extractPatches(img, [{ x: 50, y: 50 }], r);
    // Pixel u samples x = 50.5 - side/2 + (u + 0.5) * side / 64 - 0.5, side = 4r = 32.
    const side = CLASSIFIER_BOX_RADII * r;
    expect(side).toBe(32);
    expect(out[0]).toBeCloseTo(50 - side / 2 + 0.5 * (side / 64), 3);
    expect(out[63]).toBeCloseTo(50 - side / 2 + 63.5 * (side / 64), 3);
  });
});
