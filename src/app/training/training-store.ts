// The retraining part of the workbench state (zustand, apart from store.ts): settings, the
// samples under review, the run in progress with its curves, and the model library as
// listed. Plain data and synchronous actions; src/app/training/training-controller.ts does
// the work with the engine and storage.
import { create } from 'zustand';
import type { Point } from '../../core/candidates';
import { SHIPPED_MODELS, type ActiveModels, type EpochReport } from '../../../workers/training-api';
import type { ModelInfo } from '../../../workers/model-library';
import type { ModelKind } from '../../core/model/model-io';
import type { ComparisonRow } from './comparison';
import { applyClick, sampleAt, type ClickAction, type ReviewSet } from './review';
import { CLASSIFIER_DEFAULTS, DETECTOR_DEFAULTS, type ClassifierSettings, type DetectorSettings, type TrainKind } from './settings';

export interface Review {
  kind: TrainKind;
  samples: ReviewSet;
  /** Detector runs: the particles per micrograph (training-controller.ts userPicks), the label maps' particles. */
  allPicks?: Record<string, Point[]>;
  /** Micrographs the labelling could not use, with why. */
  failures: string[];
}

export type RunPhase = 'samples' | 'patches' | 'training' | 'noise-level' | 'saving' | 'comparing';

export interface RunProgress {
  kind: TrainKind;
  phase: RunPhase;
  /** 0..1 over the whole phase. */
  fraction: number;
  message: string;
  epochs?: number;
  samplesPerSecond?: number;
  backend?: string;
}

export interface CurvePoint {
  x: number;
  y: number;
}

export interface Curves {
  kind: TrainKind;
  /** Training loss of each batch reported, x = epochs done (fractional). */
  batchLoss: CurvePoint[];
  epochs: EpochReport[];
}

/** A retrained model waiting for the user's choice, with its before/after picks. */
export interface PendingModel {
  kind: ModelKind;
  id: string;
  name: string;
  rows: ComparisonRow[];
}

/** Whether a stored record (from before a reload) has a pending model's shape. */
export function isPendingModel(v: unknown): v is PendingModel {
  const p = v as Partial<PendingModel> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    (p.kind === 'fcrn' || p.kind === 'classifier') &&
    typeof p.id === 'string' &&
    typeof p.name === 'string' &&
    Array.isArray(p.rows) &&
    p.rows.every(
      (r) =>
        typeof r?.key === 'string' &&
        typeof r.name === 'string' &&
        typeof r.before?.picks === 'number' &&
        typeof r.after?.picks === 'number',
    )
  );
}

export interface TrainingState {
  tab: TrainKind;
  /** Demo micrographs take part in training (off by default: they are the held-out check). */
  includeDemo: boolean;
  /** A trained model not in use yet: keep it or discard it. */
  pending?: PendingModel;
  classifier: ClassifierSettings;
  detector: DetectorSettings;
  review?: Review;
  /** Draw the samples under review on the micrograph (clicks then edit samples, not picks). */
  showSamples: boolean;
  clickAction: ClickAction;
  busy?: RunProgress;
  curves?: Curves;
  /** What the last run or model action did (or why it failed). */
  message?: { text: string; error?: boolean };
  library: ModelInfo[];
  active: ActiveModels;
  set(patch: Partial<TrainingState>): void;
  setClassifier(patch: Partial<ClassifierSettings>): void;
  setDetector(patch: Partial<DetectorSettings>): void;
}

export const useTraining = create<TrainingState>()((set) => ({
  // Fine-tuning the detector from the user's picks is offered first: the paper's unsupervised
  // classifier labels did not raise F1 where measured (docs/method.md, "What retraining does here").
  tab: 'detector',
  includeDemo: false,
  classifier: { ...CLASSIFIER_DEFAULTS },
  detector: { ...DETECTOR_DEFAULTS },
  showSamples: true,
  clickAction: 'flip',
  library: [],
  active: { ...SHIPPED_MODELS },
  set: (patch) => set(patch),
  setClassifier: (patch) => set((s) => ({ classifier: { ...s.classifier, ...patch } })),
  setDetector: (patch) => set((s) => ({ detector: { ...s.detector, ...patch } })),
}));

/** The samples under review on one micrograph, when they are to be shown. */
export function shownSamples(s: TrainingState, key: string | undefined) {
  if (!key || !s.showSamples || !s.review) return undefined;
  return s.review.samples[key];
}

/**
 * Whether clicks on this micrograph edit its training samples rather than its picks: samples of
 * it are shown under review and no run is in progress. The viewer reads this as its gesture mode.
 */
export function reviewingSamples(s: TrainingState, key: string | undefined): boolean {
  return !!shownSamples(s, key)?.length && !s.busy;
}

/**
 * A click on the micrograph in review mode: the sample under it is flipped or removed (`other` =
 * the other action, Alt/Ctrl held). A click that hits no sample changes nothing.
 */
export function clickSample(key: string | undefined, x: number, y: number, box: number, other: boolean): void {
  const s = useTraining.getState();
  if (!reviewingSamples(s, key)) return;
  const samples = shownSamples(s, key)!;
  const review = s.review!;
  const i = sampleAt(samples, x, y, box);
  if (i < 0) return;
  // Detector samples have no label to flip: a click removes or restores them.
  const primary: ClickAction = review.kind === 'detector' ? 'remove' : s.clickAction;
  const action: ClickAction = other && review.kind === 'classifier' ? (primary === 'flip' ? 'remove' : 'flip') : primary;
  s.set({ review: { ...review, samples: { ...review.samples, [key!]: applyClick(samples, i, action) } } });
}
