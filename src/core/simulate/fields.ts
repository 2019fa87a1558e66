// Random scalar fields used for backgrounds: a cheap 1/f-like ("fractal") field made of octaves
// of bilinearly interpolated value noise, and the standardisation they share.
// All randomness comes from the seeded Rng, so fields are reproducible.

import type { Rng } from '../random';

/** Rescale in place to zero mean and unit standard deviation. */
export function standardize(data: Float32Array): Float32Array {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < data.length; i++) {
    s += data[i];
    s2 += data[i] * data[i];
  }
  const mean = s / data.length;
  const std = Math.sqrt(Math.max(1e-30, s2 / data.length - mean * mean));
  for (let i = 0; i < data.length; i++) data[i] = (data[i] - mean) / std;
  return data;
}

/**
 * A smooth random field with roughly 1/f amplitude: octaves of value noise on periodic grids
 * of cell size largest, largest/2, ... down to smallest pixels, octave amplitude proportional to
 * its cell size. Returned standardised (mean 0, std 1). The octaves are summed on a grid
 * `smallest/4` times coarser and then interpolated, since the field has no finer detail.
 */
export function fractalField(width: number, height: number, largest: number, smallest: number, rng: Rng): Float32Array {
  const f = Math.max(1, Math.floor(smallest / 4));
  const cw = Math.ceil(width / f) + 1;
  const ch = Math.ceil(height / f) + 1;
  const coarse = new Float32Array(cw * ch);
  for (let cell = largest; cell >= smallest; cell /= 2) {
    const c = cell / f;
    const gw = Math.max(1, Math.ceil(cw / c) + 1);
    const gh = Math.max(1, Math.ceil(ch / c) + 1);
    const grid = new Float32Array(gw * gh);
    for (let i = 0; i < grid.length; i++) grid[i] = rng.normal();
    const amp = cell / largest;
    for (let y = 0; y < ch; y++) {
      const gy = y / c;
      const y0 = Math.floor(gy);
      const fy = gy - y0;
      // Smoothstep weights hide the grid's bilinear creases.
      const ty = fy * fy * (3 - 2 * fy);
      const r0 = Math.min(y0, gh - 1) * gw;
      const r1 = Math.min(y0 + 1, gh - 1) * gw;
      for (let x = 0; x < cw; x++) {
        const gx = x / c;
        const x0 = Math.floor(gx);
        const fx = gx - x0;
        const tx = fx * fx * (3 - 2 * fx);
        const c0 = Math.min(x0, gw - 1);
        const c1 = Math.min(x0 + 1, gw - 1);
        const top = grid[r0 + c0] + (grid[r0 + c1] - grid[r0 + c0]) * tx;
        const bottom = grid[r1 + c0] + (grid[r1 + c1] - grid[r1 + c0]) * tx;
        coarse[y * cw + x] += amp * (top + (bottom - top) * ty);
      }
    }
  }
  if (f === 1) {
    const out = new Float32Array(width * height);
    for (let y = 0; y < height; y++) out.set(coarse.subarray(y * cw, y * cw + width), y * width);
    return standardize(out);
  }
  return standardize(upsampleBilinear(coarse, cw, ch, f, width, height));
}

/** Bilinear upsampling of a coarse grid (sample spacing `f` pixels) to width x height. */
export function upsampleBilinear(coarse: Float32Array, cw: number, ch: number, f: number, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const gy = y / f;
    const y0 = Math.min(Math.floor(gy), ch - 2);
    const ty = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = x / f;
      const x0 = Math.min(Math.floor(gx), cw - 2);
      const tx = gx - x0;
      const i = y0 * cw + x0;
      const top = coarse[i] + (coarse[i + 1] - coarse[i]) * tx;
      const bottom = coarse[i + cw] + (coarse[i + cw + 1] - coarse[i + cw]) * tx;
      out[y * width + x] = top + (bottom - top) * ty;
    }
  }
  return out;
}
