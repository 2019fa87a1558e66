// The pick parameters: one record per parameter in PICK_PARAMETERS, and the one place any
// fact about a parameter is written. Everything else is generated from the table:
// - the PickParams type and DEFAULT_PICK_PARAMS (below);
// - validation in core (checkPickParams: the pipeline, the peak search, the screens);
// - the workbench's sliders, number boxes and checkboxes (src/app/components/ParamsPanel.tsx);
// - the CLI's options, their --help lines and the checks of their values
//   (src/cli/param-options.ts, used by `drpnet pick`, `relion-external` and `train-classifier`);
// - which edits need the detector to run again (the 'detector' stage; detectorKey, issue 14).
//
// Adding a parameter is one record here plus its use:
//   1. add a record to PICK_PARAMETERS: default, range, step, unit, label, help, CLI flag and
//      the stage a change of it makes stale. The type, the default, the slider (or checkbox),
//      the CLI option with its --help line, the checks and the detector key follow;
//   2. read params.<name> in the pipeline step it acts on (src/core/pipeline.ts and below).
// params.test.ts checks every record: its default inside its range, its CLI option parsing
// back to the same value, and the workbench's controls spanning the same range.
// Where the values come from: each record's comment; the paper's in docs/method.md.
import { UNDER_SHARE } from './calibrate';
import { ParameterError } from './errors';

/**
 * The earliest step of picking that a change of a parameter makes stale:
 * - 'detector': the detector map (preprocessing and FCRN) must be made again;
 * - 'peaks': the candidates change: a re-pick on the kept map, from the peak search on;
 * - 'classifier': the same candidates, only which of them are kept changes (intensity
 *   screens, classifier, cutoff).
 */
export type ParamStage = 'detector' | 'peaks' | 'classifier';

interface ParamCommon {
  /** The workbench's label (the unit, when there is one, follows in brackets). */
  readonly label: string;
  /** What the parameter does, one lower-case phrase: the workbench's tooltip and the CLI's --help line. */
  readonly help: string;
  /** The CLI option, without the dashes (RELION's External job may write _ for -). */
  readonly flag: string;
  readonly stage: ParamStage;
}

export interface NumberParam extends ParamCommon {
  readonly kind: 'number';
  readonly default: number;
  /** The valid values, ends included: the slider's ends and every check (workbench, CLI, core). */
  readonly min: number;
  readonly max: number;
  /** The slider's and number box's step; values between steps are valid unless `integer`. */
  readonly step: number;
  /** Only whole numbers are valid. */
  readonly integer?: boolean;
  /** Unit of the value ('' when it has none). */
  readonly unit: string;
  /** What a reader must know to move it the right way, shown beside its label (the cutoff's direction). */
  readonly reads?: string;
  /** How --help names the value ("--sigma S"). */
  readonly metavar: string;
  /** The CLI has no default for it: the user must give it (the workbench starts from `default`). */
  readonly required?: boolean;
}

export interface BooleanParam extends ParamCommon {
  readonly kind: 'boolean';
  readonly default: boolean;
  /** The value the CLI flag gives the parameter (--no-classifier makes useClassifier false). */
  readonly flagSets: boolean;
  /** What the flag does, for --help, when `help` (which says what `true` does) does not fit it. */
  readonly flagHelp?: string;
}

export type ParamSpec = NumberParam | BooleanParam;

