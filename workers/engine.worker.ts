// The engine worker: a thin comlink wrapper over src/core/pipeline.ts. Buffers come in
// transferred; maps and display images go out transferred. Each long call has a job id the
// app can cancel.
import * as Comlink from 'comlink';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { CancelledError, DrpnetError } from '../src/core/errors';
import { imageStats } from '../src/core/image';
import { decodeMicrograph } from '../src/core/io/micrograph';
import type { RasterDecoder } from '../src/core/io/raster';
import { initBackend, type BackendChoice } from '../src/core/model/backend';
import { loadModelFromUrl, readMetadata } from '../src/core/model/model-io';
import type { PickParams } from '../src/core/params';
import { PickSession, type Models } from '../src/core/pipeline';
import { toGreyImage } from '../src/core/preprocess/display';
import type { BackendInfo, DetectResult, EngineApi, GreyImage, OpenResult, PickResult, Progress } from './engine-api';

const sessions = new Map<string, PickSession>();
const jobs = new Map<number, AbortController>();
let models: Models | undefined;
let nextId = 1;

/** PNG/JPEG through the browser's own decoder (core has no DOM). */
const rasterDecoder: RasterDecoder = async (bytes, mime) => {
  const bitmap = await createImageBitmap(new Blob([bytes], { type: mime }));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new DrpnetError('decode-failed', 'this browser cannot draw images in a worker');
  ctx.drawImage(bitmap, 0, 0);
  const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  return { width: bitmap.width, height: bitmap.height, rgba: data };
};

function session(id: string): PickSession {
  const s = sessions.get(id);
  if (!s) throw new DrpnetError('bad-parameter', `no open micrograph with id ${id}`);
  return s;
}

function loadedModels(): Models {
  if (!models) throw new DrpnetError('model-error', 'the engine has not been initialised');
  return models;
}

function grey(img: { width: number; height: number; data: Uint8ClampedArray }): GreyImage {
  return { width: img.width, height: img.height, data: img.data };
}

async function withJob<T>(jobId: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  jobs.set(jobId, controller);
  try {
    return await run(controller.signal);
  } finally {
    jobs.delete(jobId);
  }
}

const api: EngineApi = {
  async init(choice: BackendChoice, modelBaseUrl: string): Promise<BackendInfo> {
    const backend = await initBackend(choice, {
      wasmPaths: {
        'tfjs-backend-wasm.wasm': wasmPlain,
        'tfjs-backend-wasm-simd.wasm': wasmSimd,
        'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
      },
    });
    const [fcrn, classifier] = await Promise.all([
      loadModelFromUrl(`${modelBaseUrl}fcrn/model.json`),
      loadModelFromUrl(`${modelBaseUrl}classifier/model.json`),
    ]);
    models = { fcrn, fcrnMeta: readMetadata(fcrn, 'fcrn/model.json'), classifier };
    return { backend: backend.backend, adapter: backend.adapter, threads: backend.threads };
  },

  async open(name: string, buffer: ArrayBuffer, frame?: number): Promise<OpenResult> {
    const micrograph = await decodeMicrograph(buffer, name, { frame, raster: rasterDecoder });
    const id = String(nextId++);
    sessions.set(id, new PickSession(name, micrograph));
    const { image } = micrograph;
    const thumbnail = toGreyImage(image, { maxSide: 128 });
    const display = toGreyImage(image, { maxSide: 2048 });
    const result: OpenResult = {
      id,
      name,
      width: image.width,
      height: image.height,
      pixelSize: micrograph.pixelSize,
      frames: micrograph.frames,
      note: micrograph.note,
      stats: imageStats(image.data),
      thumbnail: grey(thumbnail),
      display: grey(display),
      displayScale: display.scale,
    };
    return Comlink.transfer(result, [thumbnail.data.buffer, display.data.buffer]);
  },

  async detect(id: string, params: PickParams, jobId: number, onProgress?: (p: Progress) => void): Promise<DetectResult> {
    return withJob(jobId, async (signal) => {
      const out = await session(id).detect(loadedModels(), params, {
        signal,
        onProgress: (stage, fraction) => void onProgress?.({ stage, fraction }),
      });
      // The worker keeps its own map for re-picks; the app gets a transferred copy.
      const map = out.map.data.slice();
      const result: DetectResult = { map, mapWidth: out.map.width, mapHeight: out.map.height, scale: out.mapScale, timings: out.timings };
      return Comlink.transfer(result, [map.buffer]);
    });
  },

  async repick(id: string, params: PickParams, jobId: number): Promise<PickResult> {
    return withJob(jobId, async (signal) => {
      const s = session(id);
      const m = loadedModels();
      // A re-pick after a diameter change needs the detector again (cached otherwise).
      const det = await s.detect(m, params, { signal });
      const res = await s.repick(m, params, { signal });
      return { picks: res.picks, timings: { ...det.timings, ...res.timings } };
    });
  },

  cancel(jobId: number): void {
    jobs.get(jobId)?.abort(new CancelledError());
  },

  close(id: string): void {
    sessions.delete(id);
  },
};

Comlink.expose(api);
