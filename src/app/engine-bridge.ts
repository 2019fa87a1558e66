// The ONLY module that talks to the engine workers (Squoosh-style: bridge + pool + scheduler).
// - Pool: one worker per core with the WASM backend (cores shared out as threads), one worker
//   when WebGPU is active (the GPU is a single queue). Each worker holds its own models.
// - Home: a micrograph is opened in one worker and stays there until that worker lets it go
//   (memory budget, least recently used first); every call for it (re-picks on the kept map,
//   views, maps) goes to that worker. Files travel as Blob handles and are read in the worker.
// - Lanes: each worker runs one heavy task at a time, most urgent first (lane.ts).
// - Latest only: per micrograph, at most one pick in flight; a newer request replaces a waiting
//   one and cancels the running one unless both need the same detector map (coalesce.ts).
// - Batch: workers pull the next micrograph when free (batch-queue.ts); cancelling keeps the
//   results delivered so far.
// - A worker that dies (out of memory) fails only the calls it held; the others go on with
//   the rest, and its micrographs reopen in them on demand.
import * as Comlink from 'comlink';
import { CancelledError } from '../core/errors';
import { detectorKey, type PickParams } from '../core/params';
import {
  CANCEL_SLOTS,
  DISPLAY_SIDE,
  type BackendChoice,
  type BackendInfo,
  type EngineApi,
  type EngineMemory,
  type GreyImage,
  type MapImage,
  type MicrographInfo,
  type MicrographSource,
  type OpenResult,
  type PickResult,
  type Progress,
  type RenderRequest,
  type RenderedView,
} from '../../workers/engine-api';
import { BatchQueue } from './batch-queue';
import { latestOnly, type LatestOnlyRunner } from './coalesce';
import { isCancelled, WorkerFailedError } from './error-text';
import { Lane, PRIORITY, type Priority } from './lane';
import { evictions, leastLoaded, planPool, sessionBytes, workerBudget } from './pool-plan';
import { createTripwire, type Tripwire } from './tripwire';
import { urlOptions } from './url-options';

export interface StartOptions {
  backend: BackendChoice;
  /** Workers to start (WASM/CPU); default: one per core. WebGPU always uses one. */
  workers?: number;
  /** URL prefix holding fcrn/ and classifier/ (default: the app's models/). */
  modelBaseUrl?: string;
}

export interface PoolInfo extends BackendInfo {
  workers: number;
  /** WASM threads each worker was asked for. */
  threadsPerWorker: number;
}

export interface Described {
  info: MicrographInfo;
  /** Present when the file was (re)opened by this call. */
  thumbnail?: GreyImage;
  display?: GreyImage;
  /** The low-pass sigma the display was rendered through (0: none). */
  displayLowpass?: number;
}

export interface PickOptions {
  priority?: Priority;
  /** Return the detector map with the picks. */
  mapWanted?: boolean;
  onProgress?: (p: Progress) => void;
  /** Worker for a micrograph that is open nowhere yet (batch scheduling). */
  slot?: number;
  /** Called when the file had to be (re)opened for this pick, with its thumbnail. */
  onOpened?: (d: Described) => void;
  /** A fast preview: no classifier run on the kept map (see EngineApi.pick). */
  preview?: boolean;
}

export interface BatchItem {
  key: string;
  params: PickParams;
}

export interface BatchHandlers {
  onStart?(key: string): void;
  onProgress?(key: string, p: Progress): void;
  onDone(key: string, result: PickResult): void;
  onError(key: string, error: unknown): void;
  /** Not picked: the batch was cancelled first (or a newer request for it took over). */
  onSkipped?(key: string): void;
  onOpened?(key: string, d: Described): void;
  /** Whether to return the map with this micrograph's picks (asked when it starts). */
  mapWanted?(key: string): boolean;
}

export interface BatchHandle {
  cancel(): void;
  /** Settles when every worker has stopped; counts of what happened. */
  done: Promise<{ picked: number; failed: number; skipped: number; seconds: number }>;
}

/** A long task that can be cancelled while it runs (see onMicrograph, exclusiveJob). */
export interface CancellableJob<T> {
  promise: Promise<T>;
  cancel(): void;
}

export function modelBaseUrl(): string {
  return new URL(urlOptions(location.search).models ?? `${import.meta.env.BASE_URL}models/`, location.href).href;
}

