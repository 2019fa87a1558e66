// One micrograph through DRPnet (docs/method.md, steps 2-9): choose the working scale,
// preprocess, run the FCRN once, then re-pick as often as the user likes on the kept map
// (peaks, edge margin, intensity screens, classifier, calibration) without running the FCRN again.
// Used unchanged by the engine worker and the CLI.
import type * as tf from '@tensorflow/tfjs';
import { calibratedP, calibrateScores, passesCutoff, type CalibrationReport } from './calibrate';
import {
  extractPatches,
  insideEdgeMargin,
  intensityScreen,
  patchStats,
  suppressNeighbours,
  type PatchStats,
  type Point,
} from './candidates';
import type { Particle } from './coords/types';
import { throwIfAborted } from './errors';
import { createImage, type Image2D } from './image';
import type { OpenedMicrograph } from './io/micrograph-source';
import { classifyPatches, runFcrn } from './model/inference';
import { NearCache } from './near-cache';
import { classifierBoxRadii, type ModelMetadata } from './model/model-io';
import { checkPickParams, detectorKey, PICK_PARAMETERS, type DetectorParams, type PickParams } from './params';
import { PeakFinder } from './peaks';
import { prepareNetworkInput, preprocessReduced } from './preprocess/preprocess';
import { percentiles } from './preprocess/percentile';
import { workingGeometry, workingToOriginal, type WorkingGeometry } from './preprocess/scale';

export interface Models {
  fcrn: tf.LayersModel;
  fcrnMeta: ModelMetadata;
  classifier?: tf.LayersModel;
}

export interface ScoredPick extends Particle {
  /** p(particle), when the classifier ran: its output after this micrograph's calibration
   * (calibrate.ts), what the cutoff compares and the figure of merit written. */
  pParticle?: number;
  /** The classifier's own output, before calibration. */
  pClassifier?: number;
  /** Detector peak height on the 0..1 scale of the normalised map. */
  peakHeight: number;
  /** The detector's raw output at the pick (calibrate.ts compares it with the model's noise level). */
  detectorRaw?: number;
  /** False when a screen or the classifier drops this candidate at the current settings. */
  kept: boolean;
  /** True when an intensity screen drops it, whatever the cutoff (withCutoff needs to know). */
  screenedOut?: boolean;
}

/**
 * The same candidates at another classifier cutoff, without the detector or the classifier: the
 * cutoff compares each candidate's calibrated p(particle), and calibration itself is checked at the
 * default cutoff, not the user's (calibrate.ts). `classified`: whether the pick that made them
 * used the classifier. Undefined for picks that cannot say (candidates the classifier did not
 * judge, as in a preview, or picks from before `screenedOut` was recorded): pick them again.
 */
export function withCutoff(picks: readonly ScoredPick[], cutoff: number, classified: boolean): ScoredPick[] | undefined {
  const judged = (p: ScoredPick) => p.screenedOut !== undefined && (p.screenedOut || !classified || p.pParticle !== undefined);
  if (!picks.every(judged)) return undefined;
  if (!classified) return [...picks]; // the cutoff drops nothing without the classifier
  return picks.map((p) => {
    const kept = !p.screenedOut && passesCutoff(p.pParticle as number, cutoff);
    return kept === p.kept ? p : { ...p, kept };
  });
}

export interface DetectorOutput {
  /** FCRN map, normalised to [0,1], at `mapScale` original pixels per map pixel. */
  map: Image2D;
  mapScale: number;
  /** Particle radius in working pixels (the scale the classifier patches are cut at). */
  radius: number;
  timings: Record<string, number>;
}

export interface PickOutput {
  picks: ScoredPick[];
  /** What the per-micrograph calibration found (calibrate.ts); absent when it did not run. */
  calibration?: CalibrationReport;
  timings: Record<string, number>;
  /** A preview's candidates the classifier has not seen yet (0: the preview is the final result). */
  unclassified: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (stage: string, fraction: number) => void;
  /**
   * repick only: a preview without running the classifier. Candidates take its output from the
   * cache, at their exact position or else from a classified candidate within
   * CLASSIFIER_PREVIEW_RADIUS; the rest stay unclassified and are not kept. The next repick
   * without this option gives the exact result.
   */
  preview?: boolean;
}

