// Node-only model directories (model.json + its weight files), read and written with fs. Kept out
// of model-io.ts so the browser bundle never sees 'node:fs'.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { DrpnetError } from '../core/errors';
import { MODEL_FILE } from '../core/model/file-names';
import { modelFromFiles, modelToFiles, weightFiles, type ModelMetadata } from '../core/model/model-io';

async function readOrThrow(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'the file does not exist' : (e as Error).message;
    throw new DrpnetError('model-error', `cannot read the ${what}: ${why}`, path);
  }
}

export async function loadModelFromDir(dir: string): Promise<tf.LayersModel> {
  const jsonPath = join(dir, MODEL_FILE);
  const text = (await readOrThrow(jsonPath, 'model description')).toString('utf8');
  let json: { weightsManifest?: { paths: string[] }[] };
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DrpnetError('model-error', `model.json is not valid JSON: ${(e as Error).message}`, jsonPath);
  }
  const paths = weightFiles(json);
  const parts = await Promise.all(paths.map((p) => readOrThrow(join(dir, p), 'model weights')));
  const total = parts.reduce((s, p) => s + p.byteLength, 0);
  const weights = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    weights.set(p, offset);
    offset += p.byteLength;
  }
  return modelFromFiles(json, weights.buffer, jsonPath);
}

export async function saveModelToDir(model: tf.LayersModel, dir: string, metadata: ModelMetadata): Promise<void> {
  const files = await modelToFiles(model, metadata);
  await mkdir(dir, { recursive: true });
  const [group] = files.modelJson.weightsManifest;
  await writeFile(join(dir, group.paths[0]), files.weights);
  await writeFile(join(dir, MODEL_FILE), JSON.stringify(files.modelJson));
}