interface Held {
  id: string;
  bytes: number;
  info: MicrographInfo;
  /**
   * detectorKey() of the detector map the worker keeps for it, as far as the bridge knows: set by
   * a pick that went through, forgotten by anything else that may change the worker's map (a
   * failed or cancelled pick, a job on the micrograph, new models). Unknown, a running pick is
   * taken to be detecting: a newer one waits for it rather than cancel it.
   */
  mapFor?: string;
}

/** One engine worker as the bridge sees it (a fake in unit tests). */
export interface EngineEndpoint {
  api: Comlink.Remote<EngineApi>;
  terminate(): void;
  /** Registers a callback for a worker that died (its script failed to load, or it crashed). */
  onFailure?(cb: (why: Error) => void): void;
}

export type EndpointFactory = (index: number) => EngineEndpoint;

interface Slot {
  index: number;
  endpoint: EngineEndpoint;
  api: Comlink.Remote<EngineApi>;
  lane: Lane;
  /** Open micrographs by key, least recently used first. */
  held: Map<string, Held>;
  flags?: Int32Array;
  /** Tripped when the worker is terminated, so no call waits on a dead worker forever. */
  wire: Tripwire;
  /** Why the worker died: it takes no more work, and the pool goes on without it. */
  dead?: Error;
}

interface Registered {
  name: string;
  source: MicrographSource;
  /** The worker this micrograph is (being) opened in. */
  home?: Slot;
  held?: Held;
  /** Tasks queued or running for it. */
  busy: number;
}

interface InFlight {
  slot: Slot;
  jobId: number;
  /** The app's request it runs (its runner's number). */
  seq: number;
  params: PickParams;
  /** Whether this pick runs the detector (the worker keeps no map for its parameters). */
  detecting: boolean;
}

interface PickRequest {
  params: PickParams;
  opts: PickOptions;
}

/** A real engine worker, wrapped by comlink. */
function workerEndpoint(index: number): EngineEndpoint {
  const worker = new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: `drpnet-engine-${index}` });
  const api = Comlink.wrap<EngineApi>(worker);
  let released = false;
  return {
    api,
    terminate: () => {
      if (released) return;
      released = true;
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
    onFailure: (cb) =>
      worker.addEventListener('error', (e) => {
        e.preventDefault();
        cb(new WorkerFailedError(`the engine worker failed: ${e.message || 'its script could not be loaded'}`));
      }),
  };
}

function hardwareConcurrency(): number | undefined {
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
}

function deviceMemory(): number | undefined {
  return (globalThis as { navigator?: { deviceMemory?: number } }).navigator?.deviceMemory;
}

function sharedFlags(): Int32Array | undefined {
  // Shared memory needs cross-origin isolation (COOP/COEP, set by the Vite servers).
  if (typeof SharedArrayBuffer === 'undefined' || !globalThis.crossOriginIsolated) return undefined;
  return new Int32Array(new SharedArrayBuffer(CANCEL_SLOTS * 4));
}

export class EngineBridge {
  constructor(private readonly createEndpoint: EndpointFactory = workerEndpoint) {}

  private slots: Slot[] = [];
  private registered = new Map<string, Registered>();
  private runners = new Map<string, LatestOnlyRunner<PickRequest, PickResult>>();
  private latest = new Map<string, PickParams>();
  private inFlight = new Map<string, InFlight>();
  private pinned = new Set<string>();
  private budget = 0;
  private nextJob = 1;
  private poolInfo?: PoolInfo;
  private starting?: Promise<PoolInfo>;
  /** Bumped by stop(), so a start still in progress knows it was overtaken. */
  private generation = 0;
  private lostListeners: ((why: Error, left: number) => void)[] = [];

  get info(): PoolInfo | undefined {
    return this.poolInfo;
  }

  /** Workers alive. */
  get workers(): number {
    return this.live().length;
  }

  private live(): Slot[] {
    return this.slots.filter((s) => !s.dead);
  }

  /** Calls back when a worker dies, with why and how many are left (the app says so). */
  onWorkerLost(cb: (why: Error, left: number) => void): void {
    this.lostListeners.push(cb);
  }

  /** Starts (or restarts) the pool. Micrographs stay registered; they reopen on demand. */
  start(opts: StartOptions): Promise<PoolInfo> {
    this.stop();
    const p = this.startPool(opts);
    this.starting = p;
    return p;
  }

