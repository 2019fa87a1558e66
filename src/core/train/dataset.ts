// Training sets: detector patches and classifier samples from any micrograph with its
// particle diameter and ground truth (training-micrograph.ts), and the simulated micrographs
// the shipped models are trained on.
//
// Every image goes through EXACTLY the inference preprocessing (pipeline.ts: chooseWorkingScale
// with the detector's working radius, preprocessForDetection with its default smoothing, then
// prepareNetworkInput), so what the networks learn on is what they later see.
//
// Departure from the paper (docs/method.md, "Detector labels and training"): detector labels are divided by their
// peak value R^2 (labels.ts), so particles of every working radius weigh the same in the MSE;
// the map is normalised before peak search anyway, so only the shape of the label matters.
import { ParameterError } from '../errors';
import type { Image2D } from '../image';
import type { Micrograph } from '../io/micrograph';
import { NETWORK_INPUT_SIGMA, prepareNetworkInput } from '../preprocess/preprocess';
import type { WorkingImage } from '../pipeline';
import { originalToWorking, type WorkingGeometry } from '../preprocess/scale';
import { createRng } from '../random';
import { particleDiameterPx, type ParticleKind } from '../simulate/phantoms';
import type { SimConfig, SimResult } from '../simulate/simulate';
import { sampleDetectorPatches, type DetectorSamples } from './batches';
import { detectorLabelMap, labelDiskRadius, type Centre } from './labels';
import { asMicrograph, FCRN_WORKING_RADIUS, workingImage, type TrainingMicrograph } from './training-micrograph';

export { FCRN_WORKING_RADIUS } from './training-micrograph';

/** Wraps a simulated image as the Micrograph the pipeline takes. */
export function simMicrograph(sim: SimResult): Micrograph {
  return asMicrograph(sim.image, sim.pixelSize);
}

/** Nominal diameter (original px) of a simulation's particles: the mean over its kinds. */
export function simDiameter(sim: SimResult): number {
  const kinds = sim.params.kinds;
  return kinds.reduce((s, k) => s + particleDiameterPx(k, sim.pixelSize), 0) / kinds.length;
}

/** Particles the detector should respond to: every rendered one except those buried in contamination. */
export function visibleCentres(sim: SimResult): Centre[] {
  return sim.truth.filter((p) => !p.inContamination).map((p) => ({ x: p.x, y: p.y }));
}

/** A simulation as a training micrograph, its truth the visible particles. */
export function simTrainingMicrograph(sim: SimResult): TrainingMicrograph {
  return {
    name: `sim-${sim.params.seed}`,
    image: sim.image,
    diameter: simDiameter(sim),
    negativeStain: sim.params.negativeStain,
    truth: visibleCentres(sim),
  };
}

export interface DetectorImage {
  /** The network input (preprocessed and smoothed, working scale). */
  input: Image2D;
  /** Labels at the network input's scale, peak 1 per particle. */
  labels: Image2D;
  /** Truth particle centres in network-input pixels. */
  centres: Centre[];
  geometry: WorkingGeometry;
}

/** Preprocess a micrograph as pipeline.ts does and draw the label map of its truth centres. */
export async function detectorImage(m: TrainingMicrograph, refRadius = FCRN_WORKING_RADIUS, inputSmoothing = NETWORK_INPUT_SIGMA): Promise<DetectorImage> {
  if (!m.truth) throw new ParameterError(`${m.name}: detector training needs ground-truth particle centres`);
  return detectorImageOf(await workingImage(m, refRadius), m.truth, inputSmoothing);
}

/** The network input of a working image (smoothed as the detector's metadata says) and the label map of truth centres (ORIGINAL pixels). */
export function detectorImageOf(work: WorkingImage, truth: readonly Centre[], inputSmoothing: number): DetectorImage {
  const { pre, geometry } = work;
  const { scale, radius } = geometry;
  const input = prepareNetworkInput(pre, inputSmoothing);
  const centres = truth.map((c) => ({ x: originalToWorking(c.x, scale), y: originalToWorking(c.y, scale) }));
  const labels = detectorLabelMap(input.width, input.height, centres, radius);
  const peak = labelDiskRadius(radius) ** 2;
  for (let i = 0; i < labels.data.length; i++) labels.data[i] /= peak;
  return { input, labels, centres, geometry };
}

export interface DetectorSampleSpec {
  /** Patch side (default 64). */
  size?: number;
  /** At most this many particle-centred patches per micrograph (default all). */
  maxParticles?: number;
  /** Background patches (away from particles) per micrograph (default 0). */
  backgroundCount?: number;
  seed: number;
}

/** Particle-centred (plus background) image/label patches of one micrograph, augmented. */
export function detectorSamples(det: DetectorImage, spec: DetectorSampleSpec): DetectorSamples {
  const size = spec.size ?? 64;
  const rng = createRng(spec.seed);
  const half = size / 2;
  // Particle patches must lie inside: reflected borders would mirror particles without labels.
  let centres = det.centres.filter(
    (c) => c.x >= half && c.y >= half && c.x < det.input.width - half && c.y < det.input.height - half,
  );
  if (spec.maxParticles !== undefined && centres.length > spec.maxParticles) {
    const picked = new Set<number>();
    while (picked.size < spec.maxParticles) picked.add(rng.int(centres.length));
    centres = [...picked].sort((a, b) => a - b).map((i) => centres[i]);
  }
  return sampleDetectorPatches(det.input, det.labels, centres, {
    size,
    border: 'skip',
    backgroundCount: spec.backgroundCount ?? 0,
    minBackgroundDistance: det.geometry.radius,
    augment: true,
    seed: spec.seed,
  });
}

