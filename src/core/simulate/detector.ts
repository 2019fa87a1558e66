// Detector model: a counting direct detector (K2/K3-like).
//
// MTF: an ideal counting detector registers each electron in one pixel, so its MTF is the
// pixel-aperture sinc, sinc(pi fx) sinc(pi fy) with f in cycles/pixel (0.64 at Nyquist per axis;
// McMullan, Faruqi & Henderson, Ultramicroscopy 147:156, 2014). Real sensors fall a little
// faster (charge sharing, event mislocalisation); we model that with one Lorentzian factor
// 1 / (1 + (w / w0)^2), w = |f| / Nyquist, w0 = 2 by default (a parametric choice, not a fit).
//
// Noise: counting gives white Poisson noise. A DQE(0) below 1 (~0.7-0.8 reported for K2/K3
// counting at 300 kV, same reference) is modelled cheaply by counting dqe * mean electrons and
// rescaling by 1/dqe: the mean is unchanged and the noise variance grows by 1/dqe.

import type { Rng } from '../random';

export interface DetectorParams {
  /** DQE at zero frequency, (0, 1]. */
  dqe: number;
  /** Extra MTF fall-off: the Lorentzian's half point in units of Nyquist (Infinity = ideal). */
  mtfW0: number;
}

export const DEFAULT_DETECTOR: Readonly<DetectorParams> = { dqe: 0.8, mtfW0: 2 };

function sinc(x: number): number {
  return x === 0 ? 1 : Math.sin(x) / x;
}

/** Detector MTF at frequency (fx, fy) in cycles per pixel. */
export function detectorMtf(fx: number, fy: number, w0: number): number {
  const w = Math.hypot(fx, fy) / 0.5;
  const extra = Number.isFinite(w0) ? 1 / (1 + (w / w0) ** 2) : 1;
  return sinc(Math.PI * fx) * sinc(Math.PI * fy) * extra;
}

/**
 * One Poisson-like count with the given mean. Above 12 the normal approximation (rounded to
 * whole electrons) is used: its error is far below the shot noise itself, and it is several
 * times faster than exact sampling at the 20-100 counts per pixel of real micrographs.
 */
export function countElectrons(mean: number, rng: Rng): number {
  if (mean <= 0) return 0;
  if (mean > 12) return Math.max(0, Math.round(mean + Math.sqrt(mean) * rng.normal()));
  return rng.poisson(mean);
}

/** Replace each expected count by a noisy detector reading (in place). */
export function applyShotNoise(expected: Float32Array, dqe: number, rng: Rng): void {
  const inv = 1 / dqe;
  for (let i = 0; i < expected.length; i++) expected[i] = countElectrons(expected[i] * dqe, rng) * inv;
}