  /** Waits for the pool being started; rejects when it failed or none was started. */
  async ready(): Promise<PoolInfo> {
    if (!this.starting) throw new Error('the engine is not running');
    return this.starting;
  }

  private async startPool(opts: StartOptions): Promise<PoolInfo> {
    const gen = this.generation;
    const cores = hardwareConcurrency();
    const base = opts.modelBaseUrl ?? modelBaseUrl();
    const plan = planPool(opts.backend, cores, opts.workers);
    const first = this.addSlot();
    const firstInfo = await this.initSlot(first, opts.backend, base, plan.threadsPerWorker);
    if (gen !== this.generation) throw new CancelledError();
    // 'auto' learns the backend from the first worker: WebGPU keeps a single queue.
    const resolved = planPool(firstInfo.backend, cores, opts.workers);
    const workers = firstInfo.backend === 'webgpu' ? 1 : plan.workers;
    const rest: Promise<BackendInfo>[] = [];
    for (let i = 1; i < workers; i++) rest.push(this.initSlot(this.addSlot(), firstInfo.backend, base, resolved.threadsPerWorker));
    await Promise.all(rest);
    if (gen !== this.generation) throw new CancelledError();
    this.budget = workerBudget(deviceMemory(), workers);
    this.poolInfo = { ...firstInfo, workers, threadsPerWorker: firstInfo.backend === 'webgpu' ? 1 : resolved.threadsPerWorker };
    return this.poolInfo;
  }

  private addSlot(): Slot {
    const index = this.slots.length;
    const endpoint = this.createEndpoint(index);
    const wire = createTripwire();
    const slot: Slot = { index, endpoint, api: endpoint.api, lane: new Lane(), held: new Map(), flags: sharedFlags(), wire };
    endpoint.onFailure?.((why) => {
      wire.trip(why);
      this.lose(slot, why);
    });
    this.slots.push(slot);
    return slot;
  }

  /**
   * Takes a dead worker out of the pool: its micrographs lose their home (they reopen in a live
   * worker on demand, from the file handle the bridge keeps), and nothing is sent to it again.
   */
  private lose(slot: Slot, why: Error): void {
    if (slot.dead || !this.slots.includes(slot)) return; // stopped on purpose
    slot.dead = why;
    slot.endpoint.terminate();
    slot.held.clear();
    for (const r of this.registered.values())
      if (r.home === slot) {
        r.home = undefined;
        r.held = undefined;
      }
    for (const [key, f] of this.inFlight) if (f.slot === slot) this.inFlight.delete(key);
    const left = this.live().length;
    if (this.poolInfo) this.poolInfo = { ...this.poolInfo, workers: left };
    for (const cb of this.lostListeners) cb(why, left);
  }

  /** Why nothing can run: every worker died. */
  private noWorker(): WorkerFailedError {
    const why = this.slots.find((s) => s.dead)?.dead;
    return new WorkerFailedError(
      `${why?.message ?? 'the engine has no worker'}; restart the engine (beside the backend) or reload the page`,
    );
  }

  /** A live worker for new work: `prefer` when alive, else the least loaded. */
  private pickSlot(prefer: number | undefined, withBytes: boolean): Slot {
    const live = this.live();
    const preferred = prefer === undefined ? undefined : this.slots[prefer];
    if (preferred && !preferred.dead) return preferred;
    if (!live.length) throw this.noWorker();
    const loads = live.map((s) => ({ load: s.lane.load, bytes: withBytes ? [...s.held.values()].reduce((a, h) => a + h.bytes, 0) : 0 }));
    return live[leastLoaded(loads)];
  }

  private initSlot(slot: Slot, backend: BackendChoice, base: string, threads: number): Promise<BackendInfo> {
    return this.guard(
      slot,
      slot.api.init({ backend, modelBaseUrl: base, threads: backend === 'webgpu' ? undefined : threads, cancelFlags: slot.flags }),
    );
  }

