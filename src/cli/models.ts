// Loads the detector and classifier for the CLI: the shipped ones in public/models by default.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, type BackendChoice, type BackendResult } from '../core/model/backend';
import { loadModelFromDir } from './model-io-node';
import { MODEL_FILE } from '../core/model/file-names';
import { readMetadata, weightFiles, type ModelKind } from '../core/model/model-io';
import type { Models } from '../core/pipeline';
import { UsageError } from './args';
import { whyNotAFile } from './files';

/** What `drpnet fine-tune` writes beside the models it made: what was done and measured, and how (its `run`). */
export const FINE_TUNE_REPORT = 'fine-tune.json';

/** The particle diameter a models folder was fine-tuned at, when `drpnet fine-tune` made it (undefined otherwise). */
export async function fineTunedDiameter(dir: string): Promise<number | undefined> {
  try {
    const d = JSON.parse(await readFile(path.join(dir, FINE_TUNE_REPORT), 'utf8'))?.run?.diameter;
    return typeof d === 'number' && d > 0 ? d : undefined;
  } catch {
    return undefined; // not made by fine-tune, or from before it recorded the run
  }
}

export const SHIPPED_MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public/models');

/** Where the models of a run come from: a folder of both, and either network from a folder of its own. */
export interface ModelSources {
  /** Holds fcrn/ and classifier/ (--models; default: the shipped models). */
  dir?: string;
  /** A detector's own folder (model.json, weights.bin), as `drpnet train-detector` writes it. */
  detector?: string;
  /** A classifier's own folder, as `drpnet train-classifier` writes it. */
  classifier?: string;
}

/** The model.json folder of each network a run loads, and the option that named it. */
function modelFolders(src: ModelSources, withClassifier: boolean): { kind: ModelKind; dir: string; what: string }[] {
  const base = src.dir ?? SHIPPED_MODELS_DIR;
  const from = src.dir === undefined ? 'the shipped models' : '--models';
  const folders: { kind: ModelKind; dir: string; what: string }[] = [
    { kind: 'fcrn', dir: src.detector ?? path.join(base, 'fcrn'), what: src.detector ? '--detector' : from },
  ];
  if (withClassifier)
    folders.push({
      kind: 'classifier',
      dir: src.classifier ?? path.join(base, 'classifier'),
      what: src.classifier ? '--classifier' : from,
    });
  return folders;
}

/**
 * Checks that the model files a run needs are there, before any work: a wrong --models then
 * fails once, up front, not once per micrograph (UsageError naming the option).
 */
export async function checkModelFiles(src: ModelSources, withClassifier: boolean): Promise<void> {
  for (const { dir, what } of modelFolders(src, withClassifier)) {
    const holds =
      what === '--detector' || what === '--classifier'
        ? `a network's folder holds ${MODEL_FILE} and the weight files it names`
        : `the models folder holds fcrn/ and classifier/, each with ${MODEL_FILE} and the weight files it names`;
    const json = path.join(dir, MODEL_FILE);
    const missing = await whyNotAFile(json);
    if (missing !== undefined) throw new UsageError(`${what}: ${json}: ${missing} (${holds})`);
    let named: string[] = [];
    try {
      named = weightFiles(JSON.parse(await readFile(json, 'utf8')));
    } catch {
      // a model.json that cannot be read or parsed is the loader's to explain
    }
    for (const name of named) {
      const file = path.join(dir, name);
      const why = await whyNotAFile(file);
      if (why !== undefined) throw new UsageError(`${what}: ${file}: ${why} (${holds})`);
    }
  }
}

export async function loadModels(opts: ModelSources & { withClassifier: boolean }): Promise<Models> {
  const loaded = [];
  for (const { kind, dir, what } of modelFolders(opts, opts.withClassifier)) {
    const model = await loadModelFromDir(dir);
    const meta = readMetadata(model, path.join(dir, MODEL_FILE));
    // A classifier given as the detector would fail deep in picking, with a shape error.
    if (meta.kind !== kind)
      throw new UsageError(`${what} ${dir}: that is a ${meta.kind} model, not a ${kind === 'fcrn' ? 'detector' : 'classifier'}`);
    loaded.push({ model, meta });
  }
  return { fcrn: loaded[0].model, fcrnMeta: loaded[0].meta, classifier: loaded[1]?.model };
}

/** tfjs-backend-wasm's folder of .wasm files, found from the installed package: the bundled
 * CLI (dist/cli, scripts/build-cli.mjs) does not sit next to them as the package's code does. */
function wasmFolder(): string {
  return path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

export async function startBackend(choice: BackendChoice): Promise<BackendResult> {
  return initBackend(choice, { wasmPaths: wasmFolder() });
}

export function describeBackend(b: BackendResult): string {
  if (b.backend === 'webgpu') return `webgpu (${b.adapter ?? 'unknown adapter'})`;
  if (b.backend === 'wasm') return `wasm (${b.threads ?? 1} thread${(b.threads ?? 1) > 1 ? 's' : ''})`;
  return b.backend;
}
