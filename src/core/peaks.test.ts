import { describe, expect, it } from 'vitest';
import { ParameterError } from './errors';
import { createImage, type Image2D } from './image';
import { createRng } from './random';
import { findPeaks, extendedMaxima, hMaximaTransform, PeakFinder, type Peak } from './peaks';

function gaussians(w: number, h: number, bumps: { x: number; y: number; a: number; s: number }[], noise = 0, seed = 1): Image2D {
  const rng = createRng(seed);
  const img = createImage(w, h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let v = noise ? rng.next() * noise : 0;
      for (const b of bumps) v += b.a * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.s * b.s));
      img.data[y * w + x] = v;
    }
  return img;
}

/** Slow reference: geodesic dilation (8-neighbour max, then min with f) iterated to stability. */
function hmaxReference(f: Float32Array, w: number, h: number, hgt: number): Float32Array {
  let g = f.map((v) => v - hgt);
  for (;;) {
    const next = new Float32Array(g.length);
    let changed = false;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        let m = -Infinity;
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const xx = x + dx;
            const yy = y + dy;
            if (xx >= 0 && yy >= 0 && xx < w && yy < h) m = Math.max(m, g[yy * w + xx]);
          }
        const v = Math.min(m, f[y * w + x]);
        next[y * w + x] = v;
        if (v !== g[y * w + x]) changed = true;
      }
    g = next;
    if (!changed) return g;
  }
}

/** Slow reference regional maxima: label plateaus, keep those with no higher neighbour. */
function regionalMaximaReference(g: Float32Array, w: number, h: number): { x: number; y: number; area: number }[] {
  const seen = new Uint8Array(g.length);
  const out: { x: number; y: number; area: number }[] = [];
  for (let s = 0; s < g.length; s++) {
    if (seen[s]) continue;
    const v = g[s];
    const todo = [s];
    seen[s] = 1;
    let isMax = true;
    let sx = 0;
    let sy = 0;
    let n = 0;
    while (todo.length) {
      const p = todo.pop()!;
      const x = p % w;
      const y = (p - x) / w;
      sx += x;
      sy += y;
      n++;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const q = yy * w + xx;
          if (g[q] > v) isMax = false;
          else if (g[q] === v && !seen[q]) {
            seen[q] = 1;
            todo.push(q);
          }
        }
    }
    if (isMax) out.push({ x: sx / n, y: sy / n, area: n });
  }
  return out;
}

const key = (p: { x: number; y: number; area: number }) => `${p.x.toFixed(4)},${p.y.toFixed(4)},${p.area}`;

describe('h-maxima reconstruction vs slow reference', () => {
  it('matches iterated geodesic dilation on random small maps', () => {
    const rng = createRng(11);
    for (let t = 0; t < 40; t++) {
      const w = 3 + rng.int(20);
      const h = 3 + rng.int(20);
      const img = createImage(w, h);
      // Quantised values create plateaus and ties, the hard cases.
      const levels = 2 + rng.int(12);
      for (let i = 0; i < img.data.length; i++) img.data[i] = rng.int(levels) * 3;
      const hgt = rng.int(4) * 3 + (t % 2 ? 1.5 : 0);
      const fast = hMaximaTransform(img, hgt).data;
      const slow = hmaxReference(img.data, w, h, hgt);
      expect(Array.from(fast)).toEqual(Array.from(slow));
      // Extended maxima: both fast methods agree with RMAX of the reference HMAX.
      const ref = regionalMaximaReference(slow, w, h).map(key).sort();
      expect(extendedMaxima(img, hgt, 'reconstruction').map(key).sort()).toEqual(ref);
      expect(extendedMaxima(img, hgt, 'flood').map(key).sort()).toEqual(ref);
    }
  });
  it('flood and reconstruction agree on smooth random maps', () => {
    const rng = createRng(5);
    for (let t = 0; t < 10; t++) {
      const bumps = Array.from({ length: 30 }, () => ({
        x: rng.uniform(0, 80),
        y: rng.uniform(0, 60),
        a: rng.uniform(5, 100),
        s: rng.uniform(1.5, 6),
      }));
      const img = gaussians(80, 60, bumps, 3, t);
      for (const hgt of [0, 1, 4, 12, 40]) {
        expect(extendedMaxima(img, hgt, 'flood').map(key).sort()).toEqual(extendedMaxima(img, hgt, 'reconstruction').map(key).sort());
      }
    }
  });
});

