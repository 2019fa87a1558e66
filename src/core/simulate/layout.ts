// Where particles sit in the image plane. Default: random sequential placement without
// overlap (each particle a disk of its nominal radius). Options: a fraction placed in
// touching clusters, a fraction overlapping an already placed particle, empty regions with
// no particles, and centres allowed slightly beyond the edges so some particles are cut.

import type { Rng } from '../random';

export interface EmptyRegion {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  /** Rotation of the ellipse, radians. */
  angle: number;
}

export interface Placement {
  /** Index into LayoutOptions.radii of the particle placed here. */
  index: number;
  x: number;
  y: number;
  radius: number;
  clumped: boolean;
  overlapping: boolean;
}

export interface LayoutOptions {
  width: number;
  height: number;
  /** Radius in pixels of each particle to place (its length is the number to place). */
  radii: number[];
  /** Fraction (0..1) of particles placed in touching clusters of 3-8. */
  clumping: number;
  /** Fraction (0..1) of particles placed overlapping an earlier particle. */
  overlap: number;
  emptyRegions: EmptyRegion[];
  /** Extra acceptance test for a centre (e.g. thinning on carbon). */
  accept?: (x: number, y: number, rng: Rng) => boolean;
  /** Centres may lie up to this many radii beyond the image edge. */
  borderMargin: number;
}

export function insideEmptyRegion(regions: readonly EmptyRegion[], x: number, y: number): boolean {
  for (const r of regions) {
    const c = Math.cos(r.angle);
    const s = Math.sin(r.angle);
    const dx = x - r.cx;
    const dy = y - r.cy;
    const u = (dx * c + dy * s) / r.rx;
    const v = (-dx * s + dy * c) / r.ry;
    if (u * u + v * v <= 1) return true;
  }
  return false;
}

/** A few random elliptical regions covering about `fraction` of the image. */
export function makeEmptyRegions(width: number, height: number, fraction: number, rng: Rng): EmptyRegion[] {
  if (!(fraction > 0)) return [];
  const n = 1 + rng.int(3);
  const area = (fraction * width * height) / n;
  const out: EmptyRegion[] = [];
  for (let i = 0; i < n; i++) {
    const aspect = rng.uniform(0.6, 1.6);
    const r = Math.sqrt(area / Math.PI);
    out.push({
      cx: rng.uniform(0, width),
      cy: rng.uniform(0, height),
      rx: r * Math.sqrt(aspect),
      ry: r / Math.sqrt(aspect),
      angle: rng.uniform(0, Math.PI),
    });
  }
  return out;
}

class SpatialGrid {
  private readonly cells = new Map<number, number[]>();
  constructor(private readonly cell: number) {}
  private key(ix: number, iy: number): number {
    return (ix + 32768) * 65536 + (iy + 32768);
  }
  add(i: number, x: number, y: number): void {
    const k = this.key(Math.floor(x / this.cell), Math.floor(y / this.cell));
    const list = this.cells.get(k);
    if (list) list.push(i);
    else this.cells.set(k, [i]);
  }
  /** Indices of items whose cell lies within `reach` pixels of (x, y). */
  near(x: number, y: number, reach: number): number[] {
    const out: number[] = [];
    const x0 = Math.floor((x - reach) / this.cell);
    const x1 = Math.floor((x + reach) / this.cell);
    const y0 = Math.floor((y - reach) / this.cell);
    const y1 = Math.floor((y + reach) / this.cell);
    for (let ix = x0; ix <= x1; ix++)
      for (let iy = y0; iy <= y1; iy++) {
        const list = this.cells.get(this.key(ix, iy));
        if (list) out.push(...list);
      }
    return out;
  }
}

const MAX_TRIES = 60;

/**
 * Place particles. Returns fewer than requested when the image is too crowded for the
 * non-overlap rule (random sequential placement jams near 55% area coverage).
 */
