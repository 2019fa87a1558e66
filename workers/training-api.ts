// Types of the retraining calls between the app (src/app/training/) and the engine worker
// (workers/training.ts). Kept apart from engine-api.ts so the picking contract stays small.
import type { ModelKind, ModelMetadata } from '../src/core/model/model-io';
import type { DetectorSamples } from '../src/core/train/batches';
import type { ClassifierSample } from '../src/core/train/classifier-samples';
import type { ClassifierEpochReport } from '../src/core/train/train-classifier';
import type { DetectorEpochReport, TrainDetectorOptions } from '../src/core/train/train-detector';
import type { UnsupervisedSpec } from '../src/core/train/unsupervised';

/** Id of the models in public/models in the model library's place. */
export const SHIPPED_MODEL = 'shipped';

/** Which detector and classifier picking uses: model-library ids, or SHIPPED_MODEL. */
export interface ActiveModels {
  fcrn: string;
  classifier: string;
}

export const SHIPPED_MODELS: Readonly<ActiveModels> = { fcrn: SHIPPED_MODEL, classifier: SHIPPED_MODEL };

/** The unsupervised labelling's settings other than the peak ones (those are the micrograph's own sigma and threshold). */
export type UnsupervisedOptions = Omit<UnsupervisedSpec, 'sigma' | 'threshold' | 'signal'>;

export interface SampleChoiceResult {
  samples: ClassifierSample[];
  /** Detector candidates per strictness level. */
  candidatesByLevel: Record<number, number>;
}

export interface ClassifierData {
  kind: 'classifier';
  patches: Float32Array;
  /** 0 background, 1 particle. */
  labels: Uint8Array;
  n: number;
}

export type TrainingData = ClassifierData | ({ kind: 'detector' } & DetectorSamples);

/** The trainers' options both runs share (src/core/train/train-detector.ts, train-classifier.ts). */
export type TrainOptions = Pick<TrainDetectorOptions, 'epochs' | 'batchSize' | 'learningRate' | 'lrDecay' | 'validationFraction' | 'seed'>;

export interface TrainRequest {
  /** Continue from the worker's active model of that kind, or start from fresh weights. */
  init: 'active' | 'fresh';
  options: TrainOptions;
  /** What the data was (micrographs, sample counts, labelling): kept in the model's metadata. */
  summary: Record<string, unknown>;
}

export type EpochReport = DetectorEpochReport | ClassifierEpochReport;

export type TrainingEvent =
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number; samplesPerSecond: number }
  | { type: 'epoch'; report: EpochReport }
  /** After a detector's epochs: its noise level is measured on this many simulated empty micrographs (fraction done). */
  | { type: 'noise-level'; fraction: number; micrographs: number };

export interface TrainResult {
  kind: ModelKind;
  /** model.json content (tfjs layers format, weights in one file: weights.bin). */
  modelJson: unknown;
  /** weights.bin, transferred. */
  weights: ArrayBuffer;
  metadata: ModelMetadata;
  history: EpochReport[];
  /** The backend it trained on ('webgpu', 'wasm', 'cpu'). */
  backend: string;
  seconds: number;
}
