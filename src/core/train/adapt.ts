// Adapting the shipped models to one data set, as the CLI's `drpnet fine-tune` and the
// workbench do it: from a few labelled micrographs (supervised), or from the data alone
// (self-training on the models' own confident picks). Both return new models and a report;
// neither replaces the models it started from unless a check on held-out data says so.
//
// Supervised: the detector is fine-tuned on crops of the labelled micrographs with
// positive-unlabelled loss weights (fine-tune.ts), then the classifier on candidates of the
// new detector (near a label: particle; far from every label, or a rejected pick: background).
// One labelled micrograph (the last) is held out when there are two or more: the new models
// are kept only if they pick it at least as well as the old ones (F1 at each one's settings).
// With a single labelled micrograph nothing can be held out; the same check on the micrograph
// they were trained on still refuses networks that fine-tuning made worse even there.
// Then the pick settings (peak threshold, cutoff, calibration) are chosen for the models kept,
// on every labelled micrograph (tune-settings.ts), and written into the detector's metadata
// when they also pick better with each labelled micrograph left out of the choice in turn:
// networks can rank a data set's particles well and still keep the wrong number of them.
//
// Unsupervised: self-training. The picks the models keep at their settings are the labels,
// the worst-scored half of the candidates they dropped the rejections, and the rest
// unlabelled; then the detector as supervised with partial labels, without a check. The
// classifier is kept: trained on its own decisions it learnt its own mistakes (see
// adaptUnsupervised).
import type * as tf from '@tensorflow/tfjs';
import { ParameterError, throwIfAborted } from '../errors';
import type { Scores } from '../metrics';
import { classifierBoxRadii, modelFromFiles, modelToFiles, readMetadata, type ModelMetadata } from '../model/model-io';
import { PickSession, pickMicrograph, type Models } from '../pipeline';
import { labelFromTruth } from './classifier-samples';
import { leaveOneOutTuning, type TunedSettings } from '../tuning';
import { LabelledSessions, tuneSettings } from './tune-settings';
import { fineTuneDetector, DETECTOR_FINE_TUNE_DEFAULTS, type LabelledMicrograph } from './fine-tune';
import { measureNoiseLevel } from './noise-level';
import { trainClassifier, type ClassifierEpochReport } from './train-classifier';
import type { BatchReport, DetectorEpochReport } from './train-detector';
import { asMicrograph, type TrainingMicrograph } from './training-micrograph';
import { classifierMetadata, ClassifierSetBuilder, countLabels, detectorMetadata, historySummary } from './training-run';

export interface AdaptModels extends Models {
  classifier: tf.LayersModel;
}

export interface AdaptOptions {
  /** Every particle of the labelled micrographs is labelled: unlabelled places are background. */
  labelsComplete: boolean;
  detectorEpochs: number;
  classifierEpochs: number;
  classifierLearningRate: number;
  seed: number;
  signal?: AbortSignal;
  onProgress?: (stage: string, detail: string) => void;
  onBatch?: (stage: 'detector' | 'classifier', b: BatchReport) => void;
  onEpoch?: (stage: 'detector' | 'classifier', e: DetectorEpochReport | ClassifierEpochReport) => void;
}

export const ADAPT_DEFAULTS: Readonly<Omit<AdaptOptions, 'signal' | 'onProgress' | 'onBatch' | 'onEpoch'>> = {
  labelsComplete: false,
  detectorEpochs: DETECTOR_FINE_TUNE_DEFAULTS.epochs,
  classifierEpochs: 4,
  classifierLearningRate: 2e-4,
  seed: 1,
};

/**
 * Crops per detector epoch when fine-tuning from labels, so the run does not grow without bound
 * with the micrographs' area. 5 labelled 1240x1200 apoferritin micrographs (diameter 64) give 96
 * crops, all used; 5 simulated 4096x4096 ones at diameter 138 give 288: the whole run took 318 s
 * with all of them, 224 s with 192. Self-training keeps every crop: with 192 it lowered simulated
 * low-defocus micrographs to 78.0 (81.8 with every crop; shipped models 80.4).
 */
export const SUPERVISED_CROPS_PER_EPOCH = 192;

/** What the check on held-out data found, per model set tried. */
export interface AdaptCheck {
  micrograph: string;
  /** false: the only labelled micrograph, which the new models were trained on (a check that favours them). */
  heldOut: boolean;
  base: Scores;
  adapted: Scores;
}

