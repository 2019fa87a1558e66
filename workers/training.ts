// Retraining inside an engine worker (issue 6): the worker-side halves of the calls in
// training-api.ts, over the core training code (src/core/train/). engine.worker.ts exposes
// them; everything here is DOM- and storage-free, so the unit tests run it in Node.
// - Samples are chosen where the micrograph is open (its PickSession keeps the detector map),
//   and patches are cut there after the user edited the samples.
// - Training runs on a copy of the active model (picking keeps using the original) or on fresh
//   weights, and returns the model files: model.json + weights.bin, the CLI's format.
import * as tf from '@tensorflow/tfjs';
import type { Point } from '../src/core/candidates';
import { DrpnetError, ParameterError } from '../src/core/errors';
import { buildClassifier } from '../src/core/model/classifier';
import { buildFcrn } from '../src/core/model/fcrn';
import { MODEL_FILE } from '../src/core/model/file-names';
import {
  classifierBoxRadii,
  loadModelFromUrl,
  modelFromFiles,
  modelToFiles,
  readMetadata,
  type ModelKind,
  type ModelMetadata,
} from '../src/core/model/model-io';
import type { PickParams } from '../src/core/params';
import type { Micrograph } from '../src/core/io/micrograph';
import type { Models, PickSession } from '../src/core/pipeline';
import type { DetectorSamples } from '../src/core/train/batches';
import { cutPatches } from '../src/core/train/classifier-samples';
import { detectorImageOf, detectorSamples } from '../src/core/train/dataset';
import { trainClassifier } from '../src/core/train/train-classifier';
import { trainDetector, type BatchReport } from '../src/core/train/train-detector';
import { toWorking, type TrainingMicrograph } from '../src/core/train/training-micrograph';
import { detectorWeightMap } from '../src/core/train/detector-crops';
import { DETECTOR_FINE_TUNE_DEFAULTS } from '../src/core/train/fine-tune';
import { classifierMetadata, detectorMetadata, historySummary } from '../src/core/train/training-run';
import { labelUnsupervised } from '../src/core/train/unsupervised';
import { measureNoiseLevel, NOISE_LEVEL_MICROGRAPHS } from '../src/core/train/noise-level';
import {
  SHIPPED_MODEL,
  type ActiveModels,
  type EpochReport,
  type SampleChoiceResult,
  type TrainingData,
  type TrainingEvent,
  type TrainRequest,
  type TrainResult,
  type UnsupervisedOptions,
} from './training-api';

/** Batch events are sent at most this often (ms); the last batch of an epoch always is. */
const EVENT_INTERVAL_MS = 100;

/** An open micrograph as a training micrograph, with the picking parameters' diameter and stain. */
export function sessionMicrograph(session: PickSession<Micrograph>, params: PickParams, truth?: readonly Point[]): TrainingMicrograph {
  return { name: session.name, image: session.micrograph.image, diameter: params.diameter, negativeStain: params.negativeStain, truth };
}

/** x,y pairs to points. */
export function pointsOf(xy: Float32Array): Point[] {
  if (xy.length % 2) throw new ParameterError(`positions must come as x,y pairs, got ${xy.length} numbers`);
  const out: Point[] = [];
  for (let i = 0; i < xy.length; i += 2) out.push({ x: xy[i], y: xy[i + 1] });
  return out;
}

/** The paper's unsupervised samples at the micrograph's own sigma and threshold; the session's kept map is reused. */
export async function chooseClassifierSamples(
  session: PickSession<Micrograph>,
  models: Models,
  params: PickParams,
  opts: UnsupervisedOptions,
  signal?: AbortSignal,
): Promise<SampleChoiceResult> {
  const m = sessionMicrograph(session, params);
  const choice = await labelUnsupervised(m, models, { ...opts, sigma: params.sigma, threshold: params.threshold, signal }, session);
  return { samples: choice.samples, candidatesByLevel: choice.candidatesByLevel };
}

