// The engine worker: a thin comlink wrapper over src/core/pipeline.ts. Files come in as Blob
// handles (read here, once); maps and images go out transferred. Each
// long call has a job id the app can cancel, through shared flags read between tiles (the
// WASM backend never yields to the event loop mid-run) or a cancel() message.
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { CancelledError, DrpnetError } from '../src/core/errors';
import { cropImage } from '../src/core/image';
import { decodeMicrograph, type Micrograph } from '../src/core/io/micrograph';
import { initBackend } from '../src/core/model/backend';
import { getActiveModels, getModel } from './model-library';
import { keepErrorTypes } from './typed-errors';
import type { PickParams } from '../src/core/params';
import { PickSession, type DetectorOutput, type Models, type RunOptions } from '../src/core/pipeline';
import { toGreyImage, type GreyWindow } from '../src/core/preprocess/display';
import {
  CANCEL_SLOTS,
  DISPLAY_SIDE,
  THUMBNAIL_SIDE,
  type BackendInfo,
  type EngineApi,
  type EngineInit,
  type EngineMemory,
  type MapImage,
  type MicrographSource,
  type OpenOptions,
  type OpenResult,
  type PickResult,
  type Progress,
  type RenderRequest,
  type RenderedView,
} from './engine-api';
import {
  SHIPPED_MODELS,
  type ActiveModels,
  type SampleChoiceResult,
  type TrainingData,
  type TrainingEvent,
  type TrainRequest,
  type TrainResult,
  type UnsupervisedOptions,
} from './training-api';
import * as training from './training';
import { gridCounts } from '../src/core/train/tune-settings';
import { readSource } from './read-source';

interface Open {
  /** The decoded micrograph (its image is what render() shows) and its picking state. */
  session: PickSession<Micrograph>;
  /** Display contrast window, so detail views match the whole-image display. */
  window: GreyWindow;
  /** The windows of low-passed displays, by sigma: a filtered image has a narrower range. */
  lowpassWindows: Map<number, GreyWindow>;
  /** Stage timings of the detector run that made the kept map. */
  detectTimings: Record<string, number>;
}

/** Progress messages are sent at most this often (ms); each tile reports otherwise. */
const PROGRESS_INTERVAL_MS = 100;

const opened = new Map<string, Open>();
const jobs = new Map<number, AbortController>();
let models: Models | undefined;
/** Why init could not load the models; picking reports it. */
let modelProblem = 'the engine has not been initialised';
/** Where the shipped models are, and which models are loaded (model-library ids). */
let modelBaseUrl = '';
let activeModels: ActiveModels = { ...SHIPPED_MODELS };
let cancelFlags: Int32Array | undefined;
let nextId = 1;

function get(id: string): Open {
  const o = opened.get(id);
  if (!o) throw new DrpnetError('bad-parameter', `no open micrograph with id ${id}`);
  return o;
}

function loadedModels(): Models {
  if (!models) throw new DrpnetError('model-error', modelProblem);
  return models;
}

function cancelRequested(jobId: number): boolean {
  return !!cancelFlags && Atomics.load(cancelFlags, jobId % cancelFlags.length) === jobId;
}

/** Progress callbacks for core calls: `report` forwards to the app (throttled), `check` only looks for a cancel. */
interface JobProgress {
  report: (stage: string, fraction: number) => void;
  check: (stage: string, fraction: number) => void;
}

/** Runs a cancellable job: the signal aborts on cancel(), or when a shared flag is seen at a progress point. */
async function withJob<T>(
  jobId: number,
  onProgress: ((p: Progress) => void) | undefined,
  run: (signal: AbortSignal, progress: JobProgress) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  jobs.set(jobId, controller);
  let last = 0;
  const check = (): void => {
    if (cancelRequested(jobId)) controller.abort(new CancelledError());
  };
  const report = (stage: string, fraction: number): void => {
    check();
    const now = performance.now();
    if (onProgress && (now - last >= PROGRESS_INTERVAL_MS || fraction >= 1)) {
      last = now;
      void onProgress({ stage, fraction });
    }
  };
  try {
    if (cancelRequested(jobId)) throw new CancelledError();
    return await run(controller.signal, { report, check });
  } finally {
    jobs.delete(jobId);
  }
}

/** The detector map for these parameters (made, or the kept one), with the bookkeeping pick() reports from. */
async function detect(o: Open, m: Models, params: PickParams, opts: RunOptions): Promise<{ det: DetectorOutput; detected: boolean }> {
  // Asked of the session, which alone knows: a cancelled run or a new detector drops its map.
  const detected = !o.session.hasDetection(m, params);
  const det = await o.session.runDetector(m, params, opts);
  if (detected) o.detectTimings = det.timings;
  return { det, detected };
}

