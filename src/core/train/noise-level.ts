// A detector's noise level (ModelMetadata.noiseLevel, used by calibrate.ts): the median raw
// output at its loose candidates on micrographs without particles. Measured once after
// training, on simulated empty micrographs of the training conditions, so it says what this
// detector does on ice, carbon, contamination, noise and post-processing alone.
import { ParameterError } from '../errors';
import { DEFAULT_PICK_PARAMS } from '../params';
import { PickSession, type Models } from '../pipeline';
import { percentiles } from '../preprocess/percentile';
import { asMicrograph } from './training-micrograph';
import { emptyTrainingMicrographs } from './dataset';
import type { Image2D } from '../image';

export interface EmptyMicrograph {
  image: Image2D;
  /** The diameter it is picked at, original pixels. */
  diameter: number;
  negativeStain: boolean;
}

/** Raw detector heights of every loose candidate (threshold 0.5, no classifier) on the micrographs. */
export async function emptyCandidateHeights(models: Models, micrographs: readonly EmptyMicrograph[]): Promise<number[]> {
  const heights: number[] = [];
  for (const [i, m] of micrographs.entries()) {
    const session = new PickSession(`empty-${i}`, asMicrograph(m.image));
    const params = {
      ...DEFAULT_PICK_PARAMS,
      diameter: m.diameter,
      negativeStain: m.negativeStain,
      threshold: 0.5,
      useClassifier: false,
      calibrate: false,
    };
    await session.runDetector(models, params);
    for (const p of (await session.repick(models, params)).picks) if (p.detectorRaw !== undefined) heights.push(p.detectorRaw);
  }
  return heights;
}

/** How many empty micrographs a noise level is measured on. */
export const NOISE_LEVEL_MICROGRAPHS = 24;

/** The noise level from empty micrographs (see the file comment; default: NOISE_LEVEL_MICROGRAPHS of the training conditions). */
export async function measureNoiseLevel(
  models: Models,
  micrographs: readonly EmptyMicrograph[] = emptyTrainingMicrographs(NOISE_LEVEL_MICROGRAPHS),
): Promise<number> {
  const heights = await emptyCandidateHeights(models, micrographs);
  if (!heights.length)
    throw new ParameterError('the detector found no candidate on the empty micrographs; its noise level cannot be measured');
  return percentiles(Float32Array.from(heights), [50])[0];
}