/** The preprocessed micrograph at the working scale, and that scale. */
export interface WorkingImage {
  /** Preprocessed (docs/method.md, step 3): what the detector sees, the screens measure and the classifier's patches are cut from. */
  pre: Image2D;
  geometry: WorkingGeometry;
}

/** The detector's run for one detector key: its map, the peak search on it, and the classifier's outputs. */
interface Detection {
  key: string;
  work: WorkingImage;
  map: Image2D;
  /** The detector's output before normalisation (its heights are what calibration compares). */
  raw: Image2D;
  peaks: PeakFinder;
  /** The detector that made the map: a retrained one (same name) must not reuse it. */
  fcrn: tf.LayersModel;
  /** Classifier outputs by exact candidate position (positionKey), so re-picks only classify new candidates. */
  pCache: Map<number, number>;
  /** Patch statistics by the pixel a candidate's box is centred on (pixelKey): they depend only on the kept image. */
  statsCache: Map<number, PatchStats>;
  /** The same outputs looked up by nearness, for previews (RunOptions.preview). */
  pNear: NearCache;
  /** The classifier the cached outputs are from; another one starts a new cache. */
  pFor?: tf.LayersModel;
}

/** In a preview, a candidate within this many working pixels of a classified one shows its output (near-cache.ts says why). */
export const CLASSIFIER_PREVIEW_RADIUS = 1;

/** Steps per working pixel of positionKey (a quarter pixel). */
const KEY_STEPS = 4;

/**
 * A number naming a candidate position to a quarter working pixel, for a map `height` rows high.
 * Keys stay small integers (under 2^30 while the working image is under 8000 px; it is at most
 * about 1800), which V8 hashes without boxing:
 * string keys, then keys above 2^31, each cost a re-pick about 10 ms.
 */
function positionKey(c: Point, height: number): number {
  return Math.round(c.x * KEY_STEPS) * (KEY_STEPS * height + 1) + Math.round(c.y * KEY_STEPS);
}

/**
 * The position a candidate's classifier patch is cut at: its own, to the quarter pixel its key
 * names, so that the cached output of a key is what classifying the candidate gives, whatever
 * position of that quarter pixel was classified first. Cut at the exact position, one setting
 * picked 110 on a real micrograph fresh and 113 after another threshold had been visited (outputs
 * up to 0.025 apart for one key).
 */
function keyedPosition(c: Point): Point {
  return { x: Math.round(c.x * KEY_STEPS) / KEY_STEPS, y: Math.round(c.y * KEY_STEPS) / KEY_STEPS };
}

/** A number naming the pixel patchStats centres a candidate's box on (it rounds the position), for a map `height` rows high. */
function pixelKey(c: Point, height: number): number {
  return Math.round(c.x) * (height + 1) + Math.round(c.y);
}

/** Milliseconds since t0, to 0.1 ms: how stage timings are reported. */
export function msSince(t0: number): number {
  return Math.round((performance.now() - t0) * 10) / 10;
}

/** The detector map's percentile that becomes 1 (see normaliseDetectorMap). */
export const MAP_CLIP_PERCENTILE = 99;

/**
 * The FCRN's raw map to [0, 1], in place: its minimum to 0, its 99th percentile to 1, higher
 * values clipped. (The peak search then scales it to 0..255 for its threshold: peaks.ts scaleMapTo255.)
 * Departure from the paper (min..max): a contamination blob or carbon edge that the detector
 * answers strongly would set the max and squash every particle's peak. Particle peaks cover
 * well under 1% of a map, so the clip flattens only the tops of the strongest. Measured on
 * simulated dev micrographs: mean F1 0.794 -> 0.807, contamination 0.63 -> 0.65.
 */
export function normaliseDetectorMap(map: Image2D): Image2D {
  const [min, top] = percentiles(map.data, [0, MAP_CLIP_PERCENTILE]);
  const span = top - min || 1;
  const d = map.data;
  for (let i = 0; i < d.length; i++) {
    const v = (d[i] - min) / span;
    d[i] = v > 1 ? 1 : v;
  }
  return map;
}

/** State kept for one open micrograph: its working image, detector map and caches. */
export class PickSession<M extends OpenedMicrograph = OpenedMicrograph> {
  private working?: { key: string; work: WorkingImage };
  private detection?: Detection;

