// A detector's noise level (ModelMetadata.noiseLevel, used by calibrate.ts): the median raw
// output at its loose candidates on micrographs without particles. Measured once after
// training, on simulated empty micrographs of the training conditions, so it says what this
// detector does on ice, carbon, contamination, noise and post-processing alone.
import { ParameterError, throwIfAborted } from '../errors';
import { DEFAULT_PICK_PARAMS } from '../params';
import { PickSession, type Models } from '../pipeline';
import { percentiles } from '../preprocess/percentile';
import { asMicrograph } from './training-micrograph';
import { eachEmptyTrainingMicrograph } from './dataset';
import type { Image2D } from '../image';

export interface EmptyMicrograph {
  image: Image2D;
  /** The diameter it is picked at, original pixels. */
  diameter: number;
  negativeStain: boolean;
}

export interface NoiseLevelOptions {
  /** Called after each micrograph with the share done (0..1]. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * Raw detector heights of every loose candidate (threshold 0.5, no classifier) on the
 * micrographs; `count` of them (micrographs may be a generator that simulates each when asked).
 */
export async function emptyCandidateHeights(
  models: Models,
  micrographs: Iterable<EmptyMicrograph>,
  opts: NoiseLevelOptions & { count?: number } = {},
): Promise<number[]> {
  const heights: number[] = [];
  const count = opts.count ?? (Array.isArray(micrographs) ? micrographs.length : undefined);
  let i = 0;
  for (const m of micrographs) {
    throwIfAborted(opts.signal);
    const session = new PickSession(`empty-${i}`, asMicrograph(m.image));
    const params = {
      ...DEFAULT_PICK_PARAMS,
      diameter: m.diameter,
      negativeStain: m.negativeStain,
      threshold: 0.5,
      useClassifier: false,
      calibrate: false,
    };
    await session.runDetector(models, params, { signal: opts.signal });
    for (const p of (await session.repick(models, params)).picks) if (p.detectorRaw !== undefined) heights.push(p.detectorRaw);
    i++;
    if (count) opts.onProgress?.(Math.min(1, i / count));
  }
  return heights;
}

/** How many empty micrographs a noise level is measured on. */
export const NOISE_LEVEL_MICROGRAPHS = 24;

/**
 * The noise level from empty micrographs (see the file comment; default: NOISE_LEVEL_MICROGRAPHS
 * of the training conditions, `size` px square (default 1024), simulated one at a time as they
 * are measured), to 4 decimals as model metadata stores it.
 */
export async function measureNoiseLevel(
  models: Models,
  micrographs?: readonly EmptyMicrograph[],
  opts: NoiseLevelOptions & { size?: number } = {},
): Promise<number> {
  const heights = micrographs
    ? await emptyCandidateHeights(models, micrographs, opts)
    : await emptyCandidateHeights(models, eachEmptyTrainingMicrograph(NOISE_LEVEL_MICROGRAPHS, opts.size), {
        ...opts,
        count: NOISE_LEVEL_MICROGRAPHS,
      });
  if (!heights.length)
    throw new ParameterError('the detector found no candidate on the empty micrographs; its noise level cannot be measured');
  return Math.round(percentiles(Float32Array.from(heights), [50])[0] * 1e4) / 1e4;
}