  /** Terminates every worker; calls in flight reject as cancelled. */
  stop(): void {
    this.generation++;
    this.starting = undefined;
    for (const s of this.slots) {
      s.wire.trip(new CancelledError());
      if (!s.dead) s.endpoint.terminate(); // a dead one was terminated when it died (comlink refuses a second release)
    }
    this.slots = [];
    this.poolInfo = undefined;
    this.runners.clear();
    this.inFlight.clear();
    for (const r of this.registered.values()) {
      r.home = undefined;
      r.held = undefined;
      r.busy = 0;
    }
  }

  private guard<T>(slot: Slot, call: Promise<T>): Promise<T> {
    return slot.wire.guard(call);
  }

  /** Makes a file known under `key`; nothing is read until it is needed. */
  register(key: string, name: string, source: MicrographSource): void {
    const old = this.registered.get(key);
    if (old?.held && old.home) this.release(old.home, key);
    this.registered.set(key, { name, source, busy: 0 });
  }

  isRegistered(key: string): boolean {
    return this.registered.has(key);
  }

  /** Forgets a micrograph and frees it in its worker. */
  unregister(key: string): void {
    this.cancel(key); // its pick would go on computing for a micrograph nobody shows
    const r = this.registered.get(key);
    if (r?.home && r.held) this.release(r.home, key);
    this.registered.delete(key);
    this.runners.delete(key);
    this.latest.delete(key);
    this.pinned.delete(key);
  }

  /** Keeps these micrographs open (the one on screen); the rest may be let go. */
  pin(keys: readonly string[]): void {
    this.pinned = new Set(keys);
  }

  /** Which worker holds `key` open (undefined: none). */
  homeOf(key: string): number | undefined {
    return this.registered.get(key)?.home?.index;
  }

  private reg(key: string): Registered {
    const r = this.registered.get(key);
    if (!r) throw new Error(`unknown micrograph ${key}`);
    return r;
  }

  private release(slot: Slot, key: string): void {
    const held = slot.held.get(key);
    slot.held.delete(key);
    const r = this.registered.get(key);
    if (r && r.home === slot) {
      r.home = undefined;
      r.held = undefined;
    }
    if (held) void this.guard(slot, slot.api.close(held.id)).catch(() => {});
  }

  /** Lets go of least recently used micrographs while the worker is over its budget. */
  private trim(slot: Slot): void {
    const busy = new Set(this.pinned);
    for (const [key, r] of this.registered) if (r.busy > 0) busy.add(key);
    const list = [...slot.held].map(([key, h]) => ({ key, bytes: h.bytes }));
    for (const key of evictions(list, this.budget, busy)) this.release(slot, key);
  }

  private async openOn(slot: Slot, key: string, r: Registered): Promise<OpenResult> {
    const res = await this.guard(slot, slot.api.open(r.name, r.source));
    const { id: _id, thumbnail: _thumbnail, ...info } = res;
    const held: Held = { id: res.id, bytes: sessionBytes(res.width, res.height), info };
    if (r.home !== slot || this.registered.get(key) !== r) {
      void this.guard(slot, slot.api.close(res.id)).catch(() => {}); // unregistered or restarted meanwhile
      throw new CancelledError();
    }
    r.held = held;
    slot.held.set(key, held);
    return res;
  }

  /**
   * Runs `fn` in the lane of the micrograph's home worker, opening it there first when needed.
   * A micrograph open nowhere gets a home now (the given slot when alive, else the least loaded live one), so
   * later calls for it queue in the same lane.
   */
  private async dispatch<T>(
    key: string,
    priority: number,
    prefer: number | undefined,
    fn: (slot: Slot, held: Held, opened?: OpenResult) => Promise<T>,
    hooks: { onOpening?: () => void; dropped?: () => boolean } = {},
  ): Promise<T> {
    await this.ready();
    const r = this.reg(key);
    r.home ??= this.pickSlot(prefer, true);
    const slot = r.home;
    r.busy++;
    const task = slot.lane.run(priority, async () => {
      if (r.home !== slot) throw new CancelledError(); // the pool restarted, the file was replaced or its worker died
      // Cancelled while it waited: not worth reading and decoding the file for.
      if (hooks.dropped?.()) throw new CancelledError();
      let opened: OpenResult | undefined;
      if (!r.held) {
        hooks.onOpening?.();
        opened = await this.openOn(slot, key, r);
      }
      const held = r.held!;
      slot.held.delete(key);
      slot.held.set(key, held); // most recently used
      return fn(slot, held, opened);
    });
    return this.guard(slot, task).finally(() => {
      r.busy--;
      if (!r.held && r.busy === 0 && r.home === slot) r.home = undefined; // open failed
      if (this.slots.includes(slot)) this.trim(slot);
    });
  }