  /**
   * Any opened micrograph: one decoded whole (the workbench, which also displays it, and
   * training: PickSession<Micrograph> keeps its image in reach) or one streamed from its file
   * (the CLI).
   */
  constructor(
    readonly name: string,
    readonly micrograph: M,
  ) {}

  /**
   * The preprocessed working image for this diameter and stain, at the working scale of a
   * detector trained at working radius refRadius. Kept until they change: the detector runs
   * on it, and training cuts its patches from it.
   */
  async workingImage(params: DetectorParams, refRadius: number, signal?: AbortSignal): Promise<WorkingImage> {
    const key = `${detectorKey(params)}|${refRadius}`;
    if (this.working?.key === key) return this.working.work;
    this.working = undefined;
    const geometry = workingGeometry(params.diameter, this.micrograph, refRadius);
    const reduced = await this.micrograph.reduce(geometry.scale, signal);
    const pre = preprocessReduced(reduced, { negativeStain: params.negativeStain, signal });
    this.working = { key, work: { pre, geometry } };
    return this.working.work;
  }

  /** The kept detection's key for these parameters and models. */
  private detectionKey(models: Models, params: PickParams): string {
    return `${detectorKey(params)}|${models.fcrn.name}|${models.fcrnMeta.workingRadius}`;
  }

  /** The kept detection when it is for these parameters and models, else undefined. */
  private keptDetection(models: Models, params: PickParams): Detection | undefined {
    const d = this.detection;
    return d?.key === this.detectionKey(models, params) && d.fcrn === models.fcrn ? d : undefined;
  }

  /** Whether runDetector() would return the kept map (no detector run). */
  hasDetection(models: Models, params: PickParams): boolean {
    return !!this.keptDetection(models, params);
  }

  /** Preprocess + FCRN. Cached: the same diameter/stain/model returns the kept map. */
  async runDetector(models: Models, params: PickParams, opts: RunOptions = {}): Promise<DetectorOutput> {
    checkPickParams(params);
    const timings: Record<string, number> = {};
    const refRadius = models.fcrnMeta.workingRadius;
    const kept = this.keptDetection(models, params);
    if (kept) return { map: kept.map, mapScale: kept.work.geometry.scale, radius: kept.work.geometry.radius, timings };
    const key = this.detectionKey(models, params);
    this.detection = undefined;
    let t = performance.now();
    opts.onProgress?.('preprocess', 0);
    const work = await this.workingImage(params, refRadius, opts.signal);
    const { pre, geometry } = work;
    timings.preprocess = msSince(t);
    throwIfAborted(opts.signal);

    t = performance.now();
    const input = prepareNetworkInput(pre, models.fcrnMeta.inputSmoothing);
    timings.networkInput = msSince(t);

    t = performance.now();
    const raw = await runFcrn(models.fcrn, input, {
      signal: opts.signal,
      onProgress: (f) => opts.onProgress?.('detector', f),
    });
    timings.fcrn = msSince(t);

    t = performance.now();
    const map = normaliseDetectorMap(createImage(raw.width, raw.height, raw.data.slice()));
    const peaks = new PeakFinder(map);
    timings.mapSetup = msSince(t);
    this.detection = {
      key,
      work,
      map,
      raw,
      peaks,
      fcrn: models.fcrn,
      pCache: new Map(),
      statsCache: new Map(),
      pNear: new NearCache(CLASSIFIER_PREVIEW_RADIUS),
    };
    return { map, mapScale: geometry.scale, radius: geometry.radius, timings };
  }

