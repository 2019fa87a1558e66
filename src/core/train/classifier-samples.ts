// Classifier training samples as POSITIONS first, patches second: a labelling (supervised
// from truth here, unsupervised in unsupervised.ts) returns where each sample lies (original
// pixels), its label and why it was chosen, so a user can see and correct the choice on the
// micrograph before cutPatches() cuts the boxes the pipeline would cut (candidates.ts
// extractPatches on the preprocessed working image). DOM- and fs-free: runs in a worker.
import { CLASSIFIER_BOX_RADII, extractPatches, insideEdgeMargin, nearestDistance, patchStats, type Point } from '../candidates';
import { ParameterError } from '../errors';
import { DEFAULT_PICK_PARAMS, type PickParams } from '../params';
import type { Models, PickSession, WorkingImage } from '../pipeline';
import { workingToOriginal } from '../preprocess/scale';
import { createRng, type Rng } from '../random';
import { randomBackgroundCentres } from './batches';
import { sessionFor, toWorking, workingImage, type TrainingMicrograph } from './training-micrograph';

/** 0 background, 1 particle (the classifier's output indices). */
export type SampleLabel = 0 | 1;

export type SampleReason =
  /** Unsupervised particle: a detector candidate at the strict level that passed the intensity screen. */
  | 'strict-candidate'
  /** Unsupervised background: a loose-level candidate away from every strict positive. */
  | 'loose-candidate'
  /** Unsupervised background: a random patch away from candidates whose std is low (ice, carbon, contamination). */
  | 'low-std'
  /** Supervised particle: a detector candidate near a truth centre. */
  | 'near-truth'
  /** Supervised background: a detector candidate far from every truth centre. */
  | 'far-from-truth'
  /** Supervised particle: a truth centre, jittered. */
  | 'jittered-truth'
  /** Supervised background: a random patch away from every truth centre. */
  | 'random-background'
  /** Supervised background: a pick the user rejected. */
  | 'rejected-pick';

export interface ClassifierSample {
  /** Centre, ORIGINAL micrograph pixels. */
  x: number;
  y: number;
  label: SampleLabel;
  reason: SampleReason;
  /** Highest strictness level k (1..3) at which the detector found it; 0 = not a detector candidate. */
  level: number;
  /** Mean and std of its 2r box in the preprocessed working image (the intensity screen's numbers). */
  mean: number;
  std: number;
}

export interface SampleChoice {
  samples: ClassifierSample[];
  /** The preprocessed working image the samples are measured on, to cut patches from. */
  work: WorkingImage;
  /** Detector candidates at the loosest level looked at. */
  candidates: number;
  /** Detector candidates per strictness level looked at. */
  candidatesByLevel: Record<number, number>;
}

/** Peak and screen settings of the candidate search: the pipeline's, without classifier. */
export function candidateParams(m: TrainingMicrograph, peaks: Partial<PickParams>): PickParams {
  return {
    ...DEFAULT_PICK_PARAMS,
    meanPercentile: 0,
    stdPercentile: 0,
    ...peaks,
    diameter: m.diameter,
    negativeStain: m.negativeStain,
    useClassifier: false,
  };
}

/** Detector candidates (working pixels) at one strictness level, with whether they pass the screens in `params`. */
export async function candidatesAt(
  session: PickSession,
  models: Models,
  params: PickParams,
  scale: number,
  signal?: AbortSignal,
): Promise<(Point & { kept: boolean })[]> {
  await session.runDetector(models, params, { signal });
  const { picks } = await session.repick(models, params, { signal });
  return picks.map((p) => ({ ...toWorking(p, scale), kept: p.kept }));
}

/** Side of the square a random patch centre must keep inside: the pipeline's border margin (1.5 r) on each side. */
export function randomPatchSide(radius: number): number {
  return Math.ceil(3 * radius) + 1;
}

/** Random working-pixel centres away from `avoid`, inside the pipeline's border margin. */
export function randomCentres(work: WorkingImage, avoid: readonly Point[], count: number, minDistance: number, rng: Rng): Point[] {
  const { pre, geometry } = work;
  return randomBackgroundCentres(pre.width, pre.height, avoid, count, randomPatchSide(geometry.radius), minDistance, rng);
}

/** A sample at a working-pixel position, measured on the working image. */
export function makeSample(work: WorkingImage, p: Point, label: SampleLabel, reason: SampleReason, level: number): ClassifierSample {
  const { scale, radius } = work.geometry;
  const s = patchStats(work.pre, p.x, p.y, radius);
  return { x: workingToOriginal(p.x, scale), y: workingToOriginal(p.y, scale), label, reason, level, mean: s.mean, std: s.std };
}

/** Classifier input patches of the samples (boxes of boxRadii r of the working image, 64x64), in order. */
export function cutPatches(work: WorkingImage, samples: readonly Point[], boxRadii = CLASSIFIER_BOX_RADII): Float32Array {
  const { scale, radius } = work.geometry;
  return extractPatches(
    work.pre,
    samples.map((s) => toWorking(s, scale)),
    radius,
    boxRadii,
  );
}

