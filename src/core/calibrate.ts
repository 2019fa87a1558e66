// Per-micrograph calibration of the classifier's scores, from the scores themselves.
//
// A fixed classifier cutoff fails on data unlike its training data when the classifier's
// probabilities all fall: a handful of picks where hundreds of particles are (F1 0.10 on the
// real apoferritin set with the first shipped models). The detector fails differently, so it
// checks the classifier. Its raw output at the candidates is compared with what it gives on
// micrographs without particles: the model's `noiseLevel` (metadata, measured after training)
// is the median raw output at candidates on simulated empty micrographs. Half of the
// candidates that are noise fall below it, and particles rarely do, so
//   particles ~ candidates - 2 x (candidates below the noise level)
// (Storey's estimate of the share of true nulls, at lambda = 1/2, read as a count). When the
// default cutoff keeps fewer than half of that, the classifier's scores on this micrograph are
// shifted (one offset added to every logit p(particle)) until the default cutoff keeps the
// detector's count, best-scored candidates first. The user's cutoff then works on the shifted
// scores: the check is made at the default cutoff, never at the user's, so moving the cutoff
// always moves the count one way (deciding at the user's cutoff made a looser cutoff keep fewer
// picks, where it stepped out). Without a classifier there is nothing to calibrate.
//
// Only ever more picks, never fewer: on empty ice the classifier already rejects most
// candidates, and on micrographs whose detector output is low overall (contamination) the
// estimate falls to zero while the classifier is right.
import { ParameterError } from './errors';

/** The classifier's count stands unless it is under the estimate divided by this. */
export const COUNT_AGREEMENT = 2;
/** COUNT_AGREEMENT in words, for what the user reads (parameter help, the workbench, the CLI). */
export const UNDER_SHARE = COUNT_AGREEMENT === 2 ? 'under half' : `under 1/${COUNT_AGREEMENT}`;

export interface CalibrationInput {
  /** The classifier's p(particle) at each candidate; undefined = screened out or unclassified, never kept. */
  p: readonly (number | undefined)[];
  /** Raw detector output at each candidate. */
  raw: readonly number[];
  /** The detector's median raw output at candidates on empty micrographs (ModelMetadata.noiseLevel). */
  noiseLevel: number;
  /** The cutoff the classifier is checked at: the default, whatever the user's is. */
  referenceCutoff: number;
}

/** What calibration found on one micrograph. */
export interface CalibrationReport {
  /** The detector's estimate of how many candidates are particles. */
  detectorCount: number;
  /** The cutoff the classifier was checked at (CalibrationInput.referenceCutoff). */
  referenceCutoff: number;
  /** Candidates the reference cutoff keeps with the classifier's own scores. */
  referenceCount: number;
  /** True when the scores were shifted. */
  adjusted: boolean;
  /** Added to every logit p(particle) on this micrograph; 0 unless adjusted. */
  shift: number;
}

/** Whether a pick with this p(particle) passes the cutoff (a p(background) at or above it is dropped). */
export function passesCutoff(p: number, cutoff: number): boolean {
  return 1 - p < cutoff;
}

// Probabilities of exactly 0 or 1 (float32 outputs reach both) get finite logits, below and
// above every other float32 probability's.
const logit = (p: number): number => {
  const q = Math.min(1 - Number.EPSILON / 2, Math.max(Number.MIN_VALUE, p));
  return Math.log(q) - Math.log1p(-q);
};

/** p(particle) after a calibration's shift; unchanged when there is none. */
export function calibratedP(p: number, shift: number): number {
  return shift === 0 ? p : 1 / (1 + Math.exp(-(logit(p) + shift)));
}

/**
 * One sentence for the user when calibration shifted the scores (CLI log, workbench);
 * undefined otherwise.
 */
export function describeCalibration(c: CalibrationReport | undefined): string | undefined {
  if (!c?.adjusted) return undefined;
  return `the classifier's scores ran low: the default cutoff ${c.referenceCutoff} kept ${c.referenceCount} of the ~${c.detectorCount} particles the detector estimates, so p(particle) was raised (odds x${Math.exp(c.shift).toPrecision(3)}) until that cutoff keeps ${c.detectorCount}; other cutoffs keep more or fewer from there`;
}

/**
 * Under this share of the detector's estimate kept at the default cutoff, the two networks
 * disagree enough to say so: the micrograph is likely unlike the simulated data they learnt from,
 * and calibration's count is then what the picks rest on (the real apoferritin set: 10 of ~155).
 */
export const UNLIKE_TRAINING_SHARE = 0.25;

/** Whether the networks disagreed that much on a micrograph (UNLIKE_TRAINING_SHARE). */
export function unlikeTraining(c: CalibrationReport | undefined): c is CalibrationReport {
  return !!c?.adjusted && c.referenceCount < UNLIKE_TRAINING_SHARE * c.detectorCount;
}

/** Storey's estimate (lambda = 1/2) of how many of the candidates are particles. */
export function particleCount(raw: readonly number[], noiseLevel: number): number {
  const below = raw.filter((r) => r < noiseLevel).length;
  return Math.max(0, raw.length - 2 * below);
}

/** The shift for one micrograph's scores (see the file comment). */
export function calibrateScores(input: CalibrationInput): CalibrationReport {
  const { p, raw, noiseLevel, referenceCutoff } = input;
  if (p.length !== raw.length) throw new ParameterError(`calibration got ${p.length} scores and ${raw.length} detector heights`);
  if (!Number.isFinite(noiseLevel)) throw new ParameterError(`the detector's noise level must be a number, got ${noiseLevel}`);
  const scored = p.flatMap((v, i) => (v === undefined ? [] : [i]));
  const detectorCount = particleCount(
    scored.map((i) => raw[i]),
    noiseLevel,
  );
  const referenceCount = scored.filter((i) => passesCutoff(p[i]!, referenceCutoff)).length;
  if (referenceCount * COUNT_AGREEMENT >= detectorCount)
    return { detectorCount, referenceCutoff, referenceCount, adjusted: false, shift: 0 };
  const logits = Float64Array.from(scored, (i) => logit(p[i]!)).sort((a, b) => b - a);
  const kept = keptCount(logits, detectorCount);
  // The default cutoff falls halfway (in logits) between the last score kept and the next lower one.
  const boundary = kept < logits.length ? (logits[kept - 1] + logits[kept]) / 2 : logits[kept - 1] - 1;
  return { detectorCount, referenceCutoff, referenceCount, adjusted: true, shift: logit(1 - referenceCutoff) - boundary };
}

/**
 * How many of the scores (sorted, highest first) one shift can keep nearest to `count`: equal
 * scores are kept or dropped together, so where a run of them straddles the count, the run is
 * kept or left out, whichever ends nearer the count (kept on a tie), and never all dropped.
 */
function keptCount(sorted: Float64Array, count: number): number {
  const v = sorted[count - 1];
  let above = count - 1;
  while (above > 0 && sorted[above - 1] === v) above--;
  let through = count;
  while (through < sorted.length && sorted[through] === v) through++;
  return above > 0 && count - above < through - count ? above : through;
}
