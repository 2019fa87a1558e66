// Loads the detector and classifier for the CLI: the shipped ones in public/models by default.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, type BackendChoice, type BackendResult } from '../core/model/backend';
import { loadModelFromDir } from '../core/model/model-io-node';
import { readMetadata } from '../core/model/model-io';
import type { Models } from '../core/pipeline';

export const SHIPPED_MODELS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../public/models');

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
