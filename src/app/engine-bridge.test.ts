// The bridge's scheduling with fake workers (same API, in-process): homes, lanes, latest-only
// picks, batches on every worker, cancelling, memory eviction, failures.
import { describe, expect, it } from 'vitest';
import type * as Comlink from 'comlink';
import { DEFAULT_PICK_PARAMS, type PickParams } from '../core/params';
import type { EngineApi, EngineInit, OpenOptions, PickResult, Progress, RenderRequest } from '../../workers/engine-api';
import { EngineBridge, type EngineEndpoint } from './engine-bridge';
import { WorkerFailedError } from './error-text';

interface Call {
  worker: number;
  what: string;
  name?: string;
  jobId?: number;
}

interface FakeOptions {
  /** Backend the first worker reports for 'auto'. */
  autoBackend?: 'wasm' | 'webgpu';
  /** Image side the fake files report (large ones exceed the memory budget). */
  side?: number;
  /** ms a pick takes when the detector runs. */
  detectMs?: number;
  /** ms a re-pick on the kept map takes (the classifier on new candidates). */
  repickMs?: number;
  /**
   * Progress messages arrive this many ms late. Comlink sends them on the callback's own
   * MessagePort and the result on the worker's; the browser does not order the two, so under
   * load the last progress can arrive after the result.
   */
  progressLagMs?: number;
  /** Not cross-origin isolated: no shared cancel flags, cancel() reaches only a job the worker has begun. */
  noFlags?: boolean;
}

function fakePool(opts: FakeOptions = {}) {
  const calls: Call[] = [];
  const cancelled = new Set<number>();
  const running = new Set<number>();
  let terminated = 0;
  /** Each worker's failure callback: calling it is the worker dying. */
  const failures: ((why: Error) => void)[] = [];
  const factory = (index: number): EngineEndpoint => {
    const open = new Map<string, { name: string; detected?: number }>();
    let done = false;
    let n = 0;
    const api = {
      async init(o: EngineInit) {
        calls.push({ worker: index, what: `init ${o.backend} threads=${o.threads}` });
        const backend = o.backend === 'auto' ? (opts.autoBackend ?? 'wasm') : o.backend;
        return { backend, threads: o.threads };
      },
      async open(name: string, _source: unknown, _o: OpenOptions = {}) {
        calls.push({ worker: index, what: 'open', name });
        await new Promise((r) => setTimeout(r, 1));
        if (name.startsWith('bad')) throw Object.assign(new Error(`${name}: not an MRC file`), { name: 'MicrographError' });
        const id = `w${index}-${++n}`;
        open.set(id, { name });
        const side = opts.side ?? 100;
        const grey = { width: 4, height: 4, data: new Uint8ClampedArray(16) };
        return {
          id,
          width: side,
          height: side,
          frames: 1,
          thumbnail: grey,
          displayScale: 1,
        };
      },
      async pick(
        id: string,
        params: PickParams,
        jobId: number,
        mapWanted: boolean,
        onProgress?: (p: Progress) => void,
      ): Promise<PickResult> {
        const o = open.get(id);
        if (!o) throw new Error(`no open micrograph with id ${id}`);
        calls.push({ worker: index, what: 'pick', name: o.name, jobId });
        running.add(jobId);
        const detected = o.detected !== params.diameter;
        if (detected) {
          for (let t = 0; t < 4; t++) {
            await new Promise((r) => setTimeout(r, (opts.detectMs ?? 8) / 4));
            if (cancelled.has(jobId)) throw Object.assign(new Error('cancelled'), { name: 'CancelledError' });
            const p = { stage: 'detector', fraction: (t + 1) / 4 };
            if (opts.progressLagMs === undefined) onProgress?.(p);
            else setTimeout(() => onProgress?.(p), opts.progressLagMs);
          }
          o.detected = params.diameter;
        } else if (opts.repickMs) {
          // The classifier in batches, each followed by a look at the cancel flag.
          for (let t = 0; t < opts.repickMs; t += 5) {
            await new Promise((r) => setTimeout(r, 5));
            if (cancelled.has(jobId)) throw Object.assign(new Error('cancelled'), { name: 'CancelledError' });
          }
        }
        const picks = [{ x: params.threshold, y: 1, score: 1, kept: true, peakHeight: 1 }];
        return {
          picks,
          timings: {},
          detected,
          unclassified: 0,
          map: mapWanted ? { data: new Float32Array(4), width: 2, height: 2, scale: 1 } : undefined,
        };
      },
      async render(id: string, view: RenderRequest) {
        calls.push({ worker: index, what: `render lowpass=${view.lowpassSigma ?? 0}`, name: open.get(id)?.name });
        return { width: 1, height: 1, data: new Uint8ClampedArray(1), x0: 0, y0: 0, scale: 1 };
      },
      async map() {
        return undefined;
      },
      async cancel(jobId: number) {
        if (!opts.noFlags || running.has(jobId)) cancelled.add(jobId);
      },
      async close(id: string) {
        calls.push({ worker: index, what: 'close', name: open.get(id)?.name });
        open.delete(id);
      },
      async memory() {
        return { sessions: open.size };
      },
    };
    return {
      api: api as unknown as Comlink.Remote<EngineApi>,
      // Comlink refuses to release a proxy twice, as a real endpoint's terminate() does.
      terminate: () => {
        if (done) throw new Error('Proxy has been released and is not useable');
        done = true;
        terminated++;
      },
      onFailure: (cb) => (failures[index] = cb),
    };
  };
  return {
    bridge: new EngineBridge(factory),
    calls,
    cancelled,
    terminated: () => terminated,
    kill: (index: number, why: Error) => failures[index](why),
  };
}