export interface AdaptResult {
  fcrn: tf.LayersModel;
  fcrnMeta: ModelMetadata;
  classifier: tf.LayersModel;
  classifierMeta: ModelMetadata;
  /** false: the held-out check found the adapted models worse, and these are copies of the old ones. */
  adapted: boolean;
  check: AdaptCheck | null;
  seconds: number;
  summary: Record<string, unknown>;
  /** Supervised only: the pick settings chosen on the labelled micrographs, and whether they were kept. */
  settings?: SettingsReport;
}

export interface SettingsReport {
  chosen: TunedSettings;
  /** Written into the detector's metadata (ModelMetadata.pickSettings): better than the models' current settings on the labelled micrographs, and clearly better on each left out in turn (settingsWin). */
  kept: boolean;
  /** Pooled over every labelled micrograph. */
  train: { current: Scores; tuned: Scores };
  /** Each of the `micrographs` labelled ones left out of the choice in turn (leaveOneOutTuning); null with one. */
  check: { micrographs: number; current: Scores; tuned: Scores } | null;
}

/** A deep copy of a model with its metadata (training changes the copy only). */
export async function copyModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  const files = await modelToFiles(model, readMetadata(model));
  return modelFromFiles(files.modelJson, files.weights.slice().buffer);
}

interface TunedPair extends AdaptModels {
  summary: Record<string, unknown>;
  /** The classifier is a copy of the old one, not trained. */
  classifierKept: boolean;
}

/**
 * Fine-tunes copies of both networks on labelled (or pseudo-labelled) micrographs; with
 * `withClassifier` false, the detector only (the classifier is a copy of the old one).
 */
async function fineTuneNetworks(
  base: AdaptModels,
  train: readonly LabelledMicrograph[],
  labelsComplete: boolean,
  cropsPerEpoch: number | undefined,
  withClassifier: boolean,
  o: AdaptOptions,
): Promise<TunedPair> {
  o.onProgress?.('detector', `fine-tuning the detector on ${train.length} micrograph(s)`);
  const fcrn = await copyModel(base.fcrn);
  const det = await fineTuneDetector(fcrn, base.fcrnMeta, train, {
    unlabelledWeight: labelsComplete ? 1 : DETECTOR_FINE_TUNE_DEFAULTS.unlabelledWeight,
    epochs: o.detectorEpochs,
    samplesPerEpoch: cropsPerEpoch,
    seed: o.seed,
    signal: o.signal,
    onBatch: (b) => o.onBatch?.('detector', b),
    onEpoch: (e) => o.onEpoch?.('detector', e),
  });
  throwIfAborted(o.signal);
  // The settings the old detector carried stay with the new one until new ones are chosen: the
  // held-out check and self-training's labels then pick both at the same settings.
  const fcrnMeta: ModelMetadata = {
    ...detectorMetadata(base.fcrnMeta.workingRadius, DETECTOR_FINE_TUNE_DEFAULTS.cropSize, {}),
    inputSmoothing: base.fcrnMeta.inputSmoothing,
    ...(base.fcrnMeta.pickSettings ? { pickSettings: base.fcrnMeta.pickSettings } : {}),
  };
  // Fine-tuning moves the detector's output scale: its noise level is measured anew (calibrate.ts).
  o.onProgress?.('noise level', "measuring the new detector's output on simulated empty micrographs (for per-micrograph calibration)");
  fcrnMeta.noiseLevel = await measureNoiseLevel({ fcrn, fcrnMeta });
  throwIfAborted(o.signal);
  const detectorSummary = {
    micrographs: train.map((m) => m.name),
    labelsComplete,
    detectorCrops: det.samples,
    detectorCropsPerEpoch: Math.min(det.samples, cropsPerEpoch ?? det.samples),
    detectorHistory: historySummary(det.history),
  };
  const keepClassifier = async (): Promise<TunedPair> => ({
    fcrn,
    fcrnMeta,
    classifier: await copyModel(base.classifier),
    summary: { ...detectorSummary, classifier: 'kept' },
    classifierKept: true,
  });
  if (!withClassifier) return keepClassifier();

  o.onProgress?.('classifier', "labelling the new detector's candidates for the classifier");
  const set = new ClassifierSetBuilder(classifierBoxRadii(base.classifier));
  for (const [i, m] of train.entries()) {
    throwIfAborted(o.signal);
    set.add(
      await labelFromTruth(m, { fcrn, fcrnMeta }, { seed: o.seed * 100 + i, negatives: m.negatives, labelsComplete, signal: o.signal }),
    );
  }
  const data = set.build();
  const counts = countLabels(data.labels);
  if (!counts.particles || !counts.background) {
    // Partial labels leave every unlabelled candidate unknown: with no rejected pick either,
    // nothing says what background looks like, and one class cannot train a classifier.
    o.onProgress?.(
      'classifier',
      `kept as it was: the labels give ${counts.particles} particle and ${counts.background} background examples; background comes from complete labels (--labels complete) or rejected picks`,
    );
    return keepClassifier();
  }
  const classifier = await copyModel(base.classifier);
  const clsHistory = (
    await trainClassifier(classifier, data, {
      epochs: o.classifierEpochs,
      learningRate: o.classifierLearningRate,
      lrDecay: 0.7,
      batchSize: 16,
      validationFraction: 0,
      balance: true,
      seed: o.seed,
      signal: o.signal,
      onBatch: (b) => o.onBatch?.('classifier', b),
      onEpoch: (e) => o.onEpoch?.('classifier', e),
    })
  ).history;
  return {
    fcrn,
    fcrnMeta,
    classifier,
    classifierKept: false,
    summary: {
      ...detectorSummary,
      classifierPatches: data.n,
      classifierParticles: counts.particles,
      classifierHistory: historySummary(clsHistory),
    },
  };
}