describe('findPeaks', () => {
  const params = { sigma: 1, threshold: 4, kLevel: 1 };
  it('finds isolated Gaussians at their centres within 0.5 px', () => {
    const truth = [
      { x: 20.3, y: 30.6, a: 1, s: 4 },
      { x: 70, y: 25.2, a: 0.8, s: 5 },
      { x: 45.7, y: 70.1, a: 0.6, s: 4 },
    ];
    const peaks = findPeaks(gaussians(100, 100, truth), params);
    expect(peaks.length).toBe(3);
    for (const t of truth) {
      const p = peaks.find((q) => Math.hypot(q.x - t.x, q.y - t.y) < 3)!;
      expect(p).toBeDefined();
      expect(Math.abs(p.x - t.x)).toBeLessThan(0.5);
      expect(Math.abs(p.y - t.y)).toBeLessThan(0.5);
    }
    // Sorted by height, the highest bump first, heights on 0..1.
    expect(Math.hypot(peaks[0].x - 20.3, peaks[0].y - 30.6)).toBeLessThan(1);
    expect(peaks[0].height).toBeGreaterThan(peaks[1].height);
    expect(peaks[0].height).toBeLessThanOrEqual(1);
  });
  it('a plateau gives one centre at its centroid', () => {
    const img = createImage(40, 30);
    for (let y = 10; y < 15; y++) for (let x = 5; x < 20; x++) img.data[y * 40 + x] = 1; // 15 x 5 flat top
    const peaks = extendedMaxima(img, 0.5);
    expect(peaks.length).toBe(1);
    expect(peaks[0]).toMatchObject({ x: 12, y: 12, area: 75 });
    const smoothed = findPeaks(img, { sigma: 0, threshold: 1, kLevel: 1 });
    expect(smoothed.length).toBe(1);
    expect(smoothed[0].x).toBeCloseTo(12, 1);
    expect(smoothed[0].y).toBeCloseTo(12, 1);
  });
  it('separates two touching peaks only when the dip between them exceeds h', () => {
    // Two bumps of equal height 100 with a saddle; measure the dip on the map itself.
    const img = gaussians(60, 30, [
      { x: 22, y: 15, a: 100, s: 4 },
      { x: 38, y: 15, a: 100, s: 4 },
    ]);
    const peak = img.data[15 * 60 + 22];
    const saddle = img.data[15 * 60 + 30];
    const dip = peak - saddle;
    expect(dip).toBeGreaterThan(10);
    expect(extendedMaxima(img, dip * 0.9).length).toBe(2);
    expect(extendedMaxima(img, dip * 1.1).length).toBe(1);
    const merged = extendedMaxima(img, dip * 1.1)[0];
    expect(merged.x).toBeCloseTo(30, 0);
  });
  it('finds peaks at the image border', () => {
    const img = gaussians(50, 40, [
      { x: 0, y: 20, a: 1, s: 4 },
      { x: 49, y: 39, a: 1, s: 4 },
    ]);
    const peaks = findPeaks(img, params);
    expect(peaks.length).toBe(2);
    expect(peaks.some((p) => p.x < 1.5 && Math.abs(p.y - 20) < 1)).toBe(true);
    expect(peaks.some((p) => p.x > 47.5 && p.y > 37.5)).toBe(true);
  });
  it('a higher threshold never gives more peaks (monotone in h)', () => {
    const rng = createRng(9);
    const bumps = Array.from({ length: 60 }, () => ({
      x: rng.uniform(0, 120),
      y: rng.uniform(0, 120),
      a: rng.uniform(0.1, 1),
      s: rng.uniform(2, 5),
    }));
    const finder = new PeakFinder(gaussians(120, 120, bumps, 0.1, 3));
    for (const sigma of [0, 2, 4]) {
      let prev = Infinity;
      for (const threshold of [0, 0.5, 1, 2, 3, 4, 6, 8, 12, 20, 40]) {
        const n = finder.find({ sigma, threshold, kLevel: 1 }).length;
        expect(n).toBeLessThanOrEqual(prev);
        prev = n;
      }
      // k multiplies the threshold.
      expect(finder.find({ sigma, threshold: 3, kLevel: 2 }).length).toBe(finder.find({ sigma, threshold: 6, kLevel: 1 }).length);
    }
  });
  it('PeakFinder re-picks give the same answer as a fresh detector', () => {
    const rng = createRng(4);
    const bumps = Array.from({ length: 40 }, () => ({ x: rng.uniform(0, 100), y: rng.uniform(0, 80), a: rng.uniform(0.2, 1), s: 3 }));
    const map = gaussians(100, 80, bumps, 0.05, 8);
    const finder = new PeakFinder(map);
    for (const p of [
      { sigma: 4, threshold: 4, kLevel: 1 },
      { sigma: 4, threshold: 8, kLevel: 2 },
      { sigma: 6, threshold: 3, kLevel: 1 },
      { sigma: 4, threshold: 4, kLevel: 1 },
    ]) {
      const got: Peak[] = finder.find(p);
      expect(got).toEqual(findPeaks(map, p));
    }
  });
  it('a flat map has no peaks; bad parameters are rejected', () => {
    expect(findPeaks(createImage(10, 10), params)).toEqual([]);
    const map = gaussians(20, 20, [{ x: 10, y: 10, a: 1, s: 3 }]);
    expect(() => findPeaks(map, { sigma: -1, threshold: 4, kLevel: 1 })).toThrow(ParameterError);
    expect(() => findPeaks(map, { sigma: 2, threshold: Number.NaN, kLevel: 1 })).toThrow(ParameterError);
    expect(() => findPeaks(map, { sigma: 2, threshold: 4, kLevel: 0 })).toThrow(ParameterError);
    expect(() => findPeaks(createImage(3, 3, Float32Array.from([0, 1, 2, 3, Number.NaN, 5, 6, 7, 8])), params)).toThrow(/not finite/);
  });
});