function mapOf(det: DetectorOutput, copy: boolean): MapImage {
  // The worker keeps its own map for re-picks; the app gets a copy it can own.
  const data = copy ? det.map.data.slice() : det.map.data;
  return { data, width: det.map.width, height: det.map.height, scale: det.mapScale };
}

const api: EngineApi = {
  async init(opts: EngineInit): Promise<BackendInfo> {
    cancelFlags = opts.cancelFlags && opts.cancelFlags.length === CANCEL_SLOTS ? opts.cancelFlags : undefined;
    if (opts.threads !== undefined) setThreadsCount(Math.max(1, Math.floor(opts.threads)));
    const backend = await initBackend(opts.backend, {
      wasmPaths: {
        'tfjs-backend-wasm.wasm': wasmPlain,
        'tfjs-backend-wasm-simd.wasm': wasmSimd,
        'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
      },
      threads: opts.threads === undefined || opts.threads > 1,
    });
    let modelError: string | undefined;
    let modelNote: string | undefined;
    modelBaseUrl = opts.modelBaseUrl;
    try {
      // The active models of the model library (IndexedDB), else the shipped ones.
      const set = await training.loadModelSet(opts.modelBaseUrl, await getActiveModels(), getModel);
      models = set.models;
      activeModels = set.ids;
      modelNote = set.notes.join('; ') || undefined;
    } catch (e) {
      models = undefined;
      modelError = e instanceof Error ? e.message : String(e);
      modelProblem = `the picking models could not be loaded: ${modelError}`;
    }
    const threads = backend.backend === 'wasm' ? getThreadsCount() : undefined;
    return {
      backend: backend.backend,
      adapter: backend.adapter,
      isFallbackAdapter: backend.isFallbackAdapter,
      threads,
      modelError,
      models: activeModels,
      modelNote,
    };
  },

  async open(name: string, source: MicrographSource, opts: OpenOptions = {}): Promise<OpenResult> {
    const micrograph = await decodeMicrograph(await readSource(source, name), name, { frame: opts.frame });
    const { image } = micrograph;
    const thumbnail = toGreyImage(image, { maxSide: THUMBNAIL_SIDE });
    const display = toGreyImage(image, { maxSide: DISPLAY_SIDE });
    const id = String(nextId++);
    opened.set(id, { session: new PickSession(name, micrograph), window: display.window, lowpassWindows: new Map(), detectTimings: {} });
    const result: OpenResult = {
      id,
      width: image.width,
      height: image.height,
      pixelSize: micrograph.pixelSize,
      frames: micrograph.frames,
      note: micrograph.note,
      ...(micrograph.pixelSizeRefused !== undefined ? { pixelSizeRefused: micrograph.pixelSizeRefused } : {}),
      thumbnail: { width: thumbnail.width, height: thumbnail.height, data: thumbnail.data },
      displayScale: display.scale,
    };
    return Comlink.transfer(result, [thumbnail.data.buffer as ArrayBuffer]);
  },

  async render(id: string, view: RenderRequest): Promise<RenderedView> {
    const o = get(id);
    const img = o.session.micrograph.image;
    const x0 = Math.max(0, Math.floor(view.x0));
    const y0 = Math.max(0, Math.floor(view.y0));
    const whole = x0 === 0 && y0 === 0 && view.x1 >= img.width && view.y1 >= img.height;
    const crop = whole ? img : cropImage(img, x0, y0, view.x1, view.y1); // the whole image is not copied
    if (!crop.width || !crop.height) throw new DrpnetError('bad-parameter', `${o.session.name}: the view lies outside the micrograph`);
    const lowpassSigma = view.lowpassSigma && view.lowpassSigma > 0 ? view.lowpassSigma : 0;
    let window = o.window;
    if (lowpassSigma) {
      // The whole image through the same filter sets the window, so details match the display.
      const known = o.lowpassWindows.get(lowpassSigma);
      window = known ?? toGreyImage(img, { maxSide: DISPLAY_SIDE, lowpassSigma }).window;
      o.lowpassWindows.set(lowpassSigma, window);
    }
    const g = toGreyImage(crop, { maxSide: Math.max(1, Math.floor(view.maxSide)), window, lowpassSigma });
    const out: RenderedView = { width: g.width, height: g.height, data: g.data, x0, y0, scale: g.scale };
    return Comlink.transfer(out, [g.data.buffer as ArrayBuffer]);
  },

  async pick(
    id: string,
    params: PickParams,
    jobId: number,
    mapWanted: boolean,
    onProgress?: (p: Progress) => void,
    preview = false,
  ): Promise<PickResult> {
    return withJob(jobId, onProgress, async (signal, progress) => {
      const o = get(id);
      const m = loadedModels();
      const usedModels = activeModels;
      const { det, detected } = await detect(o, m, params, { signal, onProgress: progress.report });
      // Only a run with the detector reports progress; a re-pick is too short to show any. A
      // preview right after a detector run is none: nothing is cached then, so it classifies.
      const res = await o.session.repick(m, params, {
        signal,
        onProgress: detected ? progress.report : progress.check,
        preview: preview && !detected,
      });
      const result: PickResult = {
        picks: res.picks,
        timings: { ...o.detectTimings, ...res.timings },
        detected,
        unclassified: res.unclassified,
        calibration: res.calibration,
        models: usedModels,
      };
      if (!mapWanted) return result;
      result.map = mapOf(det, true);
      return Comlink.transfer(result, [result.map.data.buffer as ArrayBuffer]);
    });
  },

  async map(id: string, params: PickParams): Promise<MapImage | undefined> {
    const o = get(id);
    const m = loadedModels();
    if (!o.session.hasDetection(m, params)) return undefined;
    const map = mapOf(await o.session.runDetector(m, params), true);
    return Comlink.transfer(map, [map.data.buffer as ArrayBuffer]);
  },

  async gridCounts(id: string, params: PickParams, truth: Float32Array, candidates: Partial<PickParams>[], jobId: number) {
    return withJob(jobId, undefined, async (signal) => {
      const o = get(id);
      const m = loadedModels();
      await detect(o, m, params, { signal });
      return gridCounts(o.session, m, params, training.pointsOf(truth), candidates, signal);
    });
  },

  cancel(jobId: number): void {
    jobs.get(jobId)?.abort(new CancelledError());
  },

  close(id: string): void {
    opened.delete(id);
  },

  async memory(): Promise<EngineMemory> {
    return { sessions: opened.size, backendBytes: models ? tf.memory().numBytes : undefined };
  },

  async useModels(ids: ActiveModels): Promise<{ models: ActiveModels; note?: string }> {
    const set = await training.loadModelSet(modelBaseUrl, ids, getModel, models ? { models, ids: activeModels } : undefined);
    training.disposeReplaced(models, set.models);
    models = set.models;
    activeModels = set.ids;
    return { models: activeModels, note: set.notes.join('; ') || undefined };
  },

  async chooseClassifierSamples(id: string, params: PickParams, opts: UnsupervisedOptions, jobId: number): Promise<SampleChoiceResult> {
    return withJob(jobId, undefined, (signal) => training.chooseClassifierSamples(get(id).session, loadedModels(), params, opts, signal));
  },

  async classifierPatches(id: string, params: PickParams, xy: Float32Array, jobId: number): Promise<Float32Array> {
    return withJob(jobId, undefined, async (signal) => {
      const patches = await training.classifierPatches(get(id).session, loadedModels(), params, xy, signal);
      return Comlink.transfer(patches, [patches.buffer as ArrayBuffer]);
    });
  },

  async detectorPatches(
    id: string,
    params: PickParams,
    truth: Float32Array,
    centres: number,
    seed: number,
    jobId: number,
    rejected?: Float32Array,
  ) {
    return withJob(jobId, undefined, async (signal) => {
      const d = await training.detectorPatches(get(id).session, loadedModels(), params, truth, centres, seed, rejected, signal);
      return Comlink.transfer(d, [d.inputs.buffer, d.labels.buffer, ...(d.weights ? [d.weights.buffer] : [])] as ArrayBuffer[]);
    });
  },

  async train(data: TrainingData, req: TrainRequest, jobId: number, onEvent?: (e: TrainingEvent) => void): Promise<TrainResult> {
    return withJob(jobId, undefined, async (signal, progress) => {
      // Shared cancel flags are read at every batch: on WASM the training loop never yields.
      const send = (e: TrainingEvent): void => {
        progress.check('training', 0);
        if (onEvent) void onEvent(e);
      };
      const r = await training.trainModel(data, req, loadedModels(), send, signal);
      return Comlink.transfer(r, [r.weights]);
    });
  },

  async inspectModel(modelJson: unknown, weights: ArrayBuffer) {
    return training.inspectModel(modelJson, weights);
  },
};

keepErrorTypes();
Comlink.expose(api);