const P = (patch: Partial<PickParams> = {}): PickParams => ({ ...DEFAULT_PICK_PARAMS, ...patch });
const blob = new Blob([new Uint8Array(8)]);

describe('EngineBridge', () => {
  it('starts one worker per requested slot with the cores shared out; WebGPU (auto) keeps one', async () => {
    const a = fakePool();
    const info = await a.bridge.start({ backend: 'wasm', workers: 2, modelBaseUrl: '/m/' });
    expect(info).toMatchObject({ backend: 'wasm', workers: 2 });
    expect(a.calls.filter((c) => c.what.startsWith('init'))).toHaveLength(2);
    const g = fakePool({ autoBackend: 'webgpu' });
    expect(await g.bridge.start({ backend: 'auto', workers: 4, modelBaseUrl: '/m/' })).toMatchObject({ backend: 'webgpu', workers: 1 });
    expect(g.calls.filter((c) => c.what.startsWith('init'))).toHaveLength(1);
  });

  it('opens a micrograph once, in one worker, and sends every later call for it there', async () => {
    const { bridge, calls } = fakePool();
    await bridge.start({ backend: 'wasm', workers: 2, modelBaseUrl: '/m/' });
    bridge.register('k', 'a.mrc', blob);
    // The display comes through the low-pass chosen from the header, never unfiltered first.
    const d = await bridge.describe('k', { displayLowpass: (info) => info.width / 50 });
    expect(d.thumbnail && d.display && d.info.width).toBeTruthy();
    expect(d.displayLowpass).toBe(2);
    expect(calls.filter((c) => c.what.startsWith('render')).map((c) => c.what)).toEqual(['render lowpass=2']);
    const home = bridge.homeOf('k');
    const r1 = await bridge.pick('k', P({ threshold: 3 }));
    const r2 = await bridge.pick('k', P({ threshold: 5 }));
    expect(r1?.detected).toBe(true);
    expect(r2?.detected).toBe(false); // the kept map was reused in the same worker
    expect(r2?.picks[0].x).toBe(5);
    expect(calls.filter((c) => c.what === 'open')).toHaveLength(1);
    expect(new Set(calls.filter((c) => c.name === 'a.mrc').map((c) => c.worker))).toEqual(new Set([home]));
  });

  it('a newer pick supersedes a waiting one; only the newest result is delivered', async () => {
    const { bridge } = fakePool();
    await bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    bridge.register('k', 'a.mrc', blob);
    const all = [3, 4, 5, 6].map((t) => bridge.pick('k', P({ threshold: t })));
    const results = await Promise.all(all);
    expect(results.slice(1, 3)).toEqual([undefined, undefined]);
    expect(results[3]?.picks[0].x).toBe(6);
  });

  it('a newer pick cancels a running detector run only when it needs another map', async () => {
    const { bridge, cancelled } = fakePool({ detectMs: 40 });
    await bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    bridge.register('k', 'a.mrc', blob);
    const first = bridge.pick('k', P({ diameter: 100 }));
    await new Promise((r) => setTimeout(r, 15));
    const sameMap = bridge.pick('k', P({ diameter: 100, threshold: 9 }));
    expect(cancelled.size).toBe(0);
    await expect(first).resolves.toBeUndefined();
    expect((await sameMap)?.detected).toBe(false);
    const second = bridge.pick('k', P({ diameter: 120 }));
    await new Promise((r) => setTimeout(r, 15));
    const otherMap = bridge.pick('k', P({ diameter: 140 }));
    await expect(second).resolves.toBeUndefined();
    expect(cancelled.size).toBe(1);
    expect((await otherMap)?.detected).toBe(true);
  });

  it('a newer pick cancels a running re-pick on the kept map rather than wait for it', async () => {
    const { bridge, cancelled } = fakePool({ detectMs: 4, repickMs: 60 });
    await bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    bridge.register('k', 'a.mrc', blob);
    await bridge.pick('k', P());
    const slow = bridge.pick('k', P({ threshold: 7 }));
    await new Promise((r) => setTimeout(r, 10));
    const newer = bridge.pick('k', P({ threshold: 8 }));
    await expect(slow).resolves.toBeUndefined();
    // Cancelled, not waited for: no wall-clock bound, which a loaded CI machine would break.
    expect(cancelled.size).toBe(1);
    expect((await newer)?.picks[0].x).toBe(8);
  });

  it("a pick aside (a model on trial) neither supersedes the app's pick nor is cancelled by a newer one", async () => {
    const { bridge, cancelled } = fakePool({ detectMs: 20, repickMs: 20 });
    await bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    bridge.register('k', 'a.mrc', blob);
    const app = bridge.pick('k', P({ threshold: 3 }));
    const aside = bridge.pickAside('k', P({ threshold: 4 }), 0);
    const newer = bridge.pick('k', P({ threshold: 5 }));
    await expect(app).resolves.toBeUndefined(); // superseded by the app's own newer pick only
    expect((await aside).picks[0].x).toBe(4);
    expect((await newer)?.picks[0].x).toBe(5);
    expect(cancelled.size).toBe(0);
    const alone = bridge.pick('k', P({ threshold: 6 }));
    await bridge.pickAside('k', P({ threshold: 7 }), 0);
    expect((await alone)?.picks[0].x).toBe(6);
  });

  it('a batch runs on every worker and cancelling keeps what finished', async () => {
    const { bridge, calls } = fakePool({ detectMs: 20 });
    await bridge.start({ backend: 'wasm', workers: 2, modelBaseUrl: '/m/' });
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    for (const k of keys) bridge.register(k, `${k}.mrc`, blob);
    const done: string[] = [];
    const skipped: string[] = [];
    const started: string[] = [];
    const h = bridge.batch(
      keys.map((key) => ({ key, params: P() })),
      { onStart: (k) => started.push(k), onDone: (k) => done.push(k), onError: () => {}, onSkipped: (k) => skipped.push(k) },
    );
    while (done.length < 2) await new Promise((r) => setTimeout(r, 2));
    h.cancel();
    const counts = await h.done;
    expect(new Set(calls.filter((c) => c.what === 'pick').map((c) => c.worker))).toEqual(new Set([0, 1]));
    expect(counts.picked).toBe(done.length);
    expect(counts.picked + counts.skipped).toBe(keys.length);
    expect(done.length).toBeGreaterThanOrEqual(2);
    expect(done.length).toBeLessThan(keys.length);
    expect(new Set([...done, ...skipped])).toEqual(new Set(keys));
    // Everything started either finished or was cancelled mid-way; nothing started after the cancel.
    expect(started.length).toBeLessThanOrEqual(done.length + 2);
  });

  it('a batch moves a micrograph held by a busy worker to a free one, unless its worker keeps the map it needs', async () => {
    const { bridge, calls } = fakePool({ detectMs: 20 });
    await bridge.start({ backend: 'wasm', workers: 2, modelBaseUrl: '/m/' });
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const k of keys) bridge.register(k, `${k}.mrc`, blob);
    await Promise.all(keys.map((k) => bridge.pick(k, P({ diameter: 100 }), { slot: 0 })));
    const workersOf = async (params: PickParams) => {
      const from = calls.length;
      const h = bridge.batch(
        keys.map((key) => ({ key, params })),
        { onDone: () => {}, onError: () => {} },
      );
      expect((await h.done).picked).toBe(keys.length);
      return new Set(
        calls
          .slice(from)
          .filter((c) => c.what === 'pick')
          .map((c) => c.worker),
      );
    };
    // A new threshold re-picks on the kept maps: each stays where its map is.
    expect(await workersOf(P({ diameter: 100, threshold: 9 }))).toEqual(new Set([0]));
    // A new diameter needs the detector anyway: the idle worker takes its share.
    expect(await workersOf(P({ diameter: 120 }))).toEqual(new Set([0, 1]));
  });

  it('what was cancelled before a restart reaches no pick after it', async () => {
    const { bridge } = fakePool({ detectMs: 20 });
    await bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    bridge.register('k', 'a.mrc', blob);
    const before = [bridge.pick('k', P()), bridge.pick('k', P({ threshold: 5 }))];
    bridge.cancel('k');
    await Promise.allSettled(before);
    bridge.stop();
    await bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    for (const t of [6, 7, 8]) expect((await bridge.pick('k', P({ threshold: t })))?.picks[0].x).toBe(t);
  });

  it("a batch's Cancel stops its own pick of a micrograph, not the user's asked for since", async () => {
    const { bridge, calls } = fakePool({ detectMs: 40 });
    await bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    bridge.register('k', 'a.mrc', blob);
    const h = bridge.batch([{ key: 'k', params: P() }], { onDone: () => {}, onError: () => {} });
    while (!calls.some((c) => c.what === 'pick')) await new Promise((r) => setTimeout(r, 2));
    const user = bridge.pick('k', P({ threshold: 9 })); // a slider moved while the batch detects
    h.cancel();
    await h.done;
    expect((await user)?.picks[0].x).toBe(9);
  });

  it('a pick cancelled before its file was opened does not say it is opening', async () => {
    const { bridge } = fakePool({ detectMs: 30 });
    await bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    for (const k of ['a', 'b']) bridge.register(k, `${k}.mrc`, blob);
    const busy = bridge.pick('a', P());
    const stages: string[] = [];
    const waiting = bridge.pick('b', P(), { onProgress: (p) => stages.push(p.stage) });
    bridge.cancel('b');
    await busy;
    await expect(waiting).rejects.toMatchObject({ name: 'CancelledError' });
    expect(stages).toEqual([]);
  });

  it("cancel reaches a pick still waiting in its worker's lane", async () => {
    const { bridge, calls } = fakePool({ detectMs: 30 });
    await bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    for (const k of ['a', 'b']) bridge.register(k, `${k}.mrc`, blob);
    const busy = bridge.pick('a', P());
    const waiting = bridge.pick('b', P());
    await new Promise((r) => setTimeout(r, 5));
    bridge.cancel('b');
    await busy;
    await expect(waiting).rejects.toMatchObject({ name: 'CancelledError' });
    expect(calls.filter((c) => c.what === 'pick').map((c) => c.name)).toEqual(['a.mrc']);
    expect((await bridge.pick('b', P()))?.detected).toBe(true); // a later request is not cancelled
  });

  it('a pick that has to open its file first says so before the file is read', async () => {
    const { bridge } = fakePool({ detectMs: 8 });
    await bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    bridge.register('k', 'a.mrc', blob);
    const stages: string[] = [];
    await bridge.pick('k', P(), { onProgress: (p) => stages.push(p.stage) });
    expect(stages[0]).toBe('opening');
    stages.length = 0;
    await bridge.pick('k', P({ diameter: 120 }), { onProgress: (p) => stages.push(p.stage) });
    expect(stages).not.toContain('opening'); // open already
  });

  it('no progress is delivered after its pick settled, though the worker sent it before the result', async () => {
    const { bridge } = fakePool({ detectMs: 8, progressLagMs: 10 });
    await bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    bridge.register('k', 'a.mrc', blob);
    const events: string[] = [];
    const r = await bridge.pick('k', P(), { onProgress: (p) => events.push(`progress ${p.fraction}`) });
    events.push('result');
    await new Promise((res) => setTimeout(res, 30));
    expect(r?.detected).toBe(true);
    expect(events[events.length - 1]).toBe('result');
  });

  it("in a batch, nothing follows a micrograph's onDone or onSkipped (a late progress would mark it picking again)", async () => {
    const { bridge } = fakePool({ detectMs: 20, progressLagMs: 8 });
    await bridge.start({ backend: 'wasm', workers: 2, modelBaseUrl: '/m/' });
    const keys = ['a', 'b', 'c', 'd', 'e', 'f'];
    for (const k of keys) bridge.register(k, `${k}.mrc`, blob);
    const last = new Map<string, string>();
    const h = bridge.batch(
      keys.map((key) => ({ key, params: P() })),
      {
        onStart: (k) => last.set(k, 'start'),
        onProgress: (k) => last.set(k, 'progress'),
        onDone: (k) => last.set(k, 'done'),
        onError: (k) => last.set(k, 'error'),
        onSkipped: (k) => last.set(k, 'skipped'),
      },
    );
    while (![...last.values()].includes('done')) await new Promise((r) => setTimeout(r, 2));
    await new Promise((r) => setTimeout(r, 12)); // cancel while a detector run is reporting
    h.cancel();
    await h.done;
    await new Promise((r) => setTimeout(r, 30));
    expect(new Set(last.values())).toEqual(new Set(['done', 'skipped']));
    expect(last.size).toBe(keys.length);
  });

  it('a bad file fails alone; the rest of the batch is picked', async () => {
    const { bridge } = fakePool();
    await bridge.start({ backend: 'wasm', workers: 2, modelBaseUrl: '/m/' });
    for (const k of ['a', 'bad', 'c']) bridge.register(k, `${k}.mrc`, blob);
    const errors: string[] = [];
    const h = bridge.batch(
      ['a', 'bad', 'c'].map((key) => ({ key, params: P() })),
      { onDone: () => {}, onError: (k, e) => errors.push(`${k}: ${(e as Error).message}`) },
    );
    expect(await h.done).toMatchObject({ picked: 2, failed: 1 });
    expect(errors).toEqual(['bad: bad.mrc: not an MRC file']);
    expect(bridge.homeOf('bad')).toBeUndefined();
  });

  it('a worker over its memory budget lets go of the least recently used unpinned micrograph', async () => {
    const { bridge, calls } = fakePool({ side: 12000 }); // each ~860 MB: one fits a 1 GiB budget
    await bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    for (const k of ['a', 'b', 'c']) bridge.register(k, `${k}.mrc`, blob);
    bridge.pin(['a']);
    await bridge.pick('a', P());
    await bridge.pick('b', P());
    expect(bridge.homeOf('a')).toBe(0);
    expect(bridge.homeOf('b')).toBeUndefined(); // over budget, not pinned: closed
    await bridge.pick('c', P());
    expect(calls.filter((c) => c.what === 'close').map((c) => c.name)).toEqual(['b.mrc', 'c.mrc']);
    // Closed micrographs reopen on demand.
    expect((await bridge.pick('b', P({ threshold: 2 })))?.detected).toBe(true);
  });

  it('a worker that dies rejects the calls waiting on it with its failure, and every later one', async () => {
    const pool = fakePool({ detectMs: 400 });
    await pool.bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    pool.bridge.register('k', 'a.mrc', blob);
    const running = pool.bridge.pick('k', P());
    await new Promise((r) => setTimeout(r, 20));
    pool.kill(0, new WorkerFailedError('the engine worker failed: out of memory'));
    await expect(running).rejects.toBeInstanceOf(WorkerFailedError);
    pool.bridge.register('k2', 'b.mrc', blob);
    await expect(pool.bridge.pick('k2', P())).rejects.toThrow('the engine worker failed: out of memory');
  });

  it('a worker that dies mid-batch fails only the micrograph it was picking; the live worker picks the rest', async () => {
    const pool = fakePool({ detectMs: 40 });
    const lost: number[] = [];
    pool.bridge.onWorkerLost((_why, left) => lost.push(left));
    await pool.bridge.start({ backend: 'wasm', workers: 2, modelBaseUrl: '/m/' });
    const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
    for (const k of keys) pool.bridge.register(k, `${k}.mrc`, blob);
    const h = pool.bridge.batch(
      keys.map((key) => ({ key, params: P() })),
      { onDone: () => {}, onError: () => {} },
    );
    await new Promise((r) => setTimeout(r, 15));
    pool.kill(1, new WorkerFailedError('the engine worker failed: out of memory'));
    expect(await h.done).toMatchObject({ failed: 1, picked: 9 });
    expect(lost).toEqual([1]);
    expect(pool.bridge.workers).toBe(1);
    expect(pool.bridge.info?.workers).toBe(1);
  });

  it('a restart after a worker died brings the pool back to full size', async () => {
    const pool = fakePool({ detectMs: 20 });
    await pool.bridge.start({ backend: 'wasm', workers: 2, modelBaseUrl: '/m/' });
    pool.kill(1, new WorkerFailedError('the engine worker failed: out of memory'));
    expect(pool.bridge.workers).toBe(1);
    expect(await pool.bridge.start({ backend: 'wasm', workers: 2, modelBaseUrl: '/m/' })).toMatchObject({ workers: 2 });
    expect(pool.bridge.workers).toBe(2);
  });

  it('with every worker dead, the rest of a batch fails at once, each micrograph said', async () => {
    const pool = fakePool({ detectMs: 40 });
    await pool.bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    const keys = ['a', 'b', 'c', 'd'];
    for (const k of keys) pool.bridge.register(k, `${k}.mrc`, blob);
    const failed: string[] = [];
    const h = pool.bridge.batch(
      keys.map((key) => ({ key, params: P() })),
      { onDone: () => {}, onError: (k) => failed.push(k) },
    );
    await new Promise((r) => setTimeout(r, 15));
    pool.kill(0, new WorkerFailedError('the engine worker failed: out of memory'));
    expect(await h.done).toMatchObject({ picked: 0, failed: 4, skipped: 0 });
    expect(failed.sort()).toEqual(keys);
  });

  it("a dead worker's micrographs reopen in a live one, and new ones go to live ones only", async () => {
    const pool = fakePool({ detectMs: 20 });
    await pool.bridge.start({ backend: 'wasm', workers: 2, modelBaseUrl: '/m/' });
    pool.bridge.register('a', 'a.mrc', blob);
    pool.bridge.register('b', 'b.mrc', blob);
    await Promise.all([pool.bridge.pick('a', P()), pool.bridge.pick('b', P())]);
    const dead = pool.bridge.homeOf('b')!;
    expect(pool.bridge.homeOf('a')).not.toBe(dead);
    pool.kill(dead, new WorkerFailedError('the engine worker failed: out of memory'));
    expect(pool.bridge.homeOf('b')).toBeUndefined();
    expect((await pool.bridge.pick('b', P({ threshold: 3 })))?.picks[0].x).toBe(3);
    pool.bridge.register('c', 'c.mrc', blob);
    await pool.bridge.pick('c', P());
    const used = (name: string) => new Set(pool.calls.filter((c) => c.name === name && c.what === 'pick').map((c) => c.worker));
    expect(used('c.mrc')).toEqual(new Set([1 - dead]));
    expect(pool.bridge.homeOf('b')).toBe(1 - dead);
  });

  it('without shared cancel flags, a job cancelled while it waits never starts, nor opens its file', async () => {
    const pool = fakePool({ detectMs: 80, noFlags: true });
    await pool.bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    pool.bridge.register('a', 'a.mrc', blob);
    pool.bridge.register('b', 'b.mrc', blob);
    const first = pool.bridge.pick('a', P());
    await new Promise((r) => setTimeout(r, 5));
    // Settings from review or training on micrographs queued behind a pick, then Cancel.
    const same = pool.bridge.onMicrograph('a', (api, id, jobId) => api.pick(id, P({ diameter: 123 }), jobId, false));
    const other = pool.bridge.onMicrograph('b', (api, id, jobId) => api.pick(id, P(), jobId, false));
    same.cancel();
    other.cancel();
    await first;
    await expect(same.promise).rejects.toMatchObject({ name: 'CancelledError' });
    await expect(other.promise).rejects.toMatchObject({ name: 'CancelledError' });
    expect(pool.calls.filter((c) => c.what === 'open' || c.what === 'pick').map((c) => `${c.what} ${c.name}`)).toEqual([
      'open a.mrc',
      'pick a.mrc',
    ]);
  });

  it('a batch counts a micrograph removed while it waited as skipped, not failed', async () => {
    const pool = fakePool({ detectMs: 20 });
    await pool.bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    pool.bridge.register('a', 'a.mrc', blob);
    pool.bridge.register('b', 'b.mrc', blob);
    const errors: unknown[] = [];
    const skipped: string[] = [];
    const h = pool.bridge.batch(
      [
        { key: 'a', params: P() },
        { key: 'b', params: P() },
      ],
      { onDone: () => {}, onError: (_k, e) => errors.push(e), onSkipped: (k) => skipped.push(k) },
    );
    await new Promise((r) => setTimeout(r, 5));
    pool.bridge.unregister('b');
    expect(await h.done).toMatchObject({ picked: 1, failed: 0, skipped: 1 });
    expect(errors).toEqual([]);
    expect(skipped).toEqual(['b']);
  });

  it('a restart rejects calls in flight as cancelled and forgets where micrographs were open', async () => {
    const pool = fakePool({ detectMs: 50 });
    await pool.bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/m/' });
    pool.bridge.register('k', 'a.mrc', blob);
    const running = pool.bridge.pick('k', P());
    await new Promise((r) => setTimeout(r, 10));
    const restarted = pool.bridge.start({ backend: 'cpu', workers: 1, modelBaseUrl: '/m/' });
    await expect(running).rejects.toMatchObject({ name: 'CancelledError' });
    await restarted;
    expect(pool.terminated()).toBe(1);
    expect(pool.bridge.homeOf('k')).toBeUndefined();
    expect((await pool.bridge.pick('k', P()))?.detected).toBe(true);
  });
});