/** Concatenates sample sets of the same patch size. */
export function concatDetectorSamples(sets: readonly DetectorSamples[]): DetectorSamples {
  if (!sets.length) throw new ParameterError('no detector training samples to concatenate');
  const size = sets[0].size;
  if (sets.some((s) => s.size !== size)) throw new ParameterError('detector sample sets have different patch sizes');
  const n = sets.reduce((s, x) => s + x.n, 0);
  const per = size * size;
  const inputs = new Float32Array(n * per);
  const labels = new Float32Array(n * per);
  let o = 0;
  for (const s of sets) {
    inputs.set(s.inputs.subarray(0, s.n * per), o * per);
    labels.set(s.labels.subarray(0, s.n * per), o * per);
    o += s.n;
  }
  return { inputs, labels, n, size };
}

export interface ClassifierSet {
  patches: Float32Array;
  /** 0 background, 1 particle. */
  labels: Uint8Array;
  n: number;
}

export function concatClassifierSets(sets: readonly ClassifierSet[], per = 64 * 64): ClassifierSet {
  const n = sets.reduce((s, x) => s + x.n, 0);
  const patches = new Float32Array(n * per);
  const labels = new Uint8Array(n);
  let o = 0;
  for (const s of sets) {
    patches.set(s.patches.subarray(0, s.n * per), o * per);
    labels.set(s.labels.subarray(0, s.n), o);
    o += s.n;
  }
  return { patches, labels, n };
}

/** Simulation settings of one training micrograph. */
export type TrainingSimConfig = Partial<SimConfig> & { seed: number };

/** Kinds the shipped models train on; betagal and apoferritin are held out for evaluation. */
export const TRAINING_KINDS: readonly ParticleKind[] = ['trpv1', 'proteasome', 'ribosome', 'small'];
/** Defocus ranges (um) used in training: the evaluation's 1.5-2.5 (typical) and 0.5-1.0 (low) are held out. */
export const TRAINING_DEFOCUS_UM: readonly [number, number][] = [[1.0, 1.4], [2.6, 3.4]];
/** Doses (e/A^2) drawn in training: 25-35 or 45-60, never the evaluation's 40. */
export const TRAINING_DOSE_RANGES: readonly [number, number][] = [[25, 35], [45, 60]];
/** Seeds of training micrographs start here; evaluation seeds are far away (evaluate.ts). */
export const TRAINING_SEED_BASE = 100_000;

export interface TrainingRecipe {
  /** Micrographs to simulate. */
  count: number;
  /** Image side, pixels (default 1024). */
  size?: number;
  /** Offset of the seeds (detector and classifier sets use different ones). */
  seedOffset: number;
}

/**
 * Varied training micrographs: training kinds at pixel sizes that spread the working radius
 * over 6..12 px, training defocus/dose ranges, and in some images carbon edges,
 * contamination, crowding or negative stain. Deterministic from the recipe.
 */
export function trainingSimConfigs(recipe: TrainingRecipe): TrainingSimConfig[] {
  const size = recipe.size ?? 1024;
  const out: TrainingSimConfig[] = [];
  for (let i = 0; i < recipe.count; i++) {
    const seed = TRAINING_SEED_BASE + recipe.seedOffset + i;
    const rng = createRng(seed * 7919);
    const kind = TRAINING_KINDS[i % TRAINING_KINDS.length];
    // Pixel size 1.0..2.4 A/px puts every training kind at working radius 6..12 on 1024^2.
    const pixelSize = Math.round(rng.uniform(1.0, 2.4) * 100) / 100;
    const dr = TRAINING_DOSE_RANGES[rng.int(2)];
    const fr = TRAINING_DEFOCUS_UM[rng.int(2)];
    const d0 = rng.uniform(fr[0], fr[1]);
    const cfg: TrainingSimConfig = {
      seed,
      width: size,
      height: size,
      kind,
      pixelSize,
      dose: Math.round(rng.uniform(dr[0], dr[1])),
      defocusUm: [d0, d0],
      density: rng.uniform(0.12, 0.3),
      iceThicknessNm: rng.uniform(25, 60),
      iceGradientNm: rng.uniform(0, 20),
      iceVariation: rng.uniform(0.02, 0.15),
    };
    const u = rng.next();
    if (u < 0.2) Object.assign(cfg, { carbon: 'edge', carbonFraction: rng.uniform(0.2, 0.45) });
    else if (u < 0.4) Object.assign(cfg, { contamination: 1 + rng.int(5) });
    else if (u < 0.55) Object.assign(cfg, { density: rng.uniform(0.35, 0.5), clumping: 0.3, overlap: 0.05 });
    else if (u < 0.65) {
      const s0 = rng.uniform(0.8, 1.4);
      Object.assign(cfg, {
        negativeStain: true, voltageKv: 200, amplitudeContrast: 0.3, iceThicknessNm: 20, iceGradientNm: 4,
        defocusUm: [s0, s0], dose: Math.round(rng.uniform(20, 35)),
      });
    } else if (u < 0.72) Object.assign(cfg, { emptyFraction: rng.uniform(0.1, 0.3) });
    out.push(cfg);
  }
  return out;
}
