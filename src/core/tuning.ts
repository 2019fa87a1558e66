// Choosing pick settings from picks someone checked: the grid of peak thresholds, classifier
// cutoffs and calibration tried, and the choice among them from match counts per micrograph.
// Networks trained on simulated particles can rank a data set's particles well and still keep
// the wrong number of them; a few checked micrographs say how many. Pure: the CLI's fine-tune
// (train/tune-settings.ts) and the workbench (its engine workers count, the page chooses) share it.
import { aggregate, type Counts, type Scores } from './metrics';
import { MODEL_PICK_SETTING_KEYS, type ModelMetadata, type ModelPickSettings } from './model/model-io';
import { DEFAULT_PICK_PARAMS, PARAM_SPECS, type ParamKey, type PickParams } from './params';

/** The settings tuning chooses: all a detector's metadata may carry (model-io.ts). */
export type TunedSettings = Required<ModelPickSettings>;

/**
 * Values tried for each (every combination, and the current settings). Sigma and min distance
 * stay out: tried as well (nine times the grid), they gained nothing on real micrographs
 * (docs/method.md, "Real micrographs").
 */
export const TUNING_GRID: { readonly [K in keyof TunedSettings]: readonly TunedSettings[K][] } = {
  threshold: [0.5, 1, 2, 3, 4, 6, 8],
  cutoff: [0.5, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999, 1],
  calibrate: [true, false],
};

/** The tuned part of full settings. */
export function tunedPart(params: PickParams): TunedSettings {
  return Object.fromEntries(MODEL_PICK_SETTING_KEYS.map((k) => [k, params[k]])) as TunedSettings;
}

/** The settings a pick with these models starts from: the defaults, then what their detector's metadata carries. */
export function modelSettings(models: { fcrnMeta: ModelMetadata }): PickParams {
  return { ...DEFAULT_PICK_PARAMS, ...models.fcrnMeta.pickSettings };
}

/**
 * Settings as the logs write them ("threshold 0.5, cutoff 1, calibrate true"), or with the
 * workbench's labels ("Threshold T 0.5, Classifier cutoff 1, Calibrate per micrograph on").
 */
export function describeSettings(settings: Partial<PickParams>, names: 'keys' | 'labels' = 'keys'): string {
  return (Object.entries(settings) as [ParamKey, number | boolean][])
    .map(([k, v]) =>
      names === 'keys' ? `${k} ${String(v)}` : `${PARAM_SPECS[k].label} ${typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v)}`,
    )
    .join(', ');
}

/** Every combination of the grid, the first key's values outermost. */
export function gridCombinations(): TunedSettings[] {
  let out: ModelPickSettings[] = [{}];
  for (const k of MODEL_PICK_SETTING_KEYS) out = out.flatMap((c) => TUNING_GRID[k].map((v) => ({ ...c, [k]: v })));
  return out as TunedSettings[];
}

/** Whether two settings agree on every tuned parameter (threshold, cutoff, calibration). */
export function sameTuning(a: TunedSettings, b: TunedSettings): boolean {
  return MODEL_PICK_SETTING_KEYS.every((k) => a[k] === b[k]);
}

/** Every combination of the grid, `current` first (so a tie keeps it). */
export function tuningCandidates(current: TunedSettings): TunedSettings[] {
  return [current, ...gridCombinations().filter((c) => !sameTuning(c, current))];
}

export interface TuningResult<T = TunedSettings> {
  settings: T;
  /** Pooled scores on the checked micrographs: at the current settings (the first candidate), and at the chosen ones. */
  current: Scores;
  tuned: Scores;
}

/**
 * The candidate with the best pooled F1 (the first, the current settings, on a tie).
 * `counts[i][j]`: micrograph i picked with candidate j against its checked picks.
 */
export function bestTuning<T>(candidates: readonly T[], counts: readonly (readonly Counts[])[]): TuningResult<T> {
  const best = bestIndex(candidates, counts);
  return { settings: candidates[best], current: aggregate(counts.map((c) => c[0])), tuned: aggregate(counts.map((c) => c[best])) };
}

function bestIndex(candidates: readonly unknown[], counts: readonly (readonly Counts[])[]): number {
  const pooled = candidates.map((_, j) => aggregate(counts.map((c) => c[j])));
  let best = 0;
  for (let j = 1; j < candidates.length; j++) if (pooled[j].f1 > pooled[best].f1) best = j;
  return best;
}

/**
 * How well the choice carries over to a micrograph it did not see: each micrograph in turn is
 * left out, the candidate is chosen on the others (bestTuning) and that micrograph is picked
 * with it. Pooled over the turns: at the current settings (the first candidate) and at each
 * turn's choice. Needs two micrographs or more.
 */
export function leaveOneOutTuning(
  candidates: readonly unknown[],
  counts: readonly (readonly Counts[])[],
): { current: Scores; tuned: Scores } {
  if (counts.length < 2) throw new RangeError(`leaving one out needs two micrographs or more, got ${counts.length}`);
  const tuned = counts.map(
    (c, k) =>
      c[
        bestIndex(
          candidates,
          counts.filter((_, i) => i !== k),
        )
      ],
  );
  return { current: aggregate(counts.map((c) => c[0])), tuned: aggregate(tuned) };
}