/**
 * Indices of a class-balanced subset (paper: the larger class is cut to the smaller's size):
 * every sample of the minority class and a seeded random choice of the majority, in order.
 */
export function balancedSubset(labels: ArrayLike<number>, seed: number): number[] {
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < labels.length; i++) (labels[i] === 1 ? pos : neg).push(i);
  const [minority, majority] = pos.length <= neg.length ? [pos, neg] : [neg, pos];
  const rng = createRng(seed);
  // Partial Fisher-Yates: the first minority.length entries become a uniform random subset.
  const pool = majority.slice();
  for (let i = 0; i < minority.length; i++) {
    const j = i + rng.int(pool.length - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return [...minority, ...pool.slice(0, minority.length)].sort((a, b) => a - b);
}

/** Samples per reason and per label, for progress lines and the UI. */
export function countSamples(samples: readonly ClassifierSample[]): {
  particles: number;
  background: number;
  byReason: Partial<Record<SampleReason, number>>;
} {
  const byReason: Partial<Record<SampleReason, number>> = {};
  let particles = 0;
  for (const s of samples) {
    byReason[s.reason] = (byReason[s.reason] ?? 0) + 1;
    particles += s.label;
  }
  return { particles, background: samples.length - particles, byReason };
}

export interface SupervisedSpec {
  /** Loose peak settings for candidates (default: sigma 4, threshold 2, k 1). */
  peaks?: Pick<PickParams, 'sigma' | 'threshold' | 'kLevel'>;
  /** A candidate within this fraction of r of a truth centre is a particle (default 1/3, the paper's r/3). */
  positiveFraction?: number;
  /** A candidate farther than this fraction of r from every truth centre is background (default 1). */
  negativeFraction?: number;
  /** Random background patches added (empty ice, carbon, contamination; default 10). */
  randomBackground?: number;
  /** Truth centres (jittered by up to r/4) added as particles, at most this many (default 20). */
  truthPositives?: number;
  /** Places the user said are not particles (rejected picks), original pixels: background samples. */
  negatives?: readonly Point[];
  /**
   * Every particle is in the truth (default true): candidates far from it, and random patches
   * away from it, are background. With partial labels they may be unlabelled particles, so only
   * the negatives are background (positive-unlabelled).
   */
  labelsComplete?: boolean;
  seed: number;
  signal?: AbortSignal;
}

/**
 * Supervised labelling from truth: detector candidates near truth are particles, those far
 * from it background (between the two radii: left out as ambiguous); plus jittered truth
 * centres and random background away from truth.
 */
export async function labelFromTruth(
  m: TrainingMicrograph,
  models: Models,
  spec: SupervisedSpec,
  session?: PickSession,
): Promise<SampleChoice> {
  if (!m.truth) throw new ParameterError(`${m.name}: supervised classifier labelling needs ground-truth particle centres`);
  const s = sessionFor(m, session);
  const work = await workingImage(m, models.fcrnMeta.workingRadius, s, spec.signal);
  const { scale, radius } = work.geometry;
  const params = candidateParams(m, { sigma: 4, threshold: 2, kLevel: 1, ...(spec.peaks ?? {}) });
  const cands = await candidatesAt(s, models, params, scale, spec.signal);
  const truth = m.truth.map((t) => toWorking(t, scale));
  const rng = createRng(spec.seed);
  const posR = radius * (spec.positiveFraction ?? 1 / 3);
  const negR = radius * (spec.negativeFraction ?? 1);
  const complete = spec.labelsComplete ?? true;
  const samples: ClassifierSample[] = [];
  for (const c of cands) {
    const d = nearestDistance(c, truth);
    if (d <= posR) samples.push(makeSample(work, c, 1, 'near-truth', params.kLevel));
    else if (d > negR && complete) samples.push(makeSample(work, c, 0, 'far-from-truth', params.kLevel));
  }
  // Jittered truth centres inside the pipeline's border margin (1.5 r).
  const mg = 1.5 * radius;
  const { width, height } = work.pre;
  const inside = truth.filter((t) => insideEdgeMargin(t.x, t.y, width, height, mg));
  const nTruth = Math.min(spec.truthPositives ?? 20, inside.length);
  for (let i = 0; i < nTruth; i++) {
    const t = inside[rng.int(inside.length)];
    const a = rng.uniform(0, 2 * Math.PI);
    const j = rng.uniform(0, radius / 4);
    samples.push(makeSample(work, { x: t.x + j * Math.cos(a), y: t.y + j * Math.sin(a) }, 1, 'jittered-truth', 0));
  }
  for (const b of randomCentres(work, truth, complete ? (spec.randomBackground ?? 10) : 0, radius * 1.2, rng)) {
    samples.push(makeSample(work, b, 0, 'random-background', 0));
  }
  for (const n of spec.negatives ?? []) samples.push(makeSample(work, toWorking(n, scale), 0, 'rejected-pick', 0));
  return { samples, work, candidates: cands.length, candidatesByLevel: { [params.kLevel]: cands.length } };
}