async function result(
  base: AdaptModels,
  tuned: TunedPair,
  keep: boolean,
  check: AdaptCheck | null,
  t0: number,
  method: string,
): Promise<AdaptResult> {
  const seconds = (performance.now() - t0) / 1000;
  const summary = { method, ...tuned.summary, check, trainingSeconds: Math.round(seconds) };
  if (!keep) {
    tuned.fcrn.dispose();
    tuned.classifier.dispose();
    return {
      fcrn: await copyModel(base.fcrn),
      fcrnMeta: base.fcrnMeta,
      classifier: await copyModel(base.classifier),
      classifierMeta: readMetadata(base.classifier),
      adapted: false,
      check,
      seconds,
      summary,
    };
  }
  const fcrnMeta = { ...tuned.fcrnMeta, trainingSummary: summary };
  const classifierMeta = tuned.classifierKept
    ? readMetadata(base.classifier)
    : classifierMetadata(base.fcrnMeta.workingRadius, summary, classifierBoxRadii(base.classifier));
  return { fcrn: tuned.fcrn, fcrnMeta, classifier: tuned.classifier, classifierMeta, adapted: true, check, seconds, summary };
}

/** Supervised fine-tuning of both networks from labelled micrographs (see the file comment). */
export async function adaptSupervised(
  base: AdaptModels,
  labelled: readonly LabelledMicrograph[],
  options: Partial<AdaptOptions> = {},
): Promise<AdaptResult> {
  const o = { ...ADAPT_DEFAULTS, ...options };
  if (!labelled.length) throw new ParameterError('fine-tuning needs at least one labelled micrograph');
  for (const m of labelled) if (!m.truth?.length) throw new ParameterError(`${m.name}: no labelled particles`);
  const t0 = performance.now();
  const held = labelled.length >= 2 ? labelled[labelled.length - 1] : undefined;
  const train = held ? labelled.slice(0, -1) : labelled;
  const tuned = await fineTuneNetworks(base, train, o.labelsComplete, SUPERVISED_CROPS_PER_EPOCH, true, o);
  const sessions = new LabelledSessions();
  const checkOn = held ?? labelled[0];
  o.onProgress?.(
    'check',
    `picking ${held ? 'the held-out micrograph' : 'the only labelled micrograph (none is left to hold out)'} ${checkOn.name} with the old and the new models`,
  );
  const check: AdaptCheck = {
    micrograph: checkOn.name,
    heldOut: held !== undefined,
    base: await sessions.score(base, [checkOn]),
    adapted: await sessions.score(tuned, [checkOn]),
  };
  const out = await result(base, tuned, check.adapted.f1 >= check.base.f1, check, t0, 'supervised fine-tuning');
  return withTunedSettings(out, labelled, sessions, o, t0);
}

/**
 * How much better (F1) settings must pick the labelled micrographs each left out of the choice
 * in turn to replace the current ones. One micrograph's F1 moves by a few tenths for a particle
 * or two: on simulated crowded micrographs settings that picked one held-out micrograph 85.4 ->
 * 85.7 picked the scored ones 85.4 -> 84.1 (docs/method.md).
 */
export const SETTINGS_MARGIN = 0.005;

/** Whether chosen settings replace the current ones: better on the labelled micrographs, and clearly better on each left out in turn. */
export function settingsWin(train: { current: Scores; tuned: Scores }, check: { current: Scores; tuned: Scores } | null): boolean {
  return train.tuned.f1 > train.current.f1 && (!check || check.tuned.f1 >= check.current.f1 + SETTINGS_MARGIN);
}

