// Model files in the tfjs LAYERS format (model.json + one weights .bin), without tfjs-node.
// Browser-safe: no fs here. Node reads/writes directories through src/cli/model-io-node.ts, which
// uses the artifact helpers below. Our metadata lives in model.json's userDefinedMetadata.
import * as tf from '@tensorflow/tfjs';
import { MODEL_FILE, WEIGHTS_FILE } from './file-names';
import { CLASSIFIER_BOX_RADII } from '../candidates';
import { DrpnetError } from '../errors';
import { describeRange, isValidParam, PARAM_SPECS, type ParamKey, type PickParams } from '../params';

export type ModelKind = 'fcrn' | 'classifier';

export interface ModelMetadata {
  kind: ModelKind;
  /** Particle radius in working pixels the network was trained at. */
  workingRadius: number;
  /** Gaussian sigma (working px) applied to the network's input before it runs. */
  inputSmoothing: number;
  /** Training patch size in pixels (64). */
  patchSize: number;
  /** Classifiers: side of the input box in particle radii (candidates.ts CLASSIFIER_BOX_RADII). */
  boxRadii?: number;
  /**
   * Detectors: the median raw output at candidates on simulated empty micrographs, measured after
   * training; picking compares candidates with it to estimate how many are particles (calibrate.ts).
   */
  noiseLevel?: number;
  /**
   * Detectors: pick settings chosen for this detector and its classifier on a data set's labelled
   * micrographs (`drpnet fine-tune`, train/tune-settings.ts). Picking with these models starts
   * from them instead of the defaults; settings the user gives still win.
   */
  pickSettings?: ModelPickSettings;
  /** ISO date of creation. */
  created: string;
  /** Free-form summary of the training run (epochs, losses, data). */
  trainingSummary?: Record<string, unknown>;
}

/** The pick settings a detector's metadata may carry: those that set how many candidates are kept. */
export const MODEL_PICK_SETTING_KEYS = ['threshold', 'cutoff', 'calibrate'] as const;
export type ModelPickSettings = Partial<Pick<PickParams, (typeof MODEL_PICK_SETTING_KEYS)[number]>>;

/** The weight files a model.json names (its weightsManifest; ours name WEIGHTS_FILE, the tfjs converter's group1-shard1of1.bin...). */
export function weightFiles(modelJson: unknown): string[] {
  const manifest = (modelJson as { weightsManifest?: { paths?: unknown }[] } | null)?.weightsManifest;
  return Array.isArray(manifest)
    ? manifest.flatMap((g) => (Array.isArray(g?.paths) ? g.paths.filter((p): p is string => typeof p === 'string') : []))
    : [];
}

function modelError(message: string, file?: string): DrpnetError {
  return new DrpnetError('model-error', message, file);
}

/** Checks a metadata object; throws a DrpnetError naming the file and the bad field. */
export function validateMetadata(meta: unknown, file?: string): ModelMetadata {
  if (!meta || typeof meta !== 'object') {
    throw modelError('the model has no DRPnet metadata (model.json userDefinedMetadata is missing)', file);
  }
  const m = meta as Record<string, unknown>;
  if (m.kind !== 'fcrn' && m.kind !== 'classifier') {
    throw modelError(`the model's metadata kind is ${JSON.stringify(m.kind)}, expected "fcrn" or "classifier"`, file);
  }
  for (const key of ['workingRadius', 'inputSmoothing', 'patchSize'] as const) {
    if (typeof m[key] !== 'number' || !Number.isFinite(m[key]) || (m[key] as number) < 0) {
      throw modelError(`the model's metadata field ${key} must be a non-negative number, got ${JSON.stringify(m[key])}`, file);
    }
  }
  if (typeof m.created !== 'string') throw modelError("the model's metadata has no creation date (created)", file);
  if (m.boxRadii !== undefined && !(typeof m.boxRadii === 'number' && m.boxRadii > 0)) {
    throw modelError(`the model's metadata field boxRadii must be a positive number, got ${JSON.stringify(m.boxRadii)}`, file);
  }
  if (m.noiseLevel !== undefined && !(typeof m.noiseLevel === 'number' && Number.isFinite(m.noiseLevel))) {
    throw modelError(`the model's metadata field noiseLevel must be a number, got ${JSON.stringify(m.noiseLevel)}`, file);
  }
  if (m.pickSettings !== undefined) {
    if (m.kind !== 'fcrn') throw modelError("the model's metadata has pickSettings, which only a detector (fcrn) carries", file);
    if (!m.pickSettings || typeof m.pickSettings !== 'object' || Array.isArray(m.pickSettings))
      throw modelError(`the model's metadata field pickSettings must be an object, got ${JSON.stringify(m.pickSettings)}`, file);
    for (const [key, value] of Object.entries(m.pickSettings)) {
      if (!(MODEL_PICK_SETTING_KEYS as readonly string[]).includes(key))
        throw modelError(`the model's pickSettings name '${key}'; they may set only ${MODEL_PICK_SETTING_KEYS.join(', ')}`, file);
      if (!isValidParam(key as ParamKey, value))
        throw modelError(
          `the model's pickSettings give ${key} ${JSON.stringify(value)} (${describeRange(PARAM_SPECS[key as ParamKey])})`,
          file,
        );
    }
  }
  return m as unknown as ModelMetadata;
}

