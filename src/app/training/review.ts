// Training samples as the user reviews them before a run: positions in ORIGINAL pixels with a
// label, shown on the micrograph as the boxes the patches are cut from. Clicking a box flips
// its label (classifier) or removes it; removed samples stay listed (dimmed) so a second
// click restores them. Pure functions: the store and the viewer call them.
import type { Point } from '../../core/candidates';
import { balancedSubset, type ClassifierSample, type SampleLabel } from '../../core/train/classifier-samples';
import { createRng, shuffleInPlace } from '../../core/random';

export interface ReviewSample {
  x: number;
  y: number;
  label: SampleLabel;
  /** Why it was chosen (the labelling's reason, or 'user-pick'). */
  reason: string;
  removed: boolean;
}

/** Samples per micrograph key. */
export type ReviewSet = Record<string, ReviewSample[]>;

export type ClickAction = 'flip' | 'remove';

/** Index of the sample whose box (side `box`, original px) holds the point, nearest centre first; -1 when none. */
export function sampleAt(samples: readonly ReviewSample[], x: number, y: number, box: number): number {
  const h = box / 2;
  let best = -1;
  let bestD = Infinity;
  samples.forEach((s, i) => {
    const dx = Math.abs(s.x - x);
    const dy = Math.abs(s.y - y);
    if (dx > h || dy > h) return;
    const d = dx * dx + dy * dy;
    if (d < bestD) {
      best = i;
      bestD = d;
    }
  });
  return best;
}

/** The click on sample i: 'flip' turns particle into background and back (a removed sample comes back); 'remove' toggles removal. */
export function applyClick(samples: readonly ReviewSample[], i: number, action: ClickAction): ReviewSample[] {
  return samples.map((s, j) => {
    if (j !== i) return s;
    if (action === 'remove' || s.removed) return { ...s, removed: !s.removed };
    return { ...s, label: (1 - s.label) as SampleLabel };
  });
}

export function kept(samples: readonly ReviewSample[]): ReviewSample[] {
  return samples.filter((s) => !s.removed);
}

export interface ReviewCounts {
  particles: number;
  background: number;
  removed: number;
  micrographs: number;
}

export function reviewCounts(set: ReviewSet): ReviewCounts {
  const c: ReviewCounts = { particles: 0, background: 0, removed: 0, micrographs: 0 };
  for (const samples of Object.values(set)) {
    if (samples.length) c.micrographs++;
    for (const s of samples) {
      if (s.removed) c.removed++;
      else if (s.label === 1) c.particles++;
      else c.background++;
    }
  }
  return c;
}

/** Points as x,y pairs (what crosses to the worker, transferred). */
export function packXY(points: readonly Point[]): Float32Array {
  const out = new Float32Array(points.length * 2);
  points.forEach((p, i) => {
    out[2 * i] = p.x;
    out[2 * i + 1] = p.y;
  });
  return out;
}

/** A seeded choice of at most `cap` of `indices`, in their order. */
export function seededSubset(indices: readonly number[], cap: number, seed: number): number[] {
  if (indices.length <= cap) return indices.slice();
  return shuffleInPlace(indices.slice(), createRng(seed))
    .slice(0, Math.max(0, cap))
    .sort((a, b) => a - b);
}

/**
 * The unsupervised samples of several micrographs as one review set: classes balanced over
 * all of them (the paper cuts the larger class to the smaller's size), then at most
 * `maxPerClass` of each class, seeded.
 */
export function selectClassifierSamples(
  byMic: Readonly<Record<string, readonly ClassifierSample[]>>,
  maxPerClass: number,
  seed: number,
): ReviewSet {
  const flat: { key: string; s: ClassifierSample }[] = [];
  for (const [key, samples] of Object.entries(byMic)) for (const s of samples) flat.push({ key, s });
  const balanced = balancedSubset(
    Uint8Array.from(flat, (f) => f.s.label),
    seed,
  );
  const pos = balanced.filter((i) => flat[i].s.label === 1);
  const neg = balanced.filter((i) => flat[i].s.label === 0);
  const chosen = [...seededSubset(pos, maxPerClass, seed), ...seededSubset(neg, maxPerClass, seed + 1)].sort((a, b) => a - b);
  const out: ReviewSet = Object.fromEntries(Object.keys(byMic).map((k) => [k, [] as ReviewSample[]]));
  for (const i of chosen) {
    const { key, s } = flat[i];
    out[key].push({ x: s.x, y: s.y, label: s.label, reason: s.reason, removed: false });
  }
  return out;
}

/** The user's picks of several micrographs as detector samples: at most `maxPicks` of them in all, seeded. */
export function selectDetectorSamples(byMic: Readonly<Record<string, readonly Point[]>>, maxPicks: number, seed: number): ReviewSet {
  const flat: { key: string; p: Point }[] = [];
  for (const [key, picks] of Object.entries(byMic)) for (const p of picks) flat.push({ key, p });
  const out: ReviewSet = Object.fromEntries(Object.keys(byMic).map((k) => [k, [] as ReviewSample[]]));
  for (const i of seededSubset(
    flat.map((_, i) => i),
    maxPicks,
    seed,
  )) {
    const { key, p } = flat[i];
    out[key].push({ x: p.x, y: p.y, label: 1, reason: 'user-pick', removed: false });
  }
  return out;
}

/**
 * What the detector is trained on in one micrograph: every pick of the user is a particle in
 * the label map, and the kept samples (first in the list) are the patch centres.
 */
export function detectorTruth(
  samples: readonly ReviewSample[],
  allPicks: readonly Point[],
  diameter: number,
): { truth: Point[]; centres: number } {
  const centres = kept(samples);
  const r2 = (diameter / 4) ** 2;
  const others = allPicks.filter((p) => !centres.some((c) => (c.x - p.x) ** 2 + (c.y - p.y) ** 2 <= r2));
  return { truth: [...centres.map((c) => ({ x: c.x, y: c.y })), ...others], centres: centres.length };
}