/**
 * Chooses the pick settings (tune-settings.ts) for the models `out` holds on every labelled
 * micrograph, and writes them into the detector's metadata when they pick those better than the
 * models' current settings do, and clearly better (SETTINGS_MARGIN) when each micrograph in turn
 * is left out of the choice and picked with what the others chose (leaveOneOutTuning). A single
 * held-out micrograph decided this until 2026-12-06; on the real apoferritin set it refused
 * settings that picked the 14 scoring micrographs 1.3 points better (docs/method.md). With one
 * labelled micrograph nothing can be left out: better on it is enough, as for the networks.
 */
async function withTunedSettings(
  out: AdaptResult,
  labelled: readonly LabelledMicrograph[],
  sessions: LabelledSessions,
  o: AdaptOptions,
  t0: number,
): Promise<AdaptResult> {
  const models = { fcrn: out.fcrn, fcrnMeta: out.fcrnMeta, classifier: out.classifier };
  o.onProgress?.('settings', `choosing the peak threshold and classifier cutoff on ${labelled.length} labelled micrograph(s)`);
  const tuning = await tuneSettings(models, labelled, sessions, o.signal);
  const check = labelled.length >= 2 ? { micrographs: labelled.length, ...leaveOneOutTuning(tuning.candidates, tuning.counts) } : null;
  const kept = settingsWin({ current: tuning.current, tuned: tuning.tuned }, check);
  const settings: SettingsReport = { chosen: tuning.settings, kept, train: { current: tuning.current, tuned: tuning.tuned }, check };
  const fcrnMeta: ModelMetadata = kept ? { ...out.fcrnMeta, pickSettings: { ...tuning.settings } } : out.fcrnMeta;
  const seconds = (performance.now() - t0) / 1000;
  return { ...out, fcrnMeta, seconds, summary: { ...out.summary, settings, trainingSeconds: Math.round(seconds) }, settings };
}

/** Self-training settings: which of the models' own decisions become labels. */
export const SELF_TRAINING = {
  /** At most this many micrographs are picked and trained on. */
  maxMicrographs: 20,
  /** The worst-scored share of the dropped candidates that become background. */
  negativeShare: 0.5,
} as const;

/**
 * Unsupervised adaptation by self-training: the models pick each micrograph at their settings
 * (the defaults, or those fine-tuning chose); their picks become labelled particles, the
 * worst-scored half of the candidates they dropped become rejected picks, and everything else
 * is unlabelled. The detector is then fine-tuned as from partial labels; the classifier is
 * kept. Retrained on its own keep/drop decisions (a few dozen rejections per micrograph), the
 * classifier learnt to drop more of what it already dropped: simulated carbon-edge recall
 * 74.5 -> 66.4 with the shipped detector, ribosome precision 96.3 -> 89.7 (docs/method.md).
 * Without truth there is nothing to check the result against: the report says so.
 */
export async function adaptUnsupervised(
  base: AdaptModels,
  micrographs: readonly TrainingMicrograph[],
  options: Partial<AdaptOptions> = {},
): Promise<AdaptResult> {
  const o = { ...ADAPT_DEFAULTS, ...options };
  if (!micrographs.length) throw new ParameterError('adaptation needs at least one micrograph');
  const t0 = performance.now();
  const pseudo: LabelledMicrograph[] = [];
  for (const m of micrographs.slice(0, SELF_TRAINING.maxMicrographs)) {
    throwIfAborted(o.signal);
    o.onProgress?.('labels', `picking ${m.name} with the current models`);
    const session = new PickSession(m.name, asMicrograph(m.image));
    const res = await pickMicrograph(session, base, LabelledSessions.params(base, m), { signal: o.signal });
    const byScore = (a: { score?: number }, b: { score?: number }) => (b.score ?? 0) - (a.score ?? 0);
    const kept = res.all.filter((p) => p.kept).sort(byScore);
    const dropped = res.all.filter((p) => !p.kept).sort(byScore);
    const truth = kept;
    const negatives = dropped.slice(dropped.length - Math.floor(dropped.length * SELF_TRAINING.negativeShare));
    if (truth.length) pseudo.push({ ...m, truth, negatives });
  }
  if (!pseudo.length) throw new ParameterError('the models kept no pick on these micrographs; there is nothing to learn from');
  const tuned = await fineTuneNetworks(base, pseudo, false, undefined, false, o);
  return result(base, tuned, true, null, t0, 'self-training');
}
