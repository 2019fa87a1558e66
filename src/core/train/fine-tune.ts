// Fine-tuning the detector on a few of the user's micrographs: their labelled particles (a
// truth file, or the picks accepted and added in the workbench), the picks they rejected, and
// nothing about the rest (positive-unlabelled: detector-crops.ts). Starts from a trained
// detector and trains on crops covering each whole working image, so a handful of micrographs
// is enough and the run takes minutes on a CPU.
import type * as tf from '@tensorflow/tfjs';
import { ParameterError } from '../errors';
import type { Point } from '../candidates';
import { detectorCrops, detectorWeightMap, type WeightedDetectorSamples } from './detector-crops';
import { concatDetectorSamples, detectorImage } from './dataset';
import { trainDetector, type DetectorEpochReport, type TrainingResult, type BatchReport } from './train-detector';
import { toWorking, type TrainingMicrograph } from './training-micrograph';
import type { ModelMetadata } from '../model/model-io';

export interface LabelledMicrograph extends TrainingMicrograph {
  /** Places the user said are not particles (rejected picks), original pixels. */
  negatives?: readonly Point[];
}

export interface DetectorFineTuneOptions {
  /** Loss weight of places nobody labelled: 1 when every particle is labelled, lower when only some are. */
  unlabelledWeight: number;
  epochs: number;
  learningRate: number;
  lrDecay: number;
  /** Crop side in working pixels. */
  cropSize: number;
  /** Randomly flipped/rotated copies of each crop. */
  copies: number;
  /** At most this many crops trained on per epoch, drawn anew each epoch (default: all). */
  samplesPerEpoch?: number;
  batchSize: number;
  seed: number;
  signal?: AbortSignal;
  onBatch?: (b: BatchReport) => void;
  onEpoch?: (e: DetectorEpochReport) => void;
}

export const DETECTOR_FINE_TUNE_DEFAULTS: Readonly<Omit<DetectorFineTuneOptions, 'signal' | 'onBatch' | 'onEpoch'>> = {
  unlabelledWeight: 0.5,
  epochs: 12,
  learningRate: 5e-4,
  lrDecay: 0.85,
  cropSize: 96,
  copies: 2,
  batchSize: 8,
  seed: 1,
};

/** Crops, labels and PU weights of the labelled micrographs at the detector's own geometry. */
export async function fineTuneDetectorSet(
  micrographs: readonly LabelledMicrograph[],
  meta: ModelMetadata,
  opts: Pick<DetectorFineTuneOptions, 'unlabelledWeight' | 'cropSize' | 'copies' | 'seed'>,
): Promise<WeightedDetectorSamples> {
  if (!micrographs.length) throw new ParameterError('fine-tuning needs at least one labelled micrograph');
  const sets: WeightedDetectorSamples[] = [];
  for (const [i, m] of micrographs.entries()) {
    const det = await detectorImage(m, meta.workingRadius, meta.inputSmoothing);
    const { scale, radius } = det.geometry;
    const negatives = (m.negatives ?? []).map((p) => toWorking(p, scale));
    const weights = detectorWeightMap(det.input.width, det.input.height, [...det.centres, ...negatives], radius, opts.unlabelledWeight);
    sets.push(detectorCrops(det.input, det.labels, weights, { size: opts.cropSize, copies: opts.copies, seed: opts.seed * 1000 + i }));
  }
  return concatDetectorSamples(sets) as WeightedDetectorSamples;
}

/** Fine-tunes `model` (a detector; trained in place) on labelled micrographs. */
export async function fineTuneDetector(
  model: tf.LayersModel,
  meta: ModelMetadata,
  micrographs: readonly LabelledMicrograph[],
  options: Partial<DetectorFineTuneOptions> = {},
): Promise<TrainingResult<DetectorEpochReport> & { samples: number }> {
  const o = { ...DETECTOR_FINE_TUNE_DEFAULTS, ...options };
  const data = await fineTuneDetectorSet(micrographs, meta, o);
  const result = await trainDetector(model, data, {
    epochs: o.epochs,
    learningRate: o.learningRate,
    lrDecay: o.lrDecay,
    batchSize: o.batchSize,
    validationFraction: 0,
    samplesPerEpoch: o.samplesPerEpoch,
    seed: o.seed,
    signal: o.signal,
    onBatch: o.onBatch,
    onEpoch: o.onEpoch,
  });
  return { ...result, samples: data.n };
}
