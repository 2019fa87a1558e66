// The bridge's cancellable jobs that retraining uses (onMicrograph, exclusiveJob), with fake
// in-process workers: the call gets the micrograph's open id on its home worker and a job id,
// and cancel() reaches that job whether it is waiting in the lane or running.
import type * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import type { EngineApi } from '../../../workers/engine-api';
import { EngineBridge, type EngineEndpoint } from '../engine-bridge';

function fakePool() {
  const cancelled = new Set<number>();
  const opened: { worker: number; name: string; id: string }[] = [];
  const factory = (index: number): EngineEndpoint => {
    let n = 0;
    const api = {
      async init() {
        return { backend: 'wasm', threads: 1 };
      },
      async open(name: string) {
        const id = `w${index}-${++n}`;
        opened.push({ worker: index, name, id });
        const grey = { width: 1, height: 1, data: new Uint8ClampedArray(1) };
        return {
          id,
          name,
          width: 64,
          height: 64,
          frames: 1,
          stats: { min: 0, max: 1, mean: 0.5, std: 0.1 },
          thumbnail: grey,
          displayScale: 1,
        };
      },
      async close() {},
      async cancel(jobId: number) {
        cancelled.add(jobId);
      },
    };
    return { api: api as unknown as Comlink.Remote<EngineApi>, terminate() {} };
  };
  return { factory, cancelled, opened };
}

/** A long task in a worker: runs until its job is cancelled (or `ms` pass). */
async function longTask(cancelled: Set<number>, jobId: number, ms = 2000): Promise<string> {
  for (let t = 0; t < ms; t += 5) {
    await new Promise((r) => setTimeout(r, 5));
    if (cancelled.has(jobId)) throw Object.assign(new Error('cancelled'), { name: 'CancelledError' });
  }
  return 'done';
}

describe('cancellable bridge jobs', () => {
  it('onMicrograph runs on the home worker with the open id and a job id; cancel() stops it', async () => {
    const pool = fakePool();
    const bridge = new EngineBridge(pool.factory);
    await bridge.start({ backend: 'wasm', workers: 2, modelBaseUrl: '/models/' });
    bridge.register('k1', 'a.mrc', new Blob([new Uint8Array(4)]));
    const seen: { id: string; jobId: number }[] = [];
    const ok = bridge.onMicrograph('k1', async (_api, id, jobId) => {
      seen.push({ id, jobId });
      return id;
    });
    expect(await ok.promise).toBe(pool.opened[0].id);
    expect(bridge.homeOf('k1')).toBe(pool.opened[0].worker);

    const job = bridge.onMicrograph('k1', (_api, _id, jobId) => longTask(pool.cancelled, jobId));
    await new Promise((r) => setTimeout(r, 20));
    job.cancel();
    await expect(job.promise).rejects.toMatchObject({ name: 'CancelledError' });
    expect(pool.opened).toHaveLength(1); // still open there, not reopened
    bridge.stop();
  });

  it('exclusiveJob can be cancelled before it starts and while it runs', async () => {
    const pool = fakePool();
    const bridge = new EngineBridge(pool.factory);
    await bridge.start({ backend: 'wasm', workers: 1, modelBaseUrl: '/models/' });
    const first = bridge.exclusiveJob((_api, jobId) => longTask(pool.cancelled, jobId, 60));
    const queued = bridge.exclusiveJob((_api, jobId) => longTask(pool.cancelled, jobId));
    queued.cancel(); // waiting behind `first` in the only lane
    expect(await first.promise).toBe('done');
    await expect(queued.promise).rejects.toMatchObject({ name: 'CancelledError' });
    const running = bridge.exclusiveJob((_api, jobId) => longTask(pool.cancelled, jobId));
    await new Promise((r) => setTimeout(r, 20));
    running.cancel();
    await expect(running.promise).rejects.toMatchObject({ name: 'CancelledError' });
    expect(await bridge.exclusive(async () => 7)).toBe(7);
    bridge.stop();
  });
});