/** Classifier patches at the given positions, cut from the session's working image as the pipeline cuts them for the active classifier. */
export async function classifierPatches(
  session: PickSession,
  models: Models,
  params: PickParams,
  xy: Float32Array,
  signal?: AbortSignal,
): Promise<Float32Array> {
  const work = await session.workingImage(params, models.fcrnMeta.workingRadius, signal);
  return cutPatches(work, pointsOf(xy), classifierBoxRadii(models.classifier));
}

/**
 * Detector patches: the label map holds a disk at every truth centre (the user's accepted and
 * manual picks); patches are cut on the first `centres` of them and on every rejected pick,
 * so a pick left out of the patch set still counts as a particle wherever another patch sees
 * it. Positive-unlabelled weights (detector-crops.ts): the user's picks and rejections count
 * fully, places they did not mark count less, since users never mark every particle.
 */
export async function detectorPatches(
  session: PickSession,
  models: Models,
  params: PickParams,
  truth: Float32Array,
  centres: number,
  seed: number,
  rejected: Float32Array = new Float32Array(0),
  signal?: AbortSignal,
): Promise<DetectorSamples> {
  const points = pointsOf(truth);
  if (!(centres >= 1 && centres <= points.length))
    throw new ParameterError(`${session.name}: patch centres must be 1..${points.length}, got ${centres}`);
  // The session's working image for the active detector, with its input smoothing: the patches are what it sees when picking.
  const work = await session.workingImage(params, models.fcrnMeta.workingRadius, signal);
  const det = detectorImageOf(work, points, models.fcrnMeta.inputSmoothing);
  const negatives = pointsOf(rejected).map((p) => toWorking(p, work.geometry.scale));
  const weights = detectorWeightMap(
    det.input.width,
    det.input.height,
    [...det.centres, ...negatives],
    work.geometry.radius,
    DETECTOR_FINE_TUNE_DEFAULTS.unlabelledWeight,
  );
  // The user's picks near the edge count too: their patches are moved inside the image.
  return detectorSamples({ ...det, centres: [...det.centres.slice(0, centres), ...negatives] }, { seed, weights, border: 'shift' });
}

async function copyOf(model: tf.LayersModel, kind: ModelKind): Promise<tf.LayersModel> {
  const files = await modelToFiles(model, readMetadata(model, `the active ${kind}`));
  return modelFromFiles(files.modelJson, files.weights.slice().buffer);
}

/** The model a run starts from: a copy of the active one, or fresh weights seeded by the run. */
async function startingModel(kind: ModelKind, req: TrainRequest, models: Models): Promise<tf.LayersModel> {
  const seed = req.options.seed;
  if (req.init === 'fresh') return kind === 'fcrn' ? buildFcrn({ seed }) : buildClassifier({ seed });
  const active = kind === 'fcrn' ? models.fcrn : models.classifier;
  if (!active) throw new DrpnetError('model-error', `there is no active ${kind} to continue from; start from fresh weights`);
  return copyOf(active, kind);
}

/** Turns the trainers' callbacks into throttled events with a live samples/s. */
function eventSender(batchSize: number, onEvent?: (e: TrainingEvent) => void) {
  let epochStart = performance.now();
  let lastSent = 0;
  return {
    onBatch(b: BatchReport): void {
      const now = performance.now();
      const last = b.batch + 1 === b.batches;
      if (!onEvent || (!last && now - lastSent < EVENT_INTERVAL_MS)) return;
      lastSent = now;
      const seconds = Math.max(1e-3, (now - epochStart) / 1000);
      onEvent({ type: 'batch', ...b, samplesPerSecond: ((b.batch + 1) * batchSize) / seconds });
    },
    onEpoch(report: EpochReport): void {
      onEvent?.({ type: 'epoch', report });
      epochStart = performance.now();
    },
  };
}

/**
 * Side of the simulated empty micrographs a retrained detector's noise level is measured on.
 * `drpnet fine-tune` and scripts/train.ts use 1024 px; that took 28 s in the page on WASM
 * (headless Chromium, a loaded 2-core machine; ~18 s in Node, 60% of it simulation), too long
 * after a training run of seconds. 768 px costs ~56% of it and, on the same 24 conditions, gives
 * the shipped detector 0.193 for its 0.199 (512 px: 0.177). Fewer micrographs would be cheaper
 * but drop conditions and move the median far (the first 12: 0.084).
 */
