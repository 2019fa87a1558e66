// The held-out simulated test conditions shared by scripts/evaluate.ts (quality of the shipped
// models) and bench/relion-peer.ts (RELION LoG side by side): which conditions, which seeds,
// and which truth a picker is held to.
//
// Test micrographs are simulated with seeds and conditions never used in training
// (src/core/train/dataset.ts): betagal and apoferritin are held-out kinds (betagal is the
// default kind of every condition preset), typical defocus 1.5-2.5 um and dose 40 are held
// out, and low defocus 0.5-1.0 um is below the training range.
import { dropBorderPicks } from '../src/core/candidates';
import { matchPicks, type MatchResult } from '../src/core/metrics';
import type { Particle } from '../src/core/coords/types';
import { chooseWorkingScale, originalToWorking } from '../src/core/preprocess/scale';
import { presetConfig, type SimPresetName } from '../src/core/simulate/presets';
import { NAMED_KINDS } from '../src/core/simulate/phantoms';
import { simulateMicrograph, truthPicks, type SimConfig, type SimResult } from '../src/core/simulate/simulate';
import { simDiameter, TRAINING_KINDS } from '../src/core/train/dataset';

/** Test seeds start here, tuning seeds at TUNING_SEED_BASE: both far from training's 100,000+. */
export const TEST_SEED_BASE = 9_000_000;
export const TUNING_SEED_BASE = 8_000_000;

export interface Condition {
  name: string;
  preset: SimPresetName;
  note: string;
}

export const CONDITIONS: Condition[] = [
  { name: 'typical', preset: 'typical', note: 'betagal, dose 40, defocus 1.5-2.5 um, no carbon' },
  ...NAMED_KINDS.map((k) => ({
    name: `kind: ${k}`,
    preset: k as SimPresetName,
    note: TRAINING_KINDS.includes(k) ? 'trained kind, held-out seeds/defocus/dose' : 'HELD-OUT kind',
  })),
  { name: 'low defocus', preset: 'low-defocus', note: 'defocus 0.5-1.0 um (below training range)' },
  { name: 'carbon edge', preset: 'carbon-edge', note: '30% carbon, particles on carbon count' },
  { name: 'contamination', preset: 'contamination', note: '4 ice blobs, ice gradient' },
  { name: 'crowded', preset: 'crowded', note: 'density 0.45, clumping, overlap' },
  { name: 'negative stain', preset: 'negative-stain', note: '200 kV, 2 A/px, inverted' },
];

/** Seed of test image `image` of condition number `condition` (index into CONDITIONS). */
export function testSeed(condition: number, image: number): number {
  return TEST_SEED_BASE + 100 * condition + image;
}

/** A square micrograph of a condition preset. */
export function simulateCondition(preset: SimPresetName, seed: number, size: number): SimResult {
  const cfg: Partial<SimConfig> = presetConfig(preset, { width: size, height: size, seed });
  return simulateMicrograph(cfg);
}

/**
 * The points inside the band every picker can pick in: the paper's border drop (docs/method.md, step 6)
 * drops boxes within 1.5 r of the edge at the working scale the pipeline chooses for this
 * micrograph.
 */
export function insideScoredBand<T extends { x: number; y: number }>(points: readonly T[], sim: SimResult, refRadius: number): T[] {
  const W = sim.image.width;
  const H = sim.image.height;
  const { scale, radius } = chooseWorkingScale(simDiameter(sim), Math.max(W, H), { refRadius });
  const working = points.map((p) => ({ p, x: originalToWorking(p.x, scale), y: originalToWorking(p.y, scale) }));
  return dropBorderPicks(working, Math.ceil(W / scale), Math.ceil(H / scale), radius).map((t) => t.p);
}

/** Truth the picker can be held to (inside the scored band), and the matching radius (d/2). */
export function scorableTruth(sim: SimResult, refRadius: number): { truth: Particle[]; radius: number } {
  return { truth: insideScoredBand(truthPicks(sim), sim, refRadius), radius: simDiameter(sim) / 2 };
}

/**
 * A picker's picks scored against the scorable truth, both held to the band: a pick nearer the
 * edge (the edge margin lets the picker keep particles lying wholly inside) counts neither way,
 * as the truth there does not.
 */
export function scoreInBand(picks: readonly { x: number; y: number }[], sim: SimResult, refRadius: number): MatchResult {
  const { truth, radius } = scorableTruth(sim, refRadius);
  return matchPicks(insideScoredBand(picks, sim, refRadius), truth, radius);
}