  /** Steps 5-8 on the kept map (docs/method.md). runDetector() must have run for these parameters. */
  async repick(models: Models, params: PickParams, opts: RunOptions = {}): Promise<PickOutput> {
    const d = this.detection;
    if (!d) throw new Error('repick called before runDetector');
    const { pre } = d.work;
    const { scale, radius } = d.work.geometry;
    checkPickParams(params);
    const timings: Record<string, number> = {};
    let t = performance.now();
    const peaks = d.peaks.find(params);
    timings.peaks = msSince(t);

    t = performance.now();
    // The map and the preprocessed image share the working grid.
    const apart = suppressNeighbours(peaks, (c) => c.height, (params.minDistance * params.diameter) / scale);
    // The edge margin is the user's, in original pixels; a classifier box may still cross the edge (patches are mirrored there).
    const margin = (params.edgeMargin * params.diameter) / 2;
    const { width, height } = this.micrograph;
    const inside = apart.filter((c) =>
      insideEdgeMargin(workingToOriginal(c.x, scale), workingToOriginal(c.y, scale), width, height, margin),
    );
    const keys = inside.map((c) => positionKey(c, pre.height));
    const stats = inside.map((c) => {
      const k = pixelKey(c, pre.height);
      let st = d.statsCache.get(k);
      if (!st) d.statsCache.set(k, (st = patchStats(pre, c.x, c.y, radius)));
      return st;
    });
    const screen = intensityScreen(inside, stats, params);
    timings.screens = msSince(t);

    let probs: (number | undefined)[] = inside.map(() => undefined);
    let unclassified = 0;
    const classifying = params.useClassifier && !!models.classifier;
    if (classifying && models.classifier && inside.length) {
      t = performance.now();
      ({ probs, unclassified } = await this.classify(models.classifier, inside, keys, opts));
      timings.classifier = msSince(t);
    }
    throwIfAborted(opts.signal);

    const rawAt = inside.map((c) => d.raw.data[Math.round(c.y) * d.raw.width + Math.round(c.x)]);
    const noiseLevel = models.fcrnMeta.noiseLevel;
    let calibration: CalibrationReport | undefined;
    if (classifying && params.calibrate && noiseLevel !== undefined) {
      calibration = calibrateScores({
        p: inside.map((_, i) => (screen.keep[i] ? probs[i] : undefined)),
        raw: rawAt,
        noiseLevel,
        referenceCutoff: PICK_PARAMETERS.cutoff.default,
      });
    }
    const shift = calibration?.shift ?? 0;
    const picks: ScoredPick[] = inside.map((c, i) => {
      const raw = probs[i];
      const p = raw === undefined ? undefined : calibratedP(raw, shift);
      // A preview keeps no candidate the classifier has not judged (it more often drops than keeps).
      const kept = screen.keep[i] && (p === undefined ? !(classifying && opts.preview) : passesCutoff(p, params.cutoff));
      return {
        x: workingToOriginal(c.x, scale),
        y: workingToOriginal(c.y, scale),
        score: p ?? c.height,
        peakHeight: c.height,
        detectorRaw: rawAt[i],
        pParticle: p,
        pClassifier: raw,
        kept,
        screenedOut: !screen.keep[i],
      };
    });
    return {
      picks,
      timings,
      unclassified,
      calibration,
    };
  }

  private async classify(
    model: tf.LayersModel,
    cands: readonly Point[],
    keys: readonly number[],
    opts: RunOptions,
  ): Promise<{ probs: (number | undefined)[]; unclassified: number }> {
    const d = this.detection!;
    if (d.pFor !== model) {
      d.pCache.clear();
      d.pNear.clear();
      d.pFor = model;
    }
    const known = keys.map((k) => d.pCache.get(k));
    const missingAt = known.flatMap((p, i) => (p === undefined ? [i] : []));
    if (opts.preview) return { probs: known.map((p, i) => p ?? d.pNear.get(cands[i].x, cands[i].y)), unclassified: missingAt.length };
    if (missingAt.length) {
      const missing = missingAt.map((i) => keyedPosition(cands[i]));
      const patches = extractPatches(d.work.pre, missing, d.work.geometry.radius, classifierBoxRadii(model));
      const p = await classifyPatches(model, patches, missing.length, {
        signal: opts.signal,
        onProgress: (f) => opts.onProgress?.('classifier', f),
      });
      missingAt.forEach((j, i) => {
        d.pCache.set(keys[j], p[i]);
        d.pNear.set(cands[j].x, cands[j].y, p[i]);
      });
      // Two candidates on one key share its output, as they will on the next re-pick.
      for (const j of missingAt) known[j] = d.pCache.get(keys[j]);
    }
    return { probs: known, unclassified: 0 };
  }
}

/** Detector and re-pick in one call; returns only the kept picks (what a coordinate file holds). */
export async function pickMicrograph(session: PickSession, models: Models, params: PickParams, opts: RunOptions = {}) {
  const det = await session.runDetector(models, params, opts);
  const res = await session.repick(models, params, opts);
  return {
    picks: res.picks.filter((p) => p.kept),
    all: res.picks,
    detection: det,
    calibration: res.calibration,
    timings: { ...det.timings, ...res.timings },
  };
}
