// The typed contract between the app and the engine worker (comlink). The worker side is
// workers/engine.worker.ts; the app side calls it only through src/app/engine-bridge.ts.
import type { ImageStats } from '../src/core/image';
import type { PickParams } from '../src/core/params';
import type { ScoredPick } from '../src/core/pipeline';

import type { BackendChoice, BackendName } from '../src/core/model/backend';

export type { BackendChoice, BackendName };

export interface BackendInfo {
  backend: BackendName;
  /** e.g. "nvidia ampere", or "SwiftShader (fallback adapter)"; absent for wasm/cpu. */
  adapter?: string;
  /** WASM: whether the threaded SIMD build is in use. */
  threads?: number;
}

export interface Progress {
  stage: string;
  /** 0..1 */
  fraction: number;
}

/** 8-bit grey image for display (contrast already applied from percentiles). */
export interface GreyImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

export interface OpenResult {
  id: string;
  name: string;
  width: number;
  height: number;
  /** Angstrom per pixel from the file header, when it has one. */
  pixelSize?: number;
  /** Frames in the file; > 1 means a stack that was averaged unless a frame was chosen. */
  frames: number;
  note?: string;
  stats: ImageStats;
  /** Small preview (longest side <= 128 px) for the micrograph list. */
  thumbnail: GreyImage;
  /** Display image (longest side <= 2048 px) and its downsampling factor from the original. */
  display: GreyImage;
  displayScale: number;
}

export interface DetectResult {
  /** Detector map at working scale, values normalised to [0,1]. Transferred, not cloned. */
  map: Float32Array;
  mapWidth: number;
  mapHeight: number;
  /** Working scale: original pixels per working pixel. */
  scale: number;
  timings: Record<string, number>;
}

export type { ScoredPick };

export interface PickResult {
  /** Candidates in ORIGINAL pixels, with their scores; `kept` says which survive. */
  picks: ScoredPick[];
  timings: Record<string, number>;
}

export interface EngineApi {
  init(backend: BackendChoice, modelBaseUrl: string): Promise<BackendInfo>;
  /** The buffer is transferred (comlink.transfer) and owned by the worker afterwards. */
  open(name: string, buffer: ArrayBuffer, frame?: number): Promise<OpenResult>;
  /** Preprocess + FCRN; the map stays in the worker for repick. */
  detect(id: string, params: PickParams, jobId: number, onProgress?: (p: Progress) => void): Promise<DetectResult>;
  /** Peaks, border drop, screens and classifier on the kept map: no FCRN run. */
  repick(id: string, params: PickParams, jobId: number): Promise<PickResult>;
  cancel(jobId: number): void;
  close(id: string): void;
}
