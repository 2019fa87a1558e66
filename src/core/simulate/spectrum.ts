// Realism checks for simulated micrographs: the radially averaged power spectrum (Thon
// rings), the positions of its minima, and the per-particle signal-to-noise ratio.

import { ParameterError } from '../errors';
import { rfft2d } from '../fft2d';
import type { Image2D } from '../image';
import { createRng } from '../random';
import { particleDiameterPx, type ParticleKind } from './phantoms';
import { randomQuat } from './rotation';
import { simulateMicrograph, type SimConfig } from './simulate';

export interface PowerSpectrum {
  /** Tile side used (pixels). */
  tile: number;
  /** Spatial frequency of each radial bin, 1/A (bin k is k / (tile * pixelSize)). */
  frequencies: Float64Array;
  /** Mean power per radial bin (arbitrary units, proportional to counts^2). */
  power: Float64Array;
  /** Averaged 2D power, half plane: tile rows x (tile/2 + 1) columns, DC at row 0. */
  power2d: Float64Array;
}

/**
 * Welch estimate: the image is cut into non-overlapping tiles of `tile` pixels (a power of
 * two), each mean-subtracted and Hann-windowed; their periodograms are averaged, then
 * averaged over rings of equal |frequency|.
 */
export function radialPowerSpectrum(image: Image2D, pixelSize: number, tile = 512): PowerSpectrum {
  const { width, height, data } = image;
  let t = tile;
  while (t > Math.min(width, height)) t /= 2;
  if (t < 16) throw new ParameterError(`image ${width} x ${height} is too small for a power spectrum`);
  const cols = t / 2 + 1;
  const acc = new Float64Array(t * cols);
  const win = new Float64Array(t);
  for (let i = 0; i < t; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / t);
  const buf = new Float32Array(t * t);
  let tiles = 0;
  for (let y0 = 0; y0 + t <= height; y0 += t) {
    for (let x0 = 0; x0 + t <= width; x0 += t) {
      let mean = 0;
      for (let y = 0; y < t; y++) for (let x = 0; x < t; x++) mean += data[(y0 + y) * width + x0 + x];
      mean /= t * t;
      for (let y = 0; y < t; y++) for (let x = 0; x < t; x++) buf[y * t + x] = (data[(y0 + y) * width + x0 + x] - mean) * win[x] * win[y];
      const spec = rfft2d(buf, t, t);
      for (let i = 0; i < t * cols; i++) acc[i] += spec.data[2 * i] ** 2 + spec.data[2 * i + 1] ** 2;
      tiles++;
    }
  }
  for (let i = 0; i < acc.length; i++) acc[i] /= tiles;
  const nb = t / 2 + 1;
  const sum = new Float64Array(nb);
  const cnt = new Float64Array(nb);
  for (let ky = 0; ky < t; ky++) {
    const fy = ky < t / 2 ? ky : ky - t;
    for (let kx = 0; kx < cols; kx++) {
      const r = Math.round(Math.hypot(kx, fy));
      if (r >= nb) continue;
      sum[r] += acc[ky * cols + kx];
      cnt[r]++;
    }
  }
  const power = new Float64Array(nb);
  const frequencies = new Float64Array(nb);
  for (let r = 0; r < nb; r++) {
    power[r] = cnt[r] ? sum[r] / cnt[r] : 0;
    frequencies[r] = r / (t * pixelSize);
  }
  return { tile: t, frequencies, power, power2d: acc };
}

/**
 * Frequencies (1/A) of the local minima of the radial spectrum above `minFreq`, after light
 * smoothing and removal of the smooth fall-off (division by a wide running mean), in
 * increasing order. The minima of a Thon-ring spectrum sit at the CTF zeros.
 */
