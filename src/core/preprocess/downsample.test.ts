import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParameterError } from '../errors';
import { createImage } from '../image';
import { AreaDownsampler, downsampleArea, resizeBilinear, sampleBoxBilinear, upsampleBilinear } from './downsample';

function ramp(w: number, h: number) {
  const img = createImage(w, h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) img.data[y * w + x] = x + 100 * y;
  return img;
}

describe('downsampleArea', () => {
  it('averages exact blocks and partial edge blocks over the pixels they have', () => {
    const img = ramp(5, 4); // values x + 100 y
    const out = downsampleArea(img, 2);
    expect([out.width, out.height]).toEqual([3, 2]);
    // block (0,0): x 0..1, y 0..1 -> mean x 0.5, mean y 0.5
    expect(out.data[0]).toBeCloseTo(0.5 + 50, 5);
    // right partial block: x = 4 only
    expect(out.data[2]).toBeCloseTo(4 + 50, 5);
    // bottom-right of a 5x5: single pixel block
    const sq = downsampleArea(ramp(5, 5), 2);
    expect(sq.data[2 * 3 + 2]).toBe(4 + 400);
    expect(sq.data[2 * 3 + 0]).toBeCloseTo(0.5 + 400, 5);
  });
  it('keeps the mean when the blocks are whole, and sizes are ceil(n/f)', () => {
    const img = createImage(12, 9);
    for (let i = 0; i < img.data.length; i++) img.data[i] = Math.sin(i) * 3;
    const out = downsampleArea(img, 3);
    expect([out.width, out.height]).toEqual([4, 3]);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(out.data)).toBeCloseTo(mean(img.data), 5);
    const odd = downsampleArea(createImage(4097, 10), 3);
    expect([odd.width, odd.height]).toEqual([1366, 4]);
  });
  it('factor 1 copies; bad factors are rejected', () => {
    const img = ramp(3, 3);
    const out = downsampleArea(img, 1);
    expect(out.data).toEqual(img.data);
    expect(out.data).not.toBe(img.data);
    expect(() => downsampleArea(img, 0)).toThrow(ParameterError);
    expect(() => downsampleArea(img, 1.5)).toThrow(ParameterError);
  });
});

describe('bilinear resampling', () => {
  it('reproduces a linear function exactly inside the image', () => {
    const img = ramp(20, 20);
    const out = resizeBilinear(img, 40, 40);
    // output pixel u samples source x = (u + 0.5)/2 - 0.5
    for (const [u, v] of [
      [5, 7],
      [20, 30],
      [33, 12],
    ]) {
      const sx = (u + 0.5) / 2 - 0.5;
      const sy = (v + 0.5) / 2 - 0.5;
      expect(out.data[v * 40 + u]).toBeCloseTo(sx + 100 * sy, 3);
    }
  });
  it('same size is the identity; samples outside clamp to the edge', () => {
    const img = ramp(6, 5);
    expect(resizeBilinear(img, 6, 5).data).toEqual(img.data);
    const out = new Float32Array(4);
    sampleBoxBilinear(img, -10, -10, 2, 2, out, 0, 2, 2);
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
  });
  it('upsample then area downsample returns close to the original for smooth data', () => {
    const img = createImage(30, 20);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 30; x++) img.data[y * 30 + x] = Math.sin(x / 6) + Math.cos(y / 5);
    const up = upsampleBilinear(img, 3, 90, 60);
    const back = downsampleArea(up, 3);
    let err = 0;
    for (let y = 1; y < 19; y++) for (let x = 1; x < 29; x++) err = Math.max(err, Math.abs(back.data[y * 30 + x] - img.data[y * 30 + x]));
    expect(err).toBeLessThan(0.02);
  });
});

describe('AreaDownsampler', () => {
  it('fed in bands of whole blocks gives downsampleArea bit for bit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 5 }),
        (w, h, f, blocksPerBand) => {
          const img = createImage(
            w,
            h,
            Float32Array.from({ length: w * h }, (_, i) => Math.sin(i * 1.7) * 1000 + i * 1e-3),
          );
          const d = new AreaDownsampler(w, h, f);
          const band = blocksPerBand * f;
          for (let y = 0; y < h; y += band) d.addRows(img.data.subarray(y * w, Math.min(h, y + band) * w));
          expect(d.result()).toEqual(downsampleArea(img, f));
        },
      ),
    );
  });
  it('rejects a band that splits a block, rows beyond the image, and a result before the last row', () => {
    const d = new AreaDownsampler(4, 6, 2);
    expect(() => d.addRows(new Float32Array(4 * 3))).toThrow(/whole blocks/);
    expect(() => d.addRows(new Float32Array(5))).toThrow(/whole rows/);
    d.addRows(new Float32Array(4 * 2));
    expect(() => d.result()).toThrow(/2 of 6 rows/);
    expect(() => d.addRows(new Float32Array(4 * 6))).toThrow(/rows left/);
  });
});