// The slider ranges cover the paper's per-dataset values (sigma 4-9, T 3-8, k 1-3, cutoff
// 0.7-0.975; docs/method.md) with room either side. sigma, threshold and cutoff defaults: the
// values scripts/evaluate.ts chose on its tuning micrographs (mean F1 over the simulated
// conditions, docs/quality.md). minDistance: half a diameter, a fixed rule there (picks closer
// than that are one particle counted twice under the metric's one-radius matching).
export const PICK_PARAMETERS = {
  diameter: {
    kind: 'number',
    label: 'Particle diameter',
    help: 'particle diameter in pixels of the original micrograph',
    flag: 'diameter',
    metavar: 'PX',
    unit: 'px',
    stage: 'detector',
    default: 140,
    min: 10,
    max: 800,
    step: 2,
    required: true,
  },
  sigma: {
    kind: 'number',
    label: 'Sigma',
    help: 'Gaussian smoothing of the detector map before the peak search, on top of a fixed light one',
    flag: 'sigma',
    metavar: 'S',
    unit: 'working px',
    stage: 'peaks',
    default: 3,
    min: 0,
    max: 15,
    step: 0.5,
  },
  threshold: {
    kind: 'number',
    label: 'Threshold T',
    help: 'peak height threshold on the detector map scaled to 0..255; a peak must stand T*k above its surroundings',
    flag: 'threshold',
    metavar: 'T',
    unit: '',
    stage: 'peaks',
    default: 4,
    min: 0,
    max: 40,
    step: 0.5,
  },
  kLevel: {
    kind: 'number',
    label: 'k-level',
    help: 'strictness, 1 = loose to 3 = strict: the peak height is T*k',
    flag: 'k-level',
    metavar: 'K',
    unit: '',
    stage: 'peaks',
    default: 1,
    min: 1,
    max: 3,
    step: 1,
    integer: true,
  },
  minDistance: {
    kind: 'number',
    label: 'Min distance',
    help: 'of two picks closer than this, keep the one with the higher detector peak; 0 = off',
    flag: 'min-distance',
    metavar: 'D',
    unit: 'diameters',
    stage: 'peaks',
    default: 0.5,
    min: 0,
    max: 1.5,
    step: 0.05,
  },
  edgeMargin: {
    kind: 'number',
    label: 'Edge margin',
    help: 'drop picks whose centre lies closer to the micrograph edge than this many particle radii; 1 keeps the particles lying wholly inside, 0 keeps all',
    flag: 'edge-margin',
    metavar: 'M',
    unit: 'radii',
    stage: 'peaks',
    default: 1,
    min: 0,
    max: 4,
    step: 0.1,
  },
  cutoff: {
    kind: 'number',
    label: 'Classifier cutoff',
    help: 'drop a pick when its p(background) (1 - p(particle), after calibration) is at or above this; 1 keeps all',
    flag: 'cutoff',
    metavar: 'C',
    unit: '',
    // A p(background), as in DRPnet: the other way round from crYOLO's or cryoSPARC's score threshold.
    reads: 'higher keeps more',
    stage: 'classifier',
    default: 0.9,
    min: 0,
    max: 1,
    step: 0.005,
  },
  calibrate: {
    kind: 'boolean',
    label: 'Calibrate per micrograph',
    help: `when the default cutoff keeps ${UNDER_SHARE} as many picks as the detector counts particles on a micrograph, raise the classifier's scores there until it keeps the detector's count; the cutoff works from there`,
    flag: 'no-calibrate',
    flagSets: false,
    flagHelp: "use the classifier's own scores, without the per-micrograph check against the detector's count",
    stage: 'classifier',
    default: true,
  },
  meanPercentile: {
    kind: 'number',
    label: 'Mean screen',
    help: "keep picks whose patch mean is above this percentile of all candidates'; 0 = off",
    flag: 'mean-percentile',
    metavar: 'P',
    unit: 'percentile',
    stage: 'classifier',
    default: 0,
    min: 0,
    max: 100,
    step: 1,
  },
  stdPercentile: {
    kind: 'number',
    label: 'Std screen',
    help: "keep picks whose patch standard deviation is above this percentile of all candidates'; 0 = off",
    flag: 'std-percentile',
    metavar: 'P',
    unit: 'percentile',
    stage: 'classifier',
    default: 0,
    min: 0,
    max: 100,
    step: 1,
  },
  useClassifier: {
    kind: 'boolean',
    label: 'Stage-2 classifier',
    help: 'run the second-stage classifier, which rejects false picks',
    flag: 'no-classifier',
    flagSets: false,
    flagHelp:
      'skip the second-stage classifier (the peak threshold keeps its value; on simulated data the detector alone picked best at --threshold 16, docs/quality.md)',
    stage: 'classifier',
    default: true,
  },
  negativeStain: {
    kind: 'boolean',
    label: 'Negative stain (particles bright)',
    help: 'particles are brighter than the background; the image is inverted before the detector',
    flag: 'negative-stain',
    flagSets: true,
    stage: 'detector',
    default: false,
  },
} as const satisfies Record<string, ParamSpec>;

type Table = typeof PICK_PARAMETERS;
export type ParamKey = keyof Table;

