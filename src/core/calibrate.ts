// Per-micrograph calibration of how many picks to keep, from the scores themselves.
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
// user's settings keep fewer than half of that, the count is kept instead, the best-scored
// candidates first. It can only step in where the classifier dropped candidates: without a
// classifier the settings keep every scored candidate, never fewer than the estimate.
//
// Only ever more picks, never fewer: on empty ice the classifier already rejects most
// candidates, and on micrographs whose detector output is low overall (contamination) the
// estimate falls to zero while the classifier is right.
import { ParameterError } from './errors';

/** The settings' count stands unless it is under the estimate divided by this. */
export const COUNT_AGREEMENT = 2;
/** COUNT_AGREEMENT in words, for what the user reads (parameter help, the workbench, the CLI). */
export const UNDER_SHARE = COUNT_AGREEMENT === 2 ? 'under half' : `under 1/${COUNT_AGREEMENT}`;

export interface CalibrationInput {
  /** What ranks the candidates: p(particle), or the detector's height without a classifier; undefined = screened out or unclassified, never kept. */
  score: readonly (number | undefined)[];
  /** Whether the user's settings keep each candidate (its cutoff, its screens). */
  passes: readonly boolean[];
  /** Raw detector output at each candidate. */
  raw: readonly number[];
  /** The detector's median raw output at candidates on empty micrographs (ModelMetadata.noiseLevel). */
  noiseLevel: number;
}

export interface Calibration {
  /** Kept, by candidate. */
  keep: boolean[];
  /** The detector's estimate of how many candidates are particles. */
  detectorCount: number;
  /** Candidates the user's settings keep. */
  settingsCount: number;
  /** True when the detector's count was kept instead of the settings'. */
  adjusted: boolean;
  /** The lowest score kept when adjusted (the effective threshold); undefined otherwise. */
  scoreThreshold?: number;
}

/** What a pick reports of its calibration: everything but the per-candidate decisions. */
export type CalibrationReport = Omit<Calibration, 'keep'>;

/** The report of a calibration, without its per-candidate decisions. */
export function calibrationReport(c: Calibration): CalibrationReport {
  const { keep: _keep, ...report } = c;
  return report;
}

/**
 * One sentence for the user when calibration replaced the settings' count (CLI log, workbench);
 * undefined otherwise. The lowest p(particle) kept is also said as the cutoff (a p(background))
 * that would keep about as many.
 */
export function describeCalibration(c: CalibrationReport | undefined): string | undefined {
  if (!c?.adjusted) return undefined;
  const p = c.scoreThreshold;
  const at = p === undefined ? '' : `: p(particle) >= ${p.toFixed(3)}, about what a cutoff of ${(1 - p).toFixed(3)} keeps`;
  return `the settings (cutoff and screens) kept ${c.settingsCount}, ${UNDER_SHARE} the ~${c.detectorCount} particles the detector estimates, so its ${c.detectorCount} best-scored candidates were kept${at}`;
}

/** Storey's estimate (lambda = 1/2) of how many of the candidates are particles. */
export function particleCount(raw: readonly number[], noiseLevel: number): number {
  const below = raw.filter((r) => r < noiseLevel).length;
  return Math.max(0, raw.length - 2 * below);
}

/** Which candidates to keep (see the file comment). */
export function calibrateCount(input: CalibrationInput): Calibration {
  const { score, passes, raw, noiseLevel } = input;
  if (score.length !== raw.length || passes.length !== raw.length) {
    throw new ParameterError(`calibration got ${score.length} scores, ${passes.length} decisions and ${raw.length} detector heights`);
  }
  if (!Number.isFinite(noiseLevel)) throw new ParameterError(`the detector's noise level must be a number, got ${noiseLevel}`);
  const settingsCount = passes.filter(Boolean).length;
  const detectorCount = particleCount(
    raw.filter((_, i) => score[i] !== undefined),
    noiseLevel,
  );
  if (settingsCount * COUNT_AGREEMENT >= detectorCount) return { keep: passes.slice(), detectorCount, settingsCount, adjusted: false };
  // Best score first, ties in candidate order; index arrays, as a re-pick ranks ~10k candidates.
  const s = Float64Array.from(score, (v) => v ?? Number.NaN);
  const ranked = Uint32Array.from(score.keys())
    .filter((i) => score[i] !== undefined)
    .sort((a, b) => s[b] - s[a] || a - b)
    .subarray(0, detectorCount);
  const keep = raw.map(() => false);
  for (const i of ranked) keep[i] = true;
  return { keep, detectorCount, settingsCount, adjusted: true, scoreThreshold: ranked.length ? s[ranked[ranked.length - 1]] : undefined };
}