  /**
   * Size and images of a micrograph; opens it (thumbnail included) when it is open nowhere. With
   * displayLowpass, also its whole-image display, rendered at once through the low-pass sigma that
   * function gives for the header (so an unfiltered display never reaches the screen first).
   */
  describe(key: string, opts: { displayLowpass?: (info: MicrographInfo) => number; priority?: Priority } = {}): Promise<Described> {
    return this.dispatch(key, opts.priority ?? PRIORITY.background, undefined, async (slot, held, opened) => {
      const described: Described = opened ? { info: held.info, thumbnail: opened.thumbnail } : { info: held.info };
      if (!opts.displayLowpass) return described;
      const { width, height } = held.info;
      const sigma = opts.displayLowpass(held.info);
      const view = { x0: 0, y0: 0, x1: width, y1: height, maxSide: DISPLAY_SIDE, lowpassSigma: sigma || undefined };
      const v = await this.guard(slot, slot.api.render(held.id, view));
      return { ...described, display: v, displayLowpass: sigma };
    });
  }

  /** A region of a micrograph in the display contrast, for the detail view. */
  render(key: string, view: RenderRequest): Promise<RenderedView> {
    return this.dispatch(key, PRIORITY.interactive, undefined, (slot, held) => this.guard(slot, slot.api.render(held.id, view)));
  }

  /** The kept detector map, when the micrograph's worker has one for these parameters. */
  async map(key: string, params: PickParams): Promise<MapImage | undefined> {
    const r = this.registered.get(key);
    if (!r?.home || !r.held) return undefined;
    return this.guard(r.home, r.home.api.map(r.held.id, params));
  }

  /**
   * Picks with these parameters: the FCRN runs only when the worker has no map for them.
   * Resolves undefined when a newer request for the same micrograph superseded this one.
   */
  pick(key: string, params: PickParams, opts: PickOptions = {}): Promise<PickResult | undefined> {
    if (!this.registered.has(key)) return Promise.reject(new Error(`unknown micrograph ${key}`));
    this.latest.set(key, params);
    return this.runner(key).request({ params, opts });
  }

  /**
   * A pick whose result is not the app's (a model on trial, compared before and after): it
   * neither supersedes the app's picks of the micrograph nor is superseded or cancelled by them,
   * which would leave the app's pick without a result.
   */
  pickAside(key: string, params: PickParams, priority: Priority): Promise<PickResult> {
    if (!this.registered.has(key)) return Promise.reject(new Error(`unknown micrograph ${key}`));
    return this.runPick(key, { params, opts: { priority } });
  }

  /**
   * Runs one pick on the micrograph's worker. `app`: the app's request (its runner's number and
   * whether it was superseded or cancelled before it started), the one `cancel` and newer
   * requests reach; a pick aside has none.
   */
  private runPick(key: string, req: PickRequest, app?: { seq: number; dropped: () => boolean }): Promise<PickResult> {
    return this.dispatch(
      key,
      req.opts.priority ?? PRIORITY.interactive,
      req.opts.slot,
      async (slot, held, opened) => {
        if (opened) req.opts.onOpened?.({ info: held.info, thumbnail: opened.thumbnail });
        if (app?.dropped()) throw new CancelledError();
        const jobId = this.nextJob++;
        const wanted = detectorKey(req.params);
        if (app) this.inFlight.set(key, { slot, jobId, seq: app.seq, params: req.params, detecting: held.mapFor !== wanted });
        const progress = req.opts.onProgress ? this.progressUntilSettled(req.opts.onProgress) : undefined;
        try {
          const r = await this.guard(
            slot,
            slot.api.pick(held.id, req.params, jobId, !!req.opts.mapWanted, progress?.proxy, !!req.opts.preview),
          );
          held.mapFor = wanted;
          return r;
        } catch (e) {
          held.mapFor = undefined;
          throw e;
        } finally {
          progress?.close();
          if (this.inFlight.get(key)?.jobId === jobId) this.inFlight.delete(key);
        }
      },
      {
        // Reading a large file takes seconds: shown as a pick under way, not as the old picks at rest.
        onOpening: () => req.opts.onProgress?.({ stage: 'opening', fraction: 0 }),
        dropped: app?.dropped,
      },
    );
  }

