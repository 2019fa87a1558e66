// The typed contract between the app and the engine workers (comlink). The worker side is
// workers/engine.worker.ts; the app side calls it only through src/app/engine-bridge.ts,
// which runs a pool of these workers. New capabilities (e.g. in-browser retraining) add
// methods here and in the worker; the bridge's broadcast()/exclusive() reach every worker or
// one worker without new plumbing.
import type { CalibrationReport } from '../src/core/calibrate';
import type { Counts } from '../src/core/metrics';
import type { PickParams } from '../src/core/params';
import type { ScoredPick } from '../src/core/pipeline';
import type { GreyWindow } from '../src/core/preprocess/display';

import type { BackendChoice, BackendName } from '../src/core/model/backend';
import type {
  ActiveModels,
  SampleChoiceResult,
  TrainingData,
  TrainingEvent,
  TrainRequest,
  TrainResult,
  UnsupervisedOptions,
} from './training-api';
import type { DetectorSamples } from '../src/core/train/batches';
import type { ModelMetadata } from '../src/core/model/model-io';

export type { BackendChoice, BackendName, GreyWindow };

export interface EngineInit {
  backend: BackendChoice;
  /** URL prefix (ending in "/") holding fcrn/model.json and classifier/model.json. */
  modelBaseUrl: string;
  /** WASM: XNNPACK threads for this worker; 1 selects the single-threaded build. Default: all cores. */
  threads?: number;
  /**
   * Cancel flags shared with the bridge (Int32Array on a SharedArrayBuffer, only when the page
   * is cross-origin isolated). The bridge writes a job id into slot jobId % length to cancel
   * it; the worker reads the flag between tiles, so a cancel lands even while the WASM backend
   * keeps the worker's event loop busy. Without it, cancel() messages are the only way.
   */
  cancelFlags?: Int32Array;
}

export interface BackendInfo {
  backend: BackendName;
  /** e.g. "nvidia ampere", or "SwiftShader (fallback adapter)"; absent for wasm/cpu. */
  adapter?: string;
  isFallbackAdapter?: boolean;
  /** WASM: threads XNNPACK really uses in this worker. */
  threads?: number;
  /** Why the models could not be loaded (the worker still opens and shows micrographs). */
  modelError?: string;
  /** The models loaded (ids in the model library; 'shipped' = public/models). */
  models?: ActiveModels;
  /** A stored model that could not be loaded (the shipped one is used instead). */
  modelNote?: string;
}

export interface Progress {
  stage: string;
  /** 0..1 */
  fraction: number;
}

/** 8-bit grey image for display. */
export interface GreyImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

/**
 * A file (Blob/File): only a handle crosses to the worker, which reads it. The app registers
 * each file once and may open it again on another worker, so bytes it would have to clone each
 * time are not offered.
 */
export type MicrographSource = Blob;

/** Longest side of an open micrograph's whole-image display (its view when not zoomed in). */
export const DISPLAY_SIDE = 2048;
/** Longest side of the thumbnail in the micrograph list. */
export const THUMBNAIL_SIDE = 128;

export interface OpenOptions {
  /** 0-based frame of a stack; default: all frames averaged. */
  frame?: number;
}

/** What the app keeps of an open micrograph. */
export interface MicrographInfo {
  width: number;
  height: number;
  /** Angstrom per pixel from the file header, when it has a plausible one (core/pixel-size.ts). */
  pixelSize?: number;
  /** A header's pixel size that is none a micrograph has, taken as unknown (core/pixel-size.ts). */
  pixelSizeRefused?: number;
  /** Frames in the file; > 1 means a stack that was averaged unless a frame was chosen. */
  frames: number;
  /** What the reader decided on the user's behalf (frames averaged, byte order guessed, ...). */
  note?: string;
  /** Original pixels per pixel of the whole-image display. */
  displayScale: number;
}

/** An opened micrograph: what the app keeps of it, and its images. */
export interface OpenResult extends MicrographInfo {
  id: string;
  /** Small preview (longest side THUMBNAIL_SIDE) for the micrograph list. */
  thumbnail: GreyImage;
}

/** A view of the micrograph for the viewer: the region [x0,x1) x [y0,y1) in original pixels. */
export interface RenderRequest {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Longest side of the returned image. */
  maxSide: number;
  /** Display low-pass: Gaussian sigma in original pixels (absent or 0: none). */
  lowpassSigma?: number;
}

export interface RenderedView extends GreyImage {
  /** Top-left corner of the rendered region, original pixels. */
  x0: number;
  y0: number;
  /** Original pixels per rendered pixel. */
  scale: number;
}

