// The ONLY module that talks to the engine worker. It owns the worker's lifetime (restart on
// a backend switch), transfers file buffers instead of cloning them, numbers jobs for
// cancellation and coalesces repicks so only the newest request per micrograph is answered.
import * as Comlink from 'comlink';
import type { PickParams } from '../core/params';
import type { BackendChoice, BackendInfo, DetectResult, EngineApi, OpenResult, PickResult, Progress } from '../../workers/engine-api';
import { latestOnly, type LatestOnlyRunner } from './coalesce';

/** Errors thrown in the worker arrive as Error objects; this keeps just the readable message. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  return String(e);
}

export function modelBaseUrl(): string {
  return new URL(`${import.meta.env.BASE_URL}models/`, location.href).href;
}

function createWorker(): Worker {
  return new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'drpnet-engine' });
}

class EngineBridge {
  private worker?: Worker;
  private api?: Comlink.Remote<EngineApi>;
  private nextJob = 1;
  private repickers = new Map<string, LatestOnlyRunner<PickParams, PickResult>>();
  /** Bumped on restart so calls to a dead worker are recognised. */
  private generation = 0;

  private remote(): Comlink.Remote<EngineApi> {
    if (!this.api) {
      this.worker = createWorker();
      this.api = Comlink.wrap<EngineApi>(this.worker);
    }
    return this.api;
  }

  /** Starts (or restarts, when force is set) the worker on the chosen backend. */
  async init(choice: BackendChoice, restart = false): Promise<BackendInfo> {
    if (restart) this.terminate();
    return this.remote().init(choice, modelBaseUrl());
  }

  terminate(): void {
    this.api?.[Comlink.releaseProxy]();
    this.worker?.terminate();
    this.worker = undefined;
    this.api = undefined;
    this.repickers.clear();
    this.generation++;
  }

  get workerGeneration(): number {
    return this.generation;
  }

  /** The buffer is transferred: it is detached (empty) here afterwards. */
  open(name: string, buffer: ArrayBuffer): Promise<OpenResult> {
    return this.remote().open(name, Comlink.transfer(buffer, [buffer]));
  }

  detect(id: string, params: PickParams, onProgress?: (p: Progress) => void): { jobId: number; result: Promise<DetectResult> } {
    const jobId = this.nextJob++;
    const cb = onProgress ? Comlink.proxy(onProgress) : undefined;
    return { jobId, result: this.remote().detect(id, params, jobId, cb) };
  }

  /** Resolves undefined when a newer repick for the same micrograph superseded this one. */
  repick(id: string, params: PickParams): Promise<PickResult | undefined> {
    let runner = this.repickers.get(id);
    if (!runner) {
      const jobs = new Map<number, number>();
      runner = latestOnly<PickParams, PickResult>(
        (p, seq) => {
          const jobId = this.nextJob++;
          jobs.set(seq, jobId);
          return this.remote()
            .repick(id, p, jobId)
            .finally(() => jobs.delete(seq));
        },
        (seq) => {
          const jobId = jobs.get(seq);
          if (jobId !== undefined) void this.cancel(jobId);
        },
      );
      this.repickers.set(id, runner);
    }
    return runner.request(params);
  }

  async cancel(jobId: number): Promise<void> {
    await this.api?.cancel(jobId);
  }

  async close(id: string): Promise<void> {
    this.repickers.delete(id);
    await this.api?.close(id);
  }
}

export const engine = new EngineBridge();
