// Settings of the two in-browser retraining runs, with their defaults. Shared by the panel,
// the controller and bench/retrain.ts (so the benchmark measures what the app does).
import { DEFAULT_CLASSIFIER_TRAINING } from '../../core/train/train-classifier';
import { UNSUPERVISED_DEFAULTS } from '../../core/train/unsupervised';
import type { TrainOptions } from '../../../workers/training-api';

export type TrainKind = 'classifier' | 'detector';

/** Which micrographs the unsupervised labelling looks at. */
export type MicrographScope = 'all' | 'picked' | 'current';

export interface ClassifierSettings extends TrainOptions {
  scope: MicrographScope;
  /** Level whose screened candidates are particles (2 or 3). */
  strictLevel: 2 | 3;
  /** Low-std background patches per micrograph. */
  lowStdCount: number;
  /** At most this many samples of each class (after the paper's class balancing). */
  maxPerClass: number;
  init: 'active' | 'fresh';
}

export interface DetectorSettings extends TrainOptions {
  /** At most this many of the user's picks (training-controller.ts userPicks) become patch centres. */
  maxPicks: number;
  init: 'active' | 'fresh';
}

// Paper values (docs/method.md, "Classifier training"): Adam lr 5e-5, batch 8, 5 epochs, 10% validation.
// Continuing from the shipped classifier is the default: with a few hundred samples per
// dataset it adapts in a few epochs, where fresh weights would need far more.
export const CLASSIFIER_DEFAULTS: ClassifierSettings = {
  scope: 'all',
  strictLevel: UNSUPERVISED_DEFAULTS.strictLevel,
  lowStdCount: UNSUPERVISED_DEFAULTS.lowStdCount,
  maxPerClass: 1000,
  init: 'active',
  epochs: DEFAULT_CLASSIFIER_TRAINING.epochs,
  batchSize: DEFAULT_CLASSIFIER_TRAINING.batchSize,
  learningRate: DEFAULT_CLASSIFIER_TRAINING.learningRate,
  lrDecay: DEFAULT_CLASSIFIER_TRAINING.lrDecay,
  validationFraction: DEFAULT_CLASSIFIER_TRAINING.validationFraction,
  seed: 1,
};

// Fine-tuning, not training afresh: the paper's batch 16 and x0.1 decay idea, at a tenth of
// its 1e-3 starting rate so a few hundred picks adjust the detector without undoing it.
export const DETECTOR_DEFAULTS: DetectorSettings = {
  maxPicks: 200,
  init: 'active',
  epochs: 3,
  batchSize: 16,
  learningRate: 1e-4,
  lrDecay: 0.3,
  validationFraction: 0.1,
  seed: 1,
};

export function trainOptions(s: TrainOptions): TrainOptions {
  return {
    epochs: s.epochs,
    batchSize: s.batchSize,
    learningRate: s.learningRate,
    lrDecay: s.lrDecay,
    validationFraction: s.validationFraction,
    seed: s.seed,
  };
}
