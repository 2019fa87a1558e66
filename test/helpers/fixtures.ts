// Fixtures for the CLI tests: random-weight models saved like the shipped ones, small
// simulated micrographs written as MRC, and a RELION project tree around them.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeStar } from '../../src/core/coords/star';
import { writeMrc } from '../../src/core/io/mrc';
import { micrographsStarText } from '../relion/helpers/project';
import { initBackend } from '../../src/core/model/backend';
import { buildClassifier } from '../../src/core/model/classifier';
import { buildFcrn } from '../../src/core/model/fcrn';
import type { ModelKind, ModelMetadata } from '../../src/core/model/model-io';
import { saveModelToDir } from '../../src/cli/model-io-node';
import { simulateMicrograph } from '../../src/core/simulate/simulate';

/** Pixel size of the simulated micrographs (A/px). */
export const PIXEL_SIZE = 1.3;

const metadata = (kind: ModelKind): ModelMetadata => ({
  kind,
  workingRadius: 12,
  inputSmoothing: 3,
  patchSize: 64,
  created: '2026-01-01T00:00:00.000Z',
});

/** Saves a random-weight detector and classifier as DIR/fcrn and DIR/classifier (what --models reads). */
export async function writeRandomModels(dir: string): Promise<string> {
  await initBackend('wasm');
  await saveModelToDir(buildFcrn({ seed: 11 }), path.join(dir, 'fcrn'), metadata('fcrn'));
  await saveModelToDir(buildClassifier({ seed: 12 }), path.join(dir, 'classifier'), metadata('classifier'));
  return dir;
}

/** Writes a simulated micrograph of `width` x `height` pixels as float32 MRC. */
export async function writeSimulatedMrc(file: string, seed: number, width = 384, height = 320): Promise<void> {
  const sim = simulateMicrograph({ width, height, pixelSize: PIXEL_SIZE, kind: 'small', seed });
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, new Uint8Array(writeMrc(sim.image, { pixelSize: sim.pixelSize })));
}

export interface RelionProject {
  root: string;
  /** Micrograph names as the STAR lists them (relative to the project). */
  micrographs: string[];
  /** Project-relative micrographs STAR. */
  star: string;
}

/**
 * A RELION 3.1-style project: MotionCorr/job002/Movies/mic_000N.mrc and
 * CtfFind/job003/micrographs_ctf.star (data_optics + data_micrographs, relative names), plus
 * a default_pipeline.star in the dialect asked for (none: no pipeline file).
 */
export async function writeRelionProject(root: string, count: number, pipeline: '3.1' | '4' | 'none' = '3.1'): Promise<RelionProject> {
  const micrographs = Array.from({ length: count }, (_, i) => `MotionCorr/job002/Movies/mic_${String(i + 1).padStart(4, '0')}.mrc`);
  for (let i = 0; i < count; i++) await writeSimulatedMrc(path.join(root, micrographs[i]), 100 + i);
  const star = 'CtfFind/job003/micrographs_ctf.star';
  const text = micrographsStarText(micrographs, { pixelSize: PIXEL_SIZE }, 15000);
  await mkdir(path.join(root, 'CtfFind/job003'), { recursive: true });
  await writeFile(path.join(root, star), text);
  if (pipeline !== 'none') await writePipelineFile(root, pipeline, star);
  return { root, micrographs, star };
}

/** Writes a minimal default_pipeline.star in RELION 3.1 or 4/5 form (one CtfFind job and its node). */
export async function writePipelineFile(root: string, version: '3.1' | '4', star: string): Promise<void> {
  const typeCol = version === '3.1' ? 'Type' : 'TypeLabel';
  const text = writeStar([
    { name: 'pipeline_general', pairs: [['rlnPipeLineJobCounter', '5']] },
    {
      name: 'pipeline_processes',
      loops: [
        {
          columns: [
            'rlnPipeLineProcessName',
            'rlnPipeLineProcessAlias',
            `rlnPipeLineProcess${typeCol}`,
            `rlnPipeLineProcessStatus${version === '3.1' ? '' : 'Label'}`,
          ],
          rows: [['CtfFind/job003/', 'None', version === '3.1' ? '2' : 'relion.ctffind.ctffind4', version === '3.1' ? '2' : 'Succeeded']],
        },
      ],
    },
    {
      name: 'pipeline_nodes',
      loops: [
        {
          columns: ['rlnPipeLineNodeName', `rlnPipeLineNode${typeCol}`],
          rows: [[star, version === '3.1' ? '1' : 'MicrographsData.star.relion.ctf']],
        },
      ],
    },
  ]);
  await writeFile(path.join(root, 'default_pipeline.star'), text);
}

export interface Captured<T> {
  result: T;
  stdout: string;
  stderr: string;
}

/** Runs an in-process command, collecting what it writes to stdout and stderr. */
export async function captureOutput<T>(run: () => Promise<T>): Promise<Captured<T>> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const result = await run();
    return { result, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}

/** The `drpnet` executable, for tests that run the CLI as its own process. */
export const DRPNET_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/drpnet.js');