/** The box a classifier was trained on (its metadata), or the current default for one without it. */
export function classifierBoxRadii(model: tf.LayersModel | undefined): number {
  const meta = model?.getUserDefinedMetadata() as Partial<ModelMetadata> | undefined;
  return typeof meta?.boxRadii === 'number' && meta.boxRadii > 0 ? meta.boxRadii : CLASSIFIER_BOX_RADII;
}

/** Our metadata of a loaded model; throws DrpnetError('model-error') when absent or invalid. */
export function readMetadata(model: tf.LayersModel, file?: string): ModelMetadata {
  return validateMetadata(model.getUserDefinedMetadata(), file);
}

export function setMetadata(model: tf.LayersModel, metadata: ModelMetadata): void {
  model.setUserDefinedMetadata(validateMetadata(metadata) as unknown as object);
}

/** The two files of a saved model, in memory. */
export interface ModelFiles {
  modelJson: tf.io.ModelJSON;
  weights: Uint8Array;
}

/** Serialises a model and its metadata to model.json content + one weights buffer. */
export async function modelToFiles(model: tf.LayersModel, metadata: ModelMetadata): Promise<ModelFiles> {
  setMetadata(model, metadata);
  let files: ModelFiles | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (!artifacts.weightSpecs || artifacts.weightData === undefined) throw modelError('the model has no weights to save');
      const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
      files = {
        modelJson: {
          modelTopology: artifacts.modelTopology as object,
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
          convertedBy: null,
          weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
          userDefinedMetadata: (artifacts.userDefinedMetadata ?? metadata) as unknown as Record<string, object>,
        },
        weights,
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength } };
    }),
  );
  if (!files) throw modelError('saving the model produced no files');
  return files;
}

/** Builds a model from parsed model.json content and its concatenated weights. */
export async function modelFromFiles(modelJson: unknown, weights: ArrayBuffer, file = MODEL_FILE): Promise<tf.LayersModel> {
  const json = modelJson as Partial<tf.io.ModelJSON> | null;
  if (!json || typeof json !== 'object' || !json.modelTopology) {
    throw modelError('this is not a TensorFlow.js layers model (model.json has no modelTopology)', file);
  }
  if (!Array.isArray(json.weightsManifest)) throw modelError('model.json has no weightsManifest', file);
  const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
  const expected = weightSpecs.reduce((sum, s) => sum + 4 * s.shape.reduce((a, b) => a * b, 1), 0);
  if (weights.byteLength !== expected) {
    throw modelError(`the weights file has ${weights.byteLength} bytes, but model.json describes ${expected}`, file);
  }
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs,
        weightData: weights,
        userDefinedMetadata: json.userDefinedMetadata,
      }),
    );
  } catch (e) {
    throw modelError(`the model could not be built: ${(e as Error).message}`, file);
  }
}

/** Loads model.json (and the weights it names, relative to it) from a URL. */
export async function loadModelFromUrl(url: string): Promise<tf.LayersModel> {
  try {
    return await tf.loadLayersModel(url);
  } catch (e) {
    throw modelError(`the model could not be loaded: ${(e as Error).message}`, url);
  }
}