export const RETRAINED_NOISE_LEVEL_SIZE = 768;

/**
 * A retrained detector's metadata with its noise level (docs/method.md, step 8b): without one,
 * per-micrograph calibration is off for it, and picks collapse where the classifier's
 * probabilities fall (~12 per micrograph on the real apoferritin set). Measured as `drpnet
 * fine-tune` measures it, on NOISE_LEVEL_MICROGRAPHS simulated empty micrographs of the
 * training conditions (of RETRAINED_NOISE_LEVEL_SIZE px), reported as a step of its own.
 */
async function withNoiseLevel(
  fcrn: tf.LayersModel,
  fcrnMeta: ModelMetadata,
  onEvent?: (e: TrainingEvent) => void,
  signal?: AbortSignal,
): Promise<ModelMetadata> {
  const t0 = performance.now();
  onEvent?.({ type: 'noise-level', fraction: 0, micrographs: NOISE_LEVEL_MICROGRAPHS });
  try {
    const level = await measureNoiseLevel({ fcrn, fcrnMeta }, undefined, {
      size: RETRAINED_NOISE_LEVEL_SIZE,
      signal,
      onProgress: (fraction) => onEvent?.({ type: 'noise-level', fraction, micrographs: NOISE_LEVEL_MICROGRAPHS }),
    });
    const seconds = Math.round((performance.now() - t0) / 100) / 10;
    return {
      ...fcrnMeta,
      noiseLevel: level,
      trainingSummary: { ...fcrnMeta.trainingSummary, noiseLevelSeconds: seconds },
    };
  } catch (e) {
    // A detector that finds no candidate on empty ice has no noise level: it is kept, and says why it is not calibrated.
    if (!(e instanceof ParameterError)) throw e;
    return { ...fcrnMeta, trainingSummary: { ...fcrnMeta.trainingSummary, noiseLevelProblem: e.message } };
  }
}

/** Trains on data that came transferred from the app; the result's weights buffer is meant to be transferred back. */
export async function trainModel(
  data: TrainingData,
  req: TrainRequest,
  models: Models,
  onEvent?: (e: TrainingEvent) => void,
  signal?: AbortSignal,
): Promise<TrainResult> {
  const kind: ModelKind = data.kind === 'detector' ? 'fcrn' : 'classifier';
  const model = await startingModel(kind, req, models);
  const events = eventSender(req.options.batchSize, onEvent);
  const t0 = performance.now();
  try {
    const common = { ...req.options, signal, onBatch: events.onBatch, onEpoch: events.onEpoch };
    const history: EpochReport[] =
      data.kind === 'detector'
        ? (await trainDetector(model, data, common)).history
        : (await trainClassifier(model, data, { ...common, balance: true })).history;
    const seconds = (performance.now() - t0) / 1000;
    const summary = {
      ...req.summary,
      init: req.init,
      ...req.options,
      backend: tf.getBackend(),
      history: historySummary(history),
      trainingSeconds: Math.round(seconds),
    };
    // Patches were cut at the active detector's working radius and input smoothing (a classifier's patches too).
    const { workingRadius, inputSmoothing } = models.fcrnMeta;
    // A classifier's patches were cut with the active classifier's box (classifierPatches).
    const metadata =
      data.kind === 'detector'
        ? await withNoiseLevel(model, { ...detectorMetadata(workingRadius, data.size, summary), inputSmoothing }, onEvent, signal)
        : classifierMetadata(workingRadius, summary, classifierBoxRadii(models.classifier));
    const files = await modelToFiles(model, metadata);
    const weights =
      files.weights.buffer.byteLength === files.weights.byteLength ? (files.weights.buffer as ArrayBuffer) : files.weights.slice().buffer;
    return { kind, modelJson: files.modelJson, weights, metadata, history, backend: tf.getBackend(), seconds };
  } finally {
    model.dispose();
  }
}

