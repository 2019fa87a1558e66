// Model files in and out of the app, in the CLI's layout (src/cli/train.ts saveTrainedModel):
// model.json + weights.bin (+ training.json). Loading accepts a zip of those, or model.json
// with its weights file(s) chosen together; several weight shards are joined into one
// weights.bin, so every stored model has the same layout. No tfjs here (the page does not
// load it): the engine worker checks the model builds (inspectModel) before it is stored.
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { DrpnetError } from '../../core/errors';
import { MODEL_FILE, TRAINING_FILE, WEIGHTS_FILE } from '../../core/model/file-names';
import type { ModelMetadata } from '../../core/model/model-io';

export interface UploadedFile {
  name: string;
  bytes: Uint8Array;
}

interface WeightGroup {
  paths: string[];
  weights: unknown[];
}

export interface ModelFilePair {
  /** model.json content, its manifest naming one file: weights.bin. */
  modelJson: Record<string, unknown>;
  weights: ArrayBuffer;
  /** The file the model came from (zip or model.json), for names and messages. */
  source: string;
}

function modelError(message: string, file?: string): DrpnetError {
  return new DrpnetError('model-error', message, file);
}

const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p;

/** model.json content whose manifest lists every weight in one group stored as weights.bin. */
export function singleWeightsFile(modelJson: Record<string, unknown>, file = MODEL_FILE): Record<string, unknown> {
  const groups = modelJson.weightsManifest as WeightGroup[] | undefined;
  if (!Array.isArray(groups)) throw modelError('model.json has no weightsManifest', file);
  return { ...modelJson, weightsManifest: [{ paths: [WEIGHTS_FILE], weights: groups.flatMap((g) => g.weights ?? []) }] };
}

function concat(parts: readonly Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out.buffer;
}

function unzip(zip: UploadedFile): UploadedFile[] {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip.bytes);
  } catch (e) {
    throw modelError(`not a readable zip file (${(e as Error).message})`, zip.name);
  }
  return Object.entries(entries)
    .filter(([path]) => !path.endsWith('/'))
    .map(([path, bytes]) => ({ name: baseName(path), bytes }));
}

/**
 * The model in the files a user chose: one .zip, or model.json and the weight files its
 * manifest names. Throws a DrpnetError naming the file and what is missing or wrong.
 */
export function readModelUpload(files: readonly UploadedFile[]): ModelFilePair {
  const zips = files.filter((f) => /\.zip$/i.test(f.name));
  if (zips.length > 1) throw modelError(`choose one zip file at a time (got ${zips.map((z) => z.name).join(', ')})`);
  const source = zips[0]?.name;
  const all = zips.length ? unzip(zips[0]) : files.map((f) => ({ name: baseName(f.name), bytes: f.bytes }));
  const jsons = all.filter((f) => /\.json$/i.test(f.name) && f.name !== TRAINING_FILE);
  if (jsons.length !== 1) {
    const why = jsons.length ? `several model descriptions (${jsons.map((j) => j.name).join(', ')})` : 'no model.json';
    throw modelError(`${why}: choose a model's model.json together with its weights file (weights.bin), or a zip of them`, source);
  }
  const jsonFile = jsons[0];
  const where = source ?? jsonFile.name;
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(strFromU8(jsonFile.bytes));
  } catch (e) {
    throw modelError(`${jsonFile.name} is not valid JSON (${(e as Error).message})`, where);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology)
    throw modelError(`${jsonFile.name} is not a TensorFlow.js layers model (no modelTopology)`, where);
  const groups = json.weightsManifest as WeightGroup[] | undefined;
  if (!Array.isArray(groups)) throw modelError(`${jsonFile.name} has no weightsManifest`, where);
  const parts = groups
    .flatMap((g) => g.paths ?? [])
    .map((p) => {
      const f = all.find((x) => x.name === baseName(p));
      if (!f) throw modelError(`${jsonFile.name} names the weights file ${p}, which is not among the files chosen`, where);
      return f.bytes;
    });
  return { modelJson: singleWeightsFile(json, where), weights: concat(parts), source: where };
}

/** A stored model as a zip in the CLI's layout: model.json, weights.bin, training.json. */
export function modelZip(modelJson: Record<string, unknown>, weights: ArrayBuffer, metadata?: ModelMetadata): Uint8Array {
  return zipSync(
    {
      [MODEL_FILE]: strToU8(JSON.stringify(singleWeightsFile(modelJson))),
      [WEIGHTS_FILE]: new Uint8Array(weights),
      [TRAINING_FILE]: strToU8(JSON.stringify(metadata?.trainingSummary ?? {}, null, 2) + '\n'),
    },
    { level: 6 },
  );
}

/** A file-system-safe name for downloads. */
export function fileSafeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'model';
}
