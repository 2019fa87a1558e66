// Things in real micrographs that are not particles and that fool pickers: the edge of the
// holey carbon support, ice-contamination blobs, ice-thickness gradients and grainy textures.
// Geometry only (plus rasterisation); simulate.ts turns these into potential and intensity.

import type { Rng } from '../random';
import { upsampleBilinear, standardize } from './fields';

/** Carbon support: everything outside a large circular hole is carbon. */
export interface CarbonGeometry {
  cx: number;
  cy: number;
  holeRadius: number;
  /** Fraction of the image area on carbon. */
  fraction: number;
}

/** Signed distance (pixels) from the hole edge; positive on carbon. */
export function carbonDistance(g: CarbonGeometry, x: number, y: number): number {
  return Math.hypot(x - g.cx, y - g.cy) - g.holeRadius;
}

/**
 * A hole edge crossing the image, with about `fraction` of the image on carbon. The hole
 * radius is 1-2 image widths (holes of R2/2 or R1.2/1.3 grids are 1.2-2 um across, larger
 * than a 0.5 um field of view), so the edge is a gentle arc.
 */
export function makeCarbon(width: number, height: number, fraction: number, rng: Rng): CarbonGeometry {
  const holeRadius = Math.max(width, height) * rng.uniform(1, 2);
  const a = rng.uniform(0, 2 * Math.PI);
  const nx = Math.cos(a);
  const ny = Math.sin(a);
  const mx = width / 2;
  const my = height / 2;
  // Bisection on the edge's offset along n so the coarse-grid carbon fraction matches.
  const coverage = (offset: number): number => {
    const cx = mx + nx * (offset - holeRadius);
    const cy = my + ny * (offset - holeRadius);
    let c = 0;
    const g = 48;
    for (let i = 0; i < g; i++)
      for (let j = 0; j < g; j++) {
        const x = ((i + 0.5) / g) * width;
        const y = ((j + 0.5) / g) * height;
        if (Math.hypot(x - cx, y - cy) > holeRadius) c++;
      }
    return c / (g * g);
  };
  let lo = -Math.max(width, height);
  let hi = Math.max(width, height);
  for (let it = 0; it < 30; it++) {
    const mid = (lo + hi) / 2;
    // Larger offset moves the edge towards +n, leaving less carbon.
    if (coverage(mid) > fraction) lo = mid;
    else hi = mid;
  }
  const offset = (lo + hi) / 2;
  return { cx: mx + nx * (offset - holeRadius), cy: my + ny * (offset - holeRadius), holeRadius, fraction: coverage(offset) };
}

/** Carbon mask in [0, 1] with a soft edge of `edgePx` pixels. */
export function rasterizeCarbon(g: CarbonGeometry, width: number, height: number, edgePx = 1.5): Float32Array {
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const d = carbonDistance(g, x, y);
      out[y * width + x] = d > edgePx ? 1 : d < -edgePx ? 0 : 0.5 + d / (2 * edgePx);
    }
  return out;
}

/** An ice-contamination blob: a lens of ice with an irregular outline. */
export interface ContaminationBlob {
  cx: number;
  cy: number;
  /** Mean radius, pixels. */
  radius: number;
  /** Outline harmonics: r(theta) = radius (1 + sum a_k cos(k theta + p_k)), k = 2.. */
  amps: number[];
  phases: number[];
  /** Peak thickness, nm. */
  thicknessNm: number;
  /** Crystalline ice diffracts strongly: darker, with bend-contour-like mottling. */
  crystalline: boolean;
}

export function makeContamination(width: number, height: number, count: number, pixelSize: number, rng: Rng): ContaminationBlob[] {
  const out: ContaminationBlob[] = [];
  for (let i = 0; i < count; i++) {
    // 30-120 nm across: the ice balls and frost typically seen on grids.
    const radius = (rng.uniform(150, 600) / pixelSize) * (0.6 + 0.4 * rng.next());
    const amps: number[] = [];
    const phases: number[] = [];
    for (let k = 2; k <= 6; k++) {
      amps.push((rng.uniform(0, 0.25) / k) * 2);
      phases.push(rng.uniform(0, 2 * Math.PI));
    }
    out.push({
      cx: rng.uniform(0, width),
      cy: rng.uniform(0, height),
      radius,
      amps,
      phases,
      thicknessNm: rng.uniform(40, 150),
      crystalline: rng.next() < 0.5,
    });
  }
  return out;
}

export function blobRadiusAt(b: ContaminationBlob, theta: number): number {
  let f = 1;
  for (let k = 0; k < b.amps.length; k++) f += b.amps[k] * Math.cos((k + 2) * theta + b.phases[k]);
  return b.radius * Math.max(0.3, f);
}

export function insideBlob(b: ContaminationBlob, x: number, y: number): boolean {
  const dx = x - b.cx;
  const dy = y - b.cy;
  const d = Math.hypot(dx, dy);
  return d < blobRadiusAt(b, Math.atan2(dy, dx));
}

/** Add each blob's thickness (nm) into `out`: a lens profile t0 sqrt(1 - (d/r)^2). */
export function rasterizeContamination(blobs: readonly ContaminationBlob[], width: number, height: number, out: Float32Array): void {
  for (const b of blobs) {
    const rmax = b.radius * (1 + b.amps.reduce((s, a) => s + a, 0));
    const x0 = Math.max(0, Math.floor(b.cx - rmax));
    const x1 = Math.min(width - 1, Math.ceil(b.cx + rmax));
    const y0 = Math.max(0, Math.floor(b.cy - rmax));
    const y1 = Math.min(height - 1, Math.ceil(b.cy + rmax));
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        const dx = x - b.cx;
        const dy = y - b.cy;
        const d = Math.hypot(dx, dy);
        if (d >= rmax) continue;
        const r = blobRadiusAt(b, Math.atan2(dy, dx));
        if (d < r) out[y * width + x] += b.thicknessNm * Math.sqrt(1 - (d / r) ** 2);
      }
  }
}

/** Grainy texture: white noise on a grid `grainPx` apart, interpolated; mean 0, std 1. */
export function grainField(width: number, height: number, grainPx: number, rng: Rng): Float32Array {
  const f = Math.max(1, grainPx);
  const cw = Math.ceil(width / f) + 2;
  const ch = Math.ceil(height / f) + 2;
  const coarse = new Float32Array(cw * ch);
  for (let i = 0; i < coarse.length; i++) coarse[i] = rng.normal();
  if (f === 1) {
    const out = new Float32Array(width * height);
    for (let y = 0; y < height; y++) out.set(coarse.subarray(y * cw, y * cw + width), y * width);
    return out;
  }
  return standardize(upsampleBilinear(coarse, cw, ch, f, width, height));
}

/** Ice thickness (nm) along a linear ramp: mean `mean`, total change `gradient` across the image. */
export function iceRamp(width: number, height: number, mean: number, gradient: number, angle: number): Float32Array {
  const out = new Float32Array(width * height);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  // Normalise the projection so it spans [-0.5, 0.5] across the image.
  const span = Math.abs(c) * (width - 1) + Math.abs(s) * (height - 1) || 1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const u = ((x - (width - 1) / 2) * c + (y - (height - 1) / 2) * s) / span;
      out[y * width + x] = mean + gradient * u;
    }
  return out;
}
