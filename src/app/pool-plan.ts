// Pure decisions of the worker pool: how many workers and threads, which worker takes a new
// micrograph, which open micrographs a worker lets go when its memory budget is exceeded.
import type { BackendChoice } from '../../workers/engine-api';

/** Most workers a pool starts (each holds its own copy of the models and a WASM heap). */
export const MAX_WORKERS = 8;

export interface PoolPlan {
  workers: number;
  /** WASM threads per worker (XNNPACK); workers x threads never exceeds the cores. */
  threadsPerWorker: number;
}

/**
 * WebGPU: one worker, since the GPU is one queue. WASM/CPU: one worker per core (capped) unless
 * a count is requested; the cores are shared out as threads so every configuration uses them
 * all (1 worker x N threads, ..., N workers x 1 thread).
 */
export function planPool(backend: BackendChoice, cores: number | undefined, requested?: number): PoolPlan {
  const n = Math.max(1, Math.floor(cores ?? 1));
  if (backend === 'webgpu') return { workers: 1, threadsPerWorker: n };
  const want = requested !== undefined && requested >= 1 ? Math.floor(requested) : Math.min(n, MAX_WORKERS);
  const workers = Math.max(1, Math.min(want, MAX_WORKERS));
  return { workers, threadsPerWorker: Math.max(1, Math.floor(n / workers)) };
}

/** Bytes a worker holds for an open micrograph: the float32 image plus preprocessed copy, map and peak buffers. */
export function sessionBytes(width: number, height: number): number {
  return Math.round(width * height * 4 * 1.5);
}

/**
 * Memory budget per worker for open micrographs: a quarter of the device memory the browser
 * reports (navigator.deviceMemory, GiB, capped at 8 by Chrome), at least 1 GiB in all, shared
 * by the workers; never below one large micrograph.
 */
export function workerBudget(deviceMemoryGiB: number | undefined, workers: number): number {
  const total = Math.max(1, (deviceMemoryGiB ?? 4) / 4) * 2 ** 30;
  return Math.max(sessionBytes(7676, 7420), Math.floor(total / Math.max(1, workers)));
}

export interface Held {
  key: string;
  bytes: number;
}

/**
 * Keys to let go, least recently used first, until the rest fit the budget. `held` is in
 * least-to-most recently used order; pinned keys (the viewer's micrograph, keys with work in
 * flight) are never chosen.
 */
export function evictions(held: readonly Held[], budget: number, pinned: ReadonlySet<string>): string[] {
  let total = held.reduce((s, h) => s + h.bytes, 0);
  const out: string[] = [];
  for (const h of held) {
    if (total <= budget) break;
    if (pinned.has(h.key)) continue;
    out.push(h.key);
    total -= h.bytes;
  }
  return out;
}

export interface SlotLoad {
  /** Tasks running or waiting in the worker's lane. */
  load: number;
  /** Bytes of micrographs open in the worker. */
  bytes: number;
}

/** The worker a micrograph that is open nowhere goes to: least busy, then least memory, then lowest index. */
export function leastLoaded(slots: readonly SlotLoad[]): number {
  let best = 0;
  for (let i = 1; i < slots.length; i++) {
    const a = slots[i];
    const b = slots[best];
    if (a.load < b.load || (a.load === b.load && a.bytes < b.bytes)) best = i;
  }
  return best;
}