export function spectrumMinima(ps: PowerSpectrum, minFreq: number, smoothBins = 1): number[] {
  const { power, frequencies } = ps;
  const n = power.length;
  const smooth = (v: Float64Array, h: number): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      let c = 0;
      for (let j = Math.max(1, i - h); j <= Math.min(n - 1, i + h); j++) {
        s += v[j];
        c++;
      }
      out[i] = c ? s / c : v[i];
    }
    return out;
  };
  const logp = new Float64Array(n);
  for (let i = 0; i < n; i++) logp[i] = Math.log(Math.max(power[i], 1e-30));
  const fine = smooth(logp, smoothBins);
  const out: number[] = [];
  for (let i = 2; i < n - 2; i++) {
    if (frequencies[i] < minFreq) continue;
    if (fine[i] < fine[i - 1] && fine[i] <= fine[i + 1]) {
      // Parabolic refinement of the minimum between bins.
      const a = fine[i - 1];
      const b = fine[i];
      const c = fine[i + 1];
      const den = a - 2 * b + c;
      const shift = den > 0 ? (0.5 * (a - c)) / den : 0;
      out.push(frequencies[i] + shift * (frequencies[1] - frequencies[0]));
    }
  }
  return out;
}

export interface SnrOptions {
  /** Orientations averaged (default 8). */
  views?: number;
  seed?: number;
}

export interface SnrResult {
  kind: ParticleKind;
  /** Mean over views of var(signal in the particle's box) / var(noise per pixel). */
  snr: number;
  perView: number[];
  /** Per-pixel noise variance (counts^2) measured on a particle-free image. */
  noiseVariance: number;
  boxPx: number;
}

function variance(values: ArrayLike<number>): number {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < values.length; i++) {
    s += values[i];
    s2 += values[i] * values[i];
  }
  const m = s / values.length;
  return Math.max(0, s2 / values.length - m * m);
}

/**
 * Per-particle SNR as commonly defined for cryo-EM (e.g. Baxter, Grassucci & Frank, J. Struct.
 * Biol. 166:126, 2009): variance of the noise-free particle image inside its box (side = the
 * nominal diameter) over the variance of the noise per pixel. The signal is the noise-free
 * image of one particle (CTF and detector applied, no ice texture); the noise is measured on a
 * particle-free image with the same settings (shot noise plus ice structural noise).
 */
export function particleSnr(kind: ParticleKind, overrides: Partial<SimConfig> = {}, opts: SnrOptions = {}): SnrResult {
  const views = opts.views ?? 8;
  const rng = createRng(opts.seed ?? 7);
  const ps = overrides.pixelSize ?? 1.3;
  const d = particleDiameterPx(kind, ps);
  const box = Math.round(d);
  let side = 64;
  while (side < 3 * d) side *= 2;
  const base: Partial<SimConfig> = {
    ...overrides,
    width: side,
    height: side,
    kind,
    iceGradientNm: 0,
    iceVariation: 0,
    carbon: 'none',
    contamination: 0,
    emptyFraction: 0,
  };
  const noiseImg = simulateMicrograph({ ...base, count: 0, seed: (opts.seed ?? 7) + 1000 });
  const noiseVariance = variance(noiseImg.image.data);
  const perView: number[] = [];
  const c = side / 2;
  const x0 = Math.round(c - box / 2);
  for (let v = 0; v < views; v++) {
    const r = simulateMicrograph({
      ...base,
      iceNoise: 0,
      keepNoiseFree: true,
      particles: [{ x: c, y: c, kind, quat: randomQuat(rng) }],
      seed: (opts.seed ?? 7) + v,
    });
    const img = r.noiseFree!;
    const vals = new Float64Array(box * box);
    for (let y = 0; y < box; y++) for (let x = 0; x < box; x++) vals[y * box + x] = img.data[(x0 + y) * side + x0 + x];
    perView.push(variance(vals) / noiseVariance);
  }
  return { kind, snr: perView.reduce((a, b) => a + b, 0) / views, perView, noiseVariance, boxPx: box };
}