  private runner(key: string): LatestOnlyRunner<PickRequest, PickResult> {
    let runner = this.runners.get(key);
    if (runner) return runner;
    // The runner of a restarted pool is a new one: what was cancelled before cannot reach its requests.
    runner = latestOnly<PickRequest, PickResult>(
      (req, seq) => this.runPick(key, req, { seq, dropped: () => runner!.wasCancelled(seq) }),
      (seq) => {
        const f = this.inFlight.get(key);
        const newest = this.latest.get(key);
        if (!f) runner!.cancelIssued(seq);
        // A running detector run that the newest request also needs is left to finish; a
        // re-pick on the kept map is cheaper to redo than to wait for.
        else if (!f.detecting || !newest || detectorKey(f.params) !== detectorKey(newest)) this.cancelJob(f.slot, f.jobId);
      },
    );
    this.runners.set(key, runner);
    return runner;
  }

  /**
   * A progress callback for one worker call that goes quiet once close() is called. Comlink
   * sends the callback's messages on its own MessagePort and the call's result on the worker's;
   * the browser does not order messages across ports, so under load the last progress of a
   * pick can arrive after its result, and would mark a picked (or cancelled) micrograph as
   * running again.
   */
  private progressUntilSettled(onProgress: (p: Progress) => void): { proxy: (p: Progress) => void; close(): void } {
    let open = true;
    return {
      proxy: Comlink.proxy((p: Progress) => {
        if (open) onProgress(p);
      }),
      close: () => {
        open = false;
      },
    };
  }

  private cancelJob(slot: Slot, jobId: number): void {
    if (slot.dead) return; // its jobs failed with it
    if (slot.flags) Atomics.store(slot.flags, jobId % slot.flags.length, jobId);
    void this.guard(slot, slot.api.cancel(jobId)).catch(() => {});
  }

  /**
   * Cancels the app's picks of `key` running or still waiting in its worker's lane: those
   * requested so far, or up to request `upTo` (a batch's own, not the user's asked for since).
   */
  cancel(key: string, upTo?: number): void {
    const runner = this.runners.get(key);
    const limit = upTo ?? runner?.issued ?? 0;
    runner?.cancelIssued(limit);
    const f = this.inFlight.get(key);
    if (f && f.seq <= limit) this.cancelJob(f.slot, f.jobId);
  }

  /**
   * Lets go of `key` in another worker than `slot` so that a batch's next pick opens it in
   * `slot`, which would otherwise wait for the other worker's lane: unless it is busy or on
   * screen, or its worker keeps the map these parameters need (a re-pick there is cheaper than
   * opening it again).
   */
  private moveTo(slot: Slot, key: string, params: PickParams): void {
    const r = this.registered.get(key);
    if (!r?.home || r.home === slot || r.busy > 0 || this.pinned.has(key)) return;
    if (r.held?.mapFor === detectorKey(params)) return;
    this.release(r.home, key);
  }

  /** Picks many micrographs on all workers; each worker takes the next one when it is free. */
  batch(items: readonly BatchItem[], h: BatchHandlers): BatchHandle {
    const queue = new BatchQueue(items);
    const running = new Map<string, number>();
    let cancelled = false;
    const counts = { picked: 0, failed: 0, skipped: 0 };
    const t0 = performance.now();
    const work = async (slot: Slot): Promise<void> => {
      for (;;) {
        // A worker that died takes no more: the live ones pick the rest; with none left, the rest fails.
        if (slot.dead && !this.live().length)
          for (const it of queue.drain()) {
            counts.failed++;
            h.onError(it.key, this.noWorker());
          }
        const it = cancelled || slot.dead ? undefined : queue.take(slot.index, (k) => this.homeOf(k));
        if (!it) return;
        if (!this.registered.has(it.key)) {
          counts.skipped++; // removed from the session while it waited
          h.onSkipped?.(it.key);
          continue;
        }
        this.moveTo(slot, it.key, it.params);
        h.onStart?.(it.key);
        try {
          const picking = this.pick(it.key, it.params, {
            priority: PRIORITY.batch,
            slot: slot.index,
            onOpened: h.onOpened ? (d) => h.onOpened!(it.key, d) : undefined,
            mapWanted: h.mapWanted?.(it.key),
            onProgress: h.onProgress ? (p) => h.onProgress!(it.key, p) : undefined,
          });
          // Its request's number: Cancel stops it, not the user's picks of the micrograph asked for since.
          running.set(it.key, this.runners.get(it.key)?.issued ?? 0);
          const r = await picking;
          if (r) {
            counts.picked++;
            h.onDone(it.key, r);
          } else {
            counts.skipped++;
            h.onSkipped?.(it.key);
          }
        } catch (e) {
          if (cancelled || isCancelled(e)) {
            counts.skipped++;
            h.onSkipped?.(it.key);
          } else {
            counts.failed++;
            h.onError(it.key, e);
          }
        } finally {
          running.delete(it.key);
        }
      }
    };
    const done = this.ready()
      .then(() => Promise.all(this.slots.map(work)))
      .then(() => ({ ...counts, seconds: (performance.now() - t0) / 1000 }));
    return {
      cancel: () => {
        if (cancelled) return;
        cancelled = true;
        for (const it of queue.drain()) {
          counts.skipped++;
          h.onSkipped?.(it.key);
        }
        for (const [key, seq] of running) this.cancel(key, seq);
      },
      done,
    };
  }

