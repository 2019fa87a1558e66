// Projection of a rotated pseudo-atomic model along the beam (z) into a 2D map of projected
// mass (Da per pixel). Each pseudo-atom is splatted as a 2D Gaussian at its sub-pixel
// position; the kernel is separable, so per atom we compute two short 1D weight vectors and
// add their outer product. Weights are normalised so every atom deposits exactly its mass.
// Speed trick: a Gaussian of sigma s equals a Gaussian of s_r convolved with one of
// sqrt(s^2 - s_r^2). The simulator splats narrow Gaussians (s_r = SPLAT_SIGMA_PX, 5x5 taps)
// and applies the common remainder as a free factor in its Fourier pass (see splatPlan).

import type { PseudoAtomModel } from './phantoms';
import type { Mat3 } from './rotation';

/** A map the splatter writes into; `wrap` makes it periodic (the FFT canvas is periodic). */
export interface SplatTarget {
  width: number;
  height: number;
  data: Float32Array;
  wrap: boolean;
}

/** Smallest Gaussian sigma in pixels: narrower ones would be point-sampled and alias. */
export const MIN_SPLAT_SIGMA_PX = 0.6;

/** Sigma of the narrow splat kernel when the rest of the blur is done in Fourier space. */
export const SPLAT_SIGMA_PX = 0.7;

/** Atom Gaussian sigma in pixels of a model at a pixel size (never below MIN_SPLAT_SIGMA_PX). */
export function atomSigmaPx(model: PseudoAtomModel, pixelSize: number): number {
  return Math.max(model.atomSigma / pixelSize, MIN_SPLAT_SIGMA_PX);
}

export interface SplatPlan {
  /** Blur (pixels) common to every model, to apply in Fourier space. */
  commonSigmaPx: number;
  /** Splat sigma (pixels) per model kind. */
  splatSigmaPx: Map<string, number>;
}

/**
 * Split each model's atom blur into a narrow splat plus a blur shared by all models:
 * common^2 = min_k(sigma_k^2) - SPLAT_SIGMA_PX^2, splat_k^2 = sigma_k^2 - common^2.
 */
export function splatPlan(models: readonly PseudoAtomModel[], pixelSize: number): SplatPlan {
  const sig = models.map((m) => atomSigmaPx(m, pixelSize));
  const min2 = Math.min(...sig.map((s) => s * s));
  const common2 = Math.max(0, min2 - SPLAT_SIGMA_PX * SPLAT_SIGMA_PX);
  const splatSigmaPx = new Map<string, number>();
  models.forEach((m, i) => splatSigmaPx.set(m.kind, Math.sqrt(sig[i] * sig[i] - common2)));
  return { commonSigmaPx: Math.sqrt(common2), splatSigmaPx };
}

/**
 * Add the projection of `model`, rotated by `rot`, centred at (cx, cy) pixels, to `target`.
 * `scale` multiplies the deposited mass (use 1 for Da per pixel). `sigmaPx` overrides the
 * atom Gaussian (see splatPlan).
 */
export function projectModel(
  target: SplatTarget,
  model: PseudoAtomModel,
  rot: Mat3,
  cx: number,
  cy: number,
  pixelSize: number,
  scale = 1,
  sigmaPx = atomSigmaPx(model, pixelSize),
): void {
  const { width, height, data, wrap } = target;
  const sigma = sigmaPx;
  // 3 sigma keeps >98.9% of each 1D weight before renormalisation.
  const radius = Math.max(2, Math.ceil(3 * sigma - 0.2));
  const n = 2 * radius + 1;
  const wx = new Float64Array(n);
  const wy = new Float64Array(n);
  const inv2s2 = 1 / (2 * sigma * sigma);
  const mass = model.atomMass * scale;
  const pos = model.positions;
  const invPx = 1 / pixelSize;
  for (let a = 0; a < model.count; a++) {
    const px = pos[3 * a];
    const py = pos[3 * a + 1];
    const pz = pos[3 * a + 2];
    const x = cx + (rot[0] * px + rot[1] * py + rot[2] * pz) * invPx;
    const y = cy + (rot[3] * px + rot[4] * py + rot[5] * pz) * invPx;
    const x0 = Math.round(x) - radius;
    const y0 = Math.round(y) - radius;
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < n; i++) {
      const dx = x0 + i - x;
      const dy = y0 + i - y;
      wx[i] = Math.exp(-dx * dx * inv2s2);
      wy[i] = Math.exp(-dy * dy * inv2s2);
      sx += wx[i];
      sy += wy[i];
    }
    const norm = mass / (sx * sy);
    for (let j = 0; j < n; j++) {
      let yy = y0 + j;
      if (wrap) yy = ((yy % height) + height) % height;
      else if (yy < 0 || yy >= height) continue;
      const wyj = wy[j] * norm;
      const row = yy * width;
      if (x0 >= 0 && x0 + n <= width) {
        for (let i = 0; i < n; i++) data[row + x0 + i] += wx[i] * wyj;
        continue;
      }
      for (let i = 0; i < n; i++) {
        let xx = x0 + i;
        if (wrap) xx = ((xx % width) + width) % width;
        else if (xx < 0 || xx >= width) continue;
        data[row + xx] += wx[i] * wyj;
      }
    }
  }
}