/** Checks that model files build a DRPnet model (metadata included); returns the metadata. */
export async function inspectModel(modelJson: unknown, weights: ArrayBuffer): Promise<ReturnType<typeof readMetadata>> {
  const model = await modelFromFiles(modelJson, weights);
  try {
    return readMetadata(model, MODEL_FILE);
  } finally {
    model.dispose();
  }
}

/** A stored model's files, as the model library (IndexedDB) keeps them. */
export interface StoredModelFiles {
  kind: ModelKind;
  name: string;
  modelJson: unknown;
  weights: ArrayBuffer;
}

export type ModelReader = (id: string) => Promise<StoredModelFiles | undefined>;

export interface LoadedModels {
  models: Models;
  ids: ActiveModels;
  /** Stored models that could not be used (the shipped model of that kind was loaded instead). */
  notes: string[];
}

async function loadOne(
  kind: ModelKind,
  id: string,
  baseUrl: string,
  read: ModelReader,
  notes: string[],
): Promise<{ model: tf.LayersModel; id: string }> {
  const shipped = async () => ({ model: await loadModelFromUrl(`${baseUrl}${kind}/model.json`), id: SHIPPED_MODEL });
  if (id === SHIPPED_MODEL) return shipped();
  try {
    const rec = await read(id);
    if (!rec) throw new Error('it is no longer in the model library');
    const model = await modelFromFiles(rec.modelJson, rec.weights, rec.name);
    try {
      const meta = readMetadata(model, rec.name);
      if (meta.kind !== kind) throw new Error(`it is a ${meta.kind} model, not a ${kind}`);
    } catch (e) {
      model.dispose(); // built, then refused: its weights would stay on the backend
      throw e;
    }
    return { model, id };
  } catch (e) {
    notes.push(`the stored ${kind} ${id} could not be loaded (${(e as Error).message}); using the shipped one`);
    return shipped();
  }
}

/**
 * The detector and classifier for these ids: stored ones through `read`, the shipped ones
 * from `baseUrl`. A stored model that fails falls back to the shipped one, with a note.
 * Models of `current` whose id is unchanged are kept (so their sessions keep their maps).
 */
export async function loadModelSet(
  baseUrl: string,
  ids: ActiveModels,
  read: ModelReader,
  current?: { models: Models; ids: ActiveModels },
): Promise<LoadedModels> {
  const notes: string[] = [];
  const keep = (kind: ModelKind) =>
    current && current.ids[kind] === ids[kind] ? (kind === 'fcrn' ? current.models.fcrn : current.models.classifier) : undefined;
  const one = async (kind: ModelKind) => {
    const kept = keep(kind);
    return kept ? { model: kept, id: ids[kind] } : loadOne(kind, ids[kind], baseUrl, read, notes);
  };
  const [fr, cr] = await Promise.allSettled([one('fcrn'), one('classifier')]);
  if (fr.status === 'rejected' || cr.status === 'rejected') {
    // The half that loaded is freed, unless it is the current model kept as it was.
    for (const [r, kind] of [
      [fr, 'fcrn'],
      [cr, 'classifier'],
    ] as const)
      if (r.status === 'fulfilled' && r.value.model !== keep(kind)) r.value.model.dispose();
    throw (fr.status === 'rejected' ? fr : (cr as PromiseRejectedResult)).reason;
  }
  const [f, c] = [fr.value, cr.value];
  return {
    models: { fcrn: f.model, fcrnMeta: readMetadata(f.model, `${f.id} fcrn`), classifier: c.model },
    ids: { fcrn: f.id, classifier: c.id },
    notes,
  };
}

/** Frees the models of `old` that `next` does not use. */
export function disposeReplaced(old: Models | undefined, next: Models): void {
  if (!old) return;
  if (old.fcrn !== next.fcrn) old.fcrn.dispose();
  if (old.classifier && old.classifier !== next.classifier) old.classifier.dispose();
}