  /** Calls every worker (e.g. to load new models into each). */
  async broadcast<T>(call: (api: Comlink.Remote<EngineApi>) => Promise<T>): Promise<T[]> {
    await this.ready();
    return Promise.all(
      this.live().map((s) =>
        this.guard(
          s,
          s.lane.run(PRIORITY.interactive, () => {
            for (const held of s.held.values()) held.mapFor = undefined; // new models drop the maps
            return call(s.api);
          }),
        ),
      ),
    );
  }

  /** Runs a long task on one worker (the least busy), in its lane. */
  exclusive<T>(call: (api: Comlink.Remote<EngineApi>) => Promise<T>, priority: Priority = PRIORITY.batch): Promise<T> {
    return this.exclusiveJob((api) => call(api), priority).promise;
  }

  /**
   * Gives `start` a way to take a job id on the slot it runs on; cancel() reaches that job (flag +
   * message). One cancelled before its turn never starts: without shared flags (a page not
   * cross-origin isolated) the worker would not know a job it has not begun was cancelled.
   */
  private cancellable<T>(start: (take: (slot: Slot) => number, dropped: () => boolean) => Promise<T>): CancellableJob<T> {
    let at: { slot: Slot; jobId: number } | undefined;
    let cancelled = false;
    const promise = start(
      (slot) => {
        if (cancelled) throw new CancelledError();
        at = { slot, jobId: this.nextJob++ };
        return at.jobId;
      },
      () => cancelled,
    );
    return {
      promise,
      cancel: () => {
        cancelled = true;
        if (at) this.cancelJob(at.slot, at.jobId);
      },
    };
  }

  /** A cancellable task on a micrograph's home worker (opened there first when needed), with its open id. */
  onMicrograph<T>(
    key: string,
    call: (api: Comlink.Remote<EngineApi>, id: string, jobId: number) => Promise<T>,
    priority: Priority = PRIORITY.batch,
  ): CancellableJob<T> {
    return this.cancellable((take, dropped) =>
      this.dispatch(
        key,
        priority,
        undefined,
        (slot, held) => {
          const jobId = take(slot);
          held.mapFor = undefined; // the job may run the detector with other parameters
          return this.guard(slot, call(slot.api, held.id, jobId));
        },
        { dropped },
      ),
    );
  }

  /** exclusive() with a job id that cancel() reaches (long tasks such as training). */
  exclusiveJob<T>(
    call: (api: Comlink.Remote<EngineApi>, jobId: number) => Promise<T>,
    priority: Priority = PRIORITY.batch,
  ): CancellableJob<T> {
    return this.cancellable(async (take) => {
      await this.ready();
      const s = this.pickSlot(undefined, false);
      return this.guard(
        s,
        s.lane.run(priority, () => call(s.api, take(s))),
      );
    });
  }

  /** Memory of every worker (benchmarks). */
  async memory(): Promise<EngineMemory[]> {
    await this.ready();
    return Promise.all(this.live().map((s) => this.guard(s, s.api.memory())));
  }
}

export const engine = new EngineBridge();