/** Detector map at working scale, values normalised to [0,1]. Transferred, not cloned. */
export interface MapImage {
  data: Float32Array;
  width: number;
  height: number;
  /** Original pixels per map pixel. */
  scale: number;
}

export type { ScoredPick };

export interface PickResult {
  /** Candidates in ORIGINAL pixels, with their scores; `kept` says which survive. */
  picks: ScoredPick[];
  /** Stage timings (ms): the detector run that made the kept map, then this re-pick. */
  timings: Record<string, number>;
  /** Whether the FCRN ran in this call (false: the kept map was reused). */
  detected: boolean;
  /** The map, when the caller asked for it (mapWanted). */
  map?: MapImage;
  /**
   * A preview (pick with preview set) leaves candidates the classifier has not seen
   * unclassified: this many. 0: the result is exact.
   */
  unclassified: number;
  /** What per-micrograph calibration found (absent when it is off or the detector has no noise level). */
  calibration?: CalibrationReport;
  /** The models that made these picks. */
  models?: ActiveModels;
}

export interface EngineMemory {
  /** Micrographs open in this worker. */
  sessions: number;
  /** Bytes held by the tfjs backend (WASM heap use, or GPU buffers). */
  backendBytes?: number;
}

export interface EngineApi {
  init(opts: EngineInit): Promise<BackendInfo>;
  /** Reads and decodes a micrograph; it stays open in this worker until close(). */
  open(name: string, source: MicrographSource, opts?: OpenOptions): Promise<OpenResult>;
  /** A region of an open micrograph in the display contrast (detail view when zoomed in). */
  render(id: string, view: RenderRequest): Promise<RenderedView>;
  /**
   * Peaks, border drop, screens and classifier on the kept map; the FCRN runs first only when
   * the map for these parameters is not there (then `detected` is true). mapWanted returns the
   * map. preview: no classifier run on the kept map; outputs come from its cache (the same
   * position, or a classified candidate within a working pixel), the rest stay unclassified.
   */
  pick(
    id: string,
    params: PickParams,
    jobId: number,
    mapWanted: boolean,
    onProgress?: (p: Progress) => void,
    preview?: boolean,
  ): Promise<PickResult>;
  /** The kept map for these parameters, or undefined when the FCRN has not run for them. */
  map(id: string, params: PickParams): Promise<MapImage | undefined>;
  /**
   * Match counts of the micrograph picked at each candidate setting (over `params`) against the
   * picks the user checked (`truth`, x,y pairs in original pixels; transferred), within one
   * particle radius: the page pools them over micrographs and chooses (core/tuning.ts).
   */
  gridCounts(id: string, params: PickParams, truth: Float32Array, candidates: Partial<PickParams>[], jobId: number): Promise<Counts[]>;
  cancel(jobId: number): void;
  close(id: string): void;
  memory(): Promise<EngineMemory>;

  // In-browser retraining (workers/training.ts; the app side is src/app/training/).
  /** Loads these models from the model library (or the shipped ones) for the next picks. */
  useModels(ids: ActiveModels): Promise<{ models: ActiveModels; note?: string }>;
  /** The paper's unsupervised classifier samples on an open micrograph (positions, labels, reasons). */
  chooseClassifierSamples(id: string, params: PickParams, opts: UnsupervisedOptions, jobId: number): Promise<SampleChoiceResult>;
  /** Classifier patches (64x64 each) at x,y pairs (original pixels) of an open micrograph. Transferred. */
  classifierPatches(id: string, params: PickParams, xy: Float32Array, jobId: number): Promise<Float32Array>;
  /**
   * Detector patches of an open micrograph: labels drawn from every centre in `truth` (x,y
   * pairs, original pixels), one patch on each of its first `centres` and on each rejected pick
   * (x,y pairs), with positive-unlabelled loss weights. Transferred.
   */
  detectorPatches(
    id: string,
    params: PickParams,
    truth: Float32Array,
    centres: number,
    seed: number,
    jobId: number,
    rejected?: Float32Array,
  ): Promise<DetectorSamples>;
  /** Trains a copy of the active model (or fresh weights) on transferred data; returns the model files. */
  train(data: TrainingData, req: TrainRequest, jobId: number, onEvent?: (e: TrainingEvent) => void): Promise<TrainResult>;
  /** Checks that model files build a DRPnet model; returns its metadata. */
  inspectModel(modelJson: unknown, weights: ArrayBuffer): Promise<ModelMetadata>;
}

/** Slots in EngineInit.cancelFlags. */
export const CANCEL_SLOTS = 256;
