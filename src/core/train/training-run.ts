// The steps `npm run train` (scripts/train.ts) and `drpnet train-*` (src/cli/train.ts) share:
// accumulating training sets micrograph by micrograph, progress lines, the history and
// metadata written with a trained model. fs-free, so a worker can use it too.
import { CLASSIFIER_BOX_RADII, CLASSIFIER_PATCH_SIZE } from '../candidates';
import type { ModelMetadata } from '../model/model-io';
import { NETWORK_INPUT_SIGMA } from '../preprocess/preprocess';
import { gatherRows, type DetectorSamples } from './batches';
import { balancedSubset, countSamples, cutPatches, type SampleChoice, type SampleReason } from './classifier-samples';
import {
  concatClassifierSets,
  concatDetectorSamples,
  detectorImage,
  detectorSamples,
  type ClassifierSet,
  type DetectorSampleSpec,
} from './dataset';
import type { ClassifierEpochReport } from './train-classifier';
import type { BatchReport, DetectorEpochReport } from './train-detector';
import { FCRN_WORKING_RADIUS, type TrainingMicrograph } from './training-micrograph';

export type Log = (line: string) => void;

export interface DetectorSetSpec {
  /** At most this many particle patches per micrograph (default: all, as the paper). */
  perMicrograph?: number;
  /** Background patches per micrograph (default 0, as the paper). */
  backgroundPerMicrograph?: number;
  /** Working radius of the detector being trained (default FCRN_WORKING_RADIUS). */
  refRadius?: number;
  /** Particles nearer the edge than half a patch (dataset.ts DetectorSampleSpec.border; default 'skip', as the shipped recipe). */
  border?: DetectorSampleSpec['border'];
}

/** Detector patches gathered one micrograph at a time. */
export class DetectorSetBuilder {
  private readonly sets: DetectorSamples[] = [];
  /** Patches per working particle radius. */
  readonly radii: Record<number, number> = {};
  particles = 0;
  patches = 0;

  constructor(readonly spec: DetectorSetSpec = {}) {}

  /** Adds one micrograph's particle-centred patches (seeded augmentation); returns what it added. */
  async add(m: TrainingMicrograph, seed: number): Promise<{ patches: number; particles: number; radius: number }> {
    const det = await detectorImage(m, this.spec.refRadius ?? FCRN_WORKING_RADIUS);
    const s = detectorSamples(det, {
      maxParticles: this.spec.perMicrograph,
      backgroundCount: this.spec.backgroundPerMicrograph ?? 0,
      border: this.spec.border,
      seed,
    });
    this.sets.push(s);
    const r = det.geometry.radius;
    this.radii[r] = (this.radii[r] ?? 0) + s.n;
    this.particles += det.centres.length;
    this.patches += s.n;
    return { patches: s.n, particles: det.centres.length, radius: r };
  }

  get micrographs(): number {
    return this.sets.length;
  }

  build(): DetectorSamples {
    return concatDetectorSamples(this.sets);
  }
}

/** Classifier patches of labelled samples, gathered one micrograph at a time. */
export class ClassifierSetBuilder {
  private readonly sets: ClassifierSet[] = [];
  readonly byReason: Partial<Record<SampleReason, number>> = {};
  candidates = 0;
  patches = 0;

  /** boxRadii: the box of the classifier these patches train (a fresh one's is the default). */
  constructor(readonly boxRadii = CLASSIFIER_BOX_RADII) {}

  /** Cuts the chosen samples' patches; returns the micrograph's particle/background counts. */
  add(choice: SampleChoice): { particles: number; background: number } {
    const { samples, work } = choice;
    this.sets.push({
      patches: cutPatches(work, samples, this.boxRadii),
      labels: Uint8Array.from(samples, (s) => s.label),
      n: samples.length,
    });
    const c = countSamples(samples);
    for (const [k, v] of Object.entries(c.byReason) as [SampleReason, number][]) this.byReason[k] = (this.byReason[k] ?? 0) + v;
    this.candidates += choice.candidates;
    this.patches += samples.length;
    return { particles: c.particles, background: c.background };
  }

  get micrographs(): number {
    return this.sets.length;
  }

  /** All patches; with `balanceSeed`, cut to a class-balanced subset (balancedSubset). */
  build(balanceSeed?: number): ClassifierSet {
    const all = concatClassifierSets(this.sets);
    if (balanceSeed === undefined) return all;
    const rows = balancedSubset(all.labels, balanceSeed);
    return {
      patches: gatherRows(all.patches, CLASSIFIER_PATCH_SIZE ** 2, rows),
      labels: Uint8Array.from(rows, (r) => all.labels[r]),
      n: rows.length,
    };
  }
}

export function countLabels(labels: ArrayLike<number>): { particles: number; background: number } {
  let particles = 0;
  for (let i = 0; i < labels.length; i++) particles += labels[i];
  return { particles, background: labels.length - particles };
}

export function roundTo(v: number, digits = 5): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}

/** One line per epoch: learning rate, losses, accuracies (classifier) and samples/s. */
export function epochLine(e: DetectorEpochReport | ClassifierEpochReport): string {
  const parts = [`epoch ${e.epoch + 1}`, `lr ${e.learningRate.toExponential(1)}`, `loss ${e.loss.toFixed(4)}`];
  if (e.valLoss !== null) parts.push(`val loss ${e.valLoss.toFixed(4)}`);
  if ('accuracy' in e) parts.push(`acc ${e.accuracy.toFixed(3)}`, `val acc ${e.valAccuracy?.toFixed(3) ?? '-'}`);
  parts.push(`${e.samplesPerSecond.toFixed(1)} samples/s`);
  return parts.join(', ');
}

/** Logs every `every`-th batch. */
export function batchLogger(every: number, log: Log): (b: BatchReport) => void {
  return (b) => {
    if ((b.batch + 1) % every === 0) log(`  epoch ${b.epoch + 1} batch ${b.batch + 1}/${b.batches} loss ${b.loss.toFixed(4)}`);
  };
}

/** The history as stored in training.json and the model card (1-based epochs, rounded). */
export function historySummary(history: readonly (DetectorEpochReport | ClassifierEpochReport)[]): Record<string, unknown>[] {
  return history.map((h) => {
    const val = h.valLoss === null ? null : roundTo(h.valLoss);
    if (!('accuracy' in h))
      return { epoch: h.epoch + 1, loss: roundTo(h.loss), valLoss: val, samplesPerSecond: roundTo(h.samplesPerSecond, 1) };
    return {
      epoch: h.epoch + 1,
      loss: roundTo(h.loss),
      accuracy: roundTo(h.accuracy, 4),
      valLoss: val,
      valAccuracy: h.valAccuracy === null ? null : roundTo(h.valAccuracy, 4),
      samplesPerSecond: roundTo(h.samplesPerSecond, 1),
    };
  });
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function detectorMetadata(workingRadius: number, patchSize: number, trainingSummary: Record<string, unknown>): ModelMetadata {
  return { kind: 'fcrn', workingRadius, inputSmoothing: NETWORK_INPUT_SIGMA, patchSize, created: today(), trainingSummary };
}

/** A classifier works on patches cut at its detector's working scale, so it carries that radius. */
export function classifierMetadata(
  workingRadius: number,
  trainingSummary: Record<string, unknown>,
  boxRadii = CLASSIFIER_BOX_RADII,
): ModelMetadata {
  return {
    kind: 'classifier',
    workingRadius,
    inputSmoothing: 0,
    patchSize: CLASSIFIER_PATCH_SIZE,
    boxRadii,
    created: today(),
    trainingSummary,
  };
}