/** One value per parameter: numbers, and booleans for the 'boolean' records. */
export type PickParams = { [K in ParamKey]: Table[K]['kind'] extends 'boolean' ? boolean : number };

/** The peak search's parameters (peaks.ts). */
export type PeakParams = Pick<PickParams, 'sigma' | 'threshold' | 'kLevel'>;
/** The intensity screens' parameters (candidates.ts). */
export type ScreenParams = Pick<PickParams, 'meanPercentile' | 'stdPercentile'>;

/** Every parameter's record, typed for code that handles any of them. */
export const PARAM_SPECS: Readonly<Record<ParamKey, ParamSpec>> = PICK_PARAMETERS;

/** The parameters in the table's order (the workbench shows them in it). */
export const PARAM_KEYS = Object.keys(PICK_PARAMETERS) as ParamKey[];

export const DEFAULT_PICK_PARAMS: Readonly<PickParams> = Object.freeze(
  Object.fromEntries(PARAM_KEYS.map((k) => [k, PARAM_SPECS[k].default])) as PickParams,
);

/** The parameters whose change makes this stage stale. */
export function paramsOfStage(stage: ParamStage): ParamKey[] {
  return PARAM_KEYS.filter((k) => PARAM_SPECS[k].stage === stage);
}

/** "a number from 10 to 800 pixels", "a whole number from 1 to 3", "true or false". */
export function describeRange(spec: ParamSpec): string {
  if (spec.kind === 'boolean') return 'true or false';
  // In words: '120A' refused as "from 10 to 800" does not say that pixels were meant.
  const unit = spec.unit ? ` ${spec.unit.replace(/\bpx\b/, 'pixels')}` : '';
  return `${spec.integer ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max}${unit}`;
}

/** Whether `value` is valid for the parameter. */
export function isValidParam(key: ParamKey, value: unknown): boolean {
  const spec = PARAM_SPECS[key];
  if (spec.kind === 'boolean') return typeof value === 'boolean';
  return (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= spec.min &&
    value <= spec.max &&
    (!spec.integer || Number.isInteger(value))
  );
}

/** Stored parameters made whole: each valid value kept, each missing or invalid one (a range changed since) replaced by its default. */
export function validParams(stored: Partial<PickParams> | undefined): PickParams {
  const out: Record<string, number | boolean> = {};
  for (const k of PARAM_KEYS) out[k] = isValidParam(k, stored?.[k]) ? stored![k]! : DEFAULT_PICK_PARAMS[k];
  return out as PickParams;
}

/** Throws a ParameterError naming the first parameter of `keys` (default: all) that is not valid. */
export function checkPickParams(params: Partial<PickParams>, keys: readonly ParamKey[] = PARAM_KEYS): void {
  for (const k of keys) {
    if (!isValidParam(k, params[k]))
      throw new ParameterError(`pick parameter ${k} must be ${describeRange(PARAM_SPECS[k])}, got ${String(params[k])}`);
  }
}

const DETECTOR_PARAMS = paramsOfStage('detector');

/** The 'detector' stage's parameters: what a working image and a detector map depend on. */
export type DetectorParams = Pick<PickParams, { [K in ParamKey]: Table[K]['stage'] extends 'detector' ? K : never }[ParamKey]>;

/**
 * Whether two parameter sets pick alike: every parameter of the table equal (a key a saved
 * session carries beyond the table is no parameter); undefined (never picked) is like none.
 */
export function samePickParams(a: PickParams | undefined, b: PickParams): boolean {
  return !!a && PARAM_KEYS.every((k) => a[k] === b[k]);
}

/** Whether two parameter sets differ in this one parameter and in no other. */
export function differOnlyIn(a: PickParams, b: PickParams, key: ParamKey): boolean {
  return a[key] !== b[key] && PARAM_KEYS.every((k) => k === key || a[k] === b[k]);
}

/**
 * The answer to "does this change need the detector again?": the values of the parameters of
 * the 'detector' stage. Two parameter sets with the same key share one detector map (for the
 * same micrograph and detector model); any other change is a re-pick on the kept map.
 */
export function detectorKey(params: DetectorParams): string {
  return DETECTOR_PARAMS.map((k) => String((params as Partial<PickParams>)[k])).join('|');
}
