// The paper's unsupervised classifier labelling (docs/method.md, "Classifier labels,
// unsupervised"; Nguyen et al. 2021), per micrograph, without annotation: the FCRN map is
// computed once (PickSession) and re-picked at strictness levels k = 1, 2, 3 of the threshold.
// - Particles: candidates at the strict level (k = 2 by default) whose 2r box passes the
//   intensity screen (mean above its 5th, std above its 10th percentile among that level's
//   candidates: the authors' release, input/10017_params_TRAIN_TEST.txt, pct_*_training).
// - Background: candidates at the loosest level (k = 1) farther than r/3 from every particle,
//   plus random patches away from all candidates whose std is low (empty ice, carbon,
//   contamination), which the paper's text names but its release does not sample.
// Returns positions; balancedSubset() evens the classes over all micrographs (the release
// cuts the larger class to the smaller's size) and cutPatches() cuts them.
import { nearestDistance } from '../candidates';
import { ParameterError } from '../errors';
import type { PickSession, Models } from '../pipeline';
import { percentiles } from '../preprocess/percentile';
import { createRng } from '../random';
import { candidateParams, candidatesAt, makeSample, randomCentres, type ClassifierSample, type SampleChoice } from './classifier-samples';
import { sessionFor, workingImage, type TrainingMicrograph } from './training-micrograph';

export interface UnsupervisedSpec {
  /** The user's peak settings: Gaussian sigma and threshold T; level k searches at height T * k. */
  sigma: number;
  threshold: number;
  /** Level whose screened candidates are particles (2 or 3; default 2). */
  strictLevel?: number;
  /** Intensity screen of the particles, percentiles among strict-level candidates (defaults 5 and 10). */
  meanPercentile?: number;
  stdPercentile?: number;
  /** Loose candidates within this fraction of r of a particle are left out (default 1/3, the paper's r/3). */
  exclusionFraction?: number;
  /** Random low-std background patches per micrograph (default 10). */
  lowStdCount?: number;
  /** A random patch is "low std" below this percentile of the particles' patch std (default 10). */
  lowStdPercentile?: number;
  seed: number;
  signal?: AbortSignal;
}

export const UNSUPERVISED_DEFAULTS = {
  strictLevel: 2,
  meanPercentile: 5,
  stdPercentile: 10,
  exclusionFraction: 1 / 3,
  lowStdCount: 10,
  lowStdPercentile: 10,
} as const;

/** Random draws per wanted low-std patch: most random patches are not low-std. */
const LOW_STD_DRAWS = 8;

function levelOf(p: { x: number; y: number }, byLevel: readonly { x: number; y: number }[][], within: number): number {
  let level = 1;
  for (let k = 2; k <= byLevel.length; k++) if (nearestDistance(p, byLevel[k - 1]) <= within) level = k;
  return level;
}

/**
 * Chooses particle and background samples on one micrograph from the detector alone.
 * `session` may be the caller's: its kept working image and map are reused.
 */
export async function labelUnsupervised(
  m: TrainingMicrograph,
  models: Models,
  spec: UnsupervisedSpec,
  session?: PickSession,
): Promise<SampleChoice> {
  const o = { ...UNSUPERVISED_DEFAULTS, ...spec };
  if (o.strictLevel !== 2 && o.strictLevel !== 3) throw new ParameterError(`the strict level must be 2 or 3, got ${o.strictLevel}`);
  if (!(o.lowStdPercentile >= 0 && o.lowStdPercentile <= 100))
    throw new ParameterError(`lowStdPercentile must be between 0 and 100, got ${o.lowStdPercentile}`);
  const s = sessionFor(m, session);
  const work = await workingImage(m, models.fcrnMeta.workingRadius, s, o.signal);
  const { scale, radius } = work.geometry;
  const base = { sigma: o.sigma, threshold: o.threshold };
  const byLevel: { x: number; y: number; kept: boolean }[][] = [];
  for (let k = 1; k <= 3; k++) {
    const screened = k === o.strictLevel ? { meanPercentile: o.meanPercentile, stdPercentile: o.stdPercentile } : {};
    byLevel.push(await candidatesAt(s, models, candidateParams(m, { ...base, kLevel: k, ...screened }), scale, o.signal));
  }
  const near = radius * o.exclusionFraction;
  const positives = byLevel[o.strictLevel - 1].filter((c) => c.kept);
  const samples: ClassifierSample[] = positives.map((c) => makeSample(work, c, 1, 'strict-candidate', levelOf(c, byLevel, near)));
  for (const c of byLevel[0]) {
    if (nearestDistance(c, positives) > near) samples.push(makeSample(work, c, 0, 'loose-candidate', levelOf(c, byLevel, near)));
  }
  if (positives.length && o.lowStdCount > 0) {
    const cut = percentiles(
      samples.filter((x) => x.label === 1).map((x) => x.std),
      [o.lowStdPercentile],
    )[0];
    const rng = createRng(o.seed);
    // A patch centred at least r from every candidate holds no candidate's centre.
    const drawn = randomCentres(work, byLevel[0].concat(positives), o.lowStdCount * LOW_STD_DRAWS, radius, rng)
      .map((p) => makeSample(work, p, 0, 'low-std', 0))
      .filter((x) => x.std < cut)
      .sort((a, b) => a.std - b.std);
    samples.push(...drawn.slice(0, o.lowStdCount));
  }
  const candidatesByLevel: Record<number, number> = {};
  byLevel.forEach((c, i) => (candidatesByLevel[i + 1] = c.length));
  return { samples, work, candidates: byLevel[0].length, candidatesByLevel };
}
