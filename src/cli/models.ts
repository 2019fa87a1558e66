// Loads the detector and classifier for the CLI: the shipped ones in public/models by default.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, type BackendChoice, type BackendResult } from '../core/model/backend';
import { loadModelFromDir } from '../core/model/model-io-node';
import { readMetadata } from '../core/model/model-io';
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

/**
 * Checks that the model files a pick needs are there, before any work: a wrong --models then
 * fails once, up front, not once per micrograph.
 */
export async function checkModelFiles(dir: string | undefined, withClassifier: boolean): Promise<void> {
  const base = dir ?? SHIPPED_MODELS_DIR;
  for (const kind of withClassifier ? ['fcrn', 'classifier'] : ['fcrn']) {
    const file = path.join(base, kind, 'model.json');
    const why = await whyNotAFile(file);
    if (why === undefined) continue;
    const what = dir === undefined ? 'the shipped models' : '--models';
    throw new UsageError(`${what}: ${file}: ${why} (the models folder holds fcrn/ and classifier/, each with model.json and weights.bin)`);
  }
}

export async function loadModels(opts: { dir?: string; detector?: string; classifier?: string; withClassifier: boolean }): Promise<Models> {
  const dir = opts.dir ?? SHIPPED_MODELS_DIR;
  const fcrnDir = opts.detector ?? path.join(dir, 'fcrn');
  const fcrn = await loadModelFromDir(fcrnDir);
  const classifier = opts.withClassifier ? await loadModelFromDir(opts.classifier ?? path.join(dir, 'classifier')) : undefined;
  return { fcrn, fcrnMeta: readMetadata(fcrn, path.join(fcrnDir, 'model.json')), classifier };
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