export function layoutParticles(opts: LayoutOptions, rng: Rng): Placement[] {
  const { width, height, radii } = opts;
  const maxR = Math.max(1, ...radii);
  const grid = new SpatialGrid(2 * maxR);
  const placed: Placement[] = [];
  const n = radii.length;
  const nOverlap = Math.round(n * Math.min(1, Math.max(0, opts.overlap)));
  const nClump = Math.round((n - nOverlap) * Math.min(1, Math.max(0, opts.clumping)));

  const inBounds = (x: number, y: number, r: number): boolean =>
    x >= -opts.borderMargin * r &&
    x <= width - 1 + opts.borderMargin * r &&
    y >= -opts.borderMargin * r &&
    y <= height - 1 + opts.borderMargin * r;
  // `closeness` < 1 lets clustered neighbours touch and squeeze a little, as real clumps do.
  const free = (x: number, y: number, r: number, closeness: number): boolean => {
    for (const j of grid.near(x, y, r + maxR)) {
      const p = placed[j];
      if (Math.hypot(p.x - x, p.y - y) < closeness * (r + p.radius)) return false;
    }
    return true;
  };
  const acceptable = (x: number, y: number, r: number): boolean =>
    inBounds(x, y, r) && !insideEmptyRegion(opts.emptyRegions, x, y) && (!opts.accept || opts.accept(x, y, rng));
  const push = (p: Placement): void => {
    grid.add(placed.length, p.x, p.y);
    placed.push(p);
  };
  const randomPoint = (r: number): [number, number] => [
    rng.uniform(-opts.borderMargin * r, width - 1 + opts.borderMargin * r),
    rng.uniform(-opts.borderMargin * r, height - 1 + opts.borderMargin * r),
  ];

  let k = 0;
  // Clusters first, so they get room.
  while (k < nClump) {
    const size = Math.min(nClump - k, 3 + rng.int(6));
    const members: Placement[] = [];
    for (let t = 0; t < MAX_TRIES && members.length === 0; t++) {
      const r = radii[k];
      const [x, y] = randomPoint(r);
      if (acceptable(x, y, r) && free(x, y, r, 1)) {
        const p = { index: k, x, y, radius: r, clumped: true, overlapping: false };
        push(p);
        members.push(p);
      }
    }
    k++;
    if (members.length === 0) continue;
    for (let m = 1; m < size; m++, k++) {
      const r = radii[k];
      for (let t = 0; t < MAX_TRIES; t++) {
        const anchor = members[rng.int(members.length)];
        const a = rng.uniform(0, 2 * Math.PI);
        const d = (anchor.radius + r) * rng.uniform(0.85, 1.0);
        const x = anchor.x + d * Math.cos(a);
        const y = anchor.y + d * Math.sin(a);
        if (acceptable(x, y, r) && free(x, y, r, 0.85)) {
          const p = { index: k, x, y, radius: r, clumped: true, overlapping: false };
          push(p);
          members.push(p);
          break;
        }
      }
    }
  }
  for (; k < n - nOverlap; k++) {
    const r = radii[k];
    for (let t = 0; t < MAX_TRIES; t++) {
      const [x, y] = randomPoint(r);
      if (acceptable(x, y, r) && free(x, y, r, 1)) {
        push({ index: k, x, y, radius: r, clumped: false, overlapping: false });
        break;
      }
    }
  }
  for (; k < n; k++) {
    const r = radii[k];
    for (let t = 0; t < MAX_TRIES && placed.length > 0; t++) {
      const other = placed[rng.int(placed.length)];
      const a = rng.uniform(0, 2 * Math.PI);
      const d = (other.radius + r) * rng.uniform(0.3, 0.7);
      const x = other.x + d * Math.cos(a);
      const y = other.y + d * Math.sin(a);
      if (acceptable(x, y, r)) {
        other.overlapping = true;
        push({ index: k, x, y, radius: r, clumped: false, overlapping: true });
        break;
      }
    }
  }
  return placed;
}
