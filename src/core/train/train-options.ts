// The options every training run takes (epochs, batch size, learning rate and its decay, the
// share held out for validation, the seed): one record each, the one place their ranges are
// written. The workbench's training panel makes its number fields from it
// (src/app/training/TrainingPanel.tsx), the CLI its options, --help lines and checks
// (src/cli/train-option-flags.ts: train-detector, train-classifier, fine-tune), and core checks
// every run against it before training (checkTrainOptions, from trainDetector and trainClassifier).
// The defaults differ between the runs (train-detector.ts, train-classifier.ts,
// src/app/training/settings.ts), so they are not part of a record.
import { ParameterError } from '../errors';

export interface TrainOptionSpec {
  /** The workbench's label. */
  readonly label: string;
  /** What it does, one lower-case phrase: the CLI's --help line and the field's tooltip. */
  readonly help: string;
  /** The CLI option, without the dashes. */
  readonly flag: string;
  /** How --help names the value. */
  readonly metavar: string;
  /** The valid values, ends included. */
  readonly min: number;
  readonly max: number;
  /** The number field's step. */
  readonly step: number;
  readonly integer?: boolean;
}

// The ranges hold every value a recipe of ours uses (scripts/train.ts, fine-tune, adapt) with
// room either side; beyond them a run is a typing slip (a decay of 3, half a pass, half the
// labels held out of a handful of micrographs) more often than a choice.
export const TRAIN_OPTION_SPECS = {
  epochs: {
    label: 'Epochs',
    help: 'passes over the training patches',
    flag: 'epochs',
    metavar: 'N',
    min: 1,
    max: 1000,
    step: 1,
    integer: true,
  },
  batchSize: {
    label: 'Batch size',
    help: 'patches per training step',
    flag: 'batch-size',
    metavar: 'N',
    min: 1,
    max: 1024,
    step: 1,
    integer: true,
  },
  learningRate: { label: 'Learning rate', help: "Adam's learning rate", flag: 'lr', metavar: 'X', min: 1e-7, max: 1, step: 1e-5 },
  lrDecay: {
    label: 'LR factor per epoch',
    help: 'learning rate factor after each epoch',
    flag: 'lr-decay',
    metavar: 'X',
    min: 0.01,
    max: 1,
    step: 0.05,
  },
  validationFraction: {
    label: 'Validation fraction',
    help: 'share of the patches held out from training; its loss (and accuracy) is measured after each epoch',
    flag: 'validation',
    metavar: 'F',
    min: 0,
    max: 0.5,
    step: 0.05,
  },
  seed: {
    label: 'Seed',
    help: 'seed of the initial weights, the sample choice and the shuffling',
    flag: 'seed',
    metavar: 'S',
    min: 0,
    max: 2 ** 32 - 1,
    step: 1,
    integer: true,
  },
} as const satisfies Record<string, TrainOptionSpec>;

export type TrainOptionKey = keyof typeof TRAIN_OPTION_SPECS;

export const TRAIN_OPTION_KEYS = Object.keys(TRAIN_OPTION_SPECS) as TrainOptionKey[];

export type TrainOptionValues = Record<TrainOptionKey, number>;

export function isValidTrainOption(key: TrainOptionKey, value: number): boolean {
  const spec: TrainOptionSpec = TRAIN_OPTION_SPECS[key];
  return Number.isFinite(value) && value >= spec.min && value <= spec.max && (!spec.integer || Number.isInteger(value));
}

/** The valid values in words: "a whole number from 1 to 1000". */
export function describeTrainRange(spec: TrainOptionSpec): string {
  return `${spec.integer ? 'a whole number' : 'a number'} from ${spec.min} to ${spec.max}`;
}

/** Throws ParameterError naming the first option outside its range. */
export function checkTrainOptions(o: TrainOptionValues): void {
  for (const key of TRAIN_OPTION_KEYS) {
    const spec = TRAIN_OPTION_SPECS[key];
    if (!isValidTrainOption(key, o[key]))
      throw new ParameterError(`${spec.label.toLowerCase()} must be ${describeTrainRange(spec)}, got ${o[key]}`);
  }
}
