// What an engine (re)start picks again: the micrographs whose new parameters a reload or restart
// cut short, and those showing a preview, but not those never picked (a cancelled batch).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BatchHandlers } from '../engine-bridge';
import { useWorkbench } from '../store';

const batches: { keys: string[]; finish: () => void; handlers: BatchHandlers }[] = [];
const models = { fcrn: 'shipped', classifier: 'shipped' };
const lost: ((why: Error, left: number) => void)[] = [];
vi.mock('../engine-bridge', () => ({
  engine: {
    isRegistered: () => true,
    start: async () => ({ backend: 'wasm', workers: 2, threadsPerWorker: 1, models }),
    get info() {
      return { backend: 'wasm', workers: lost.length ? 1 : 2, threadsPerWorker: 1, models };
    },
    onWorkerLost: (cb: (why: Error, left: number) => void) => lost.push(cb),
    batch: (items: { key: string }[], handlers: BatchHandlers) => {
      let finish = () => {};
      const done = new Promise((resolve) => (finish = () => resolve({ picked: 0, failed: 0, skipped: 0, seconds: 0 })));
      batches.push({ keys: items.map((it) => it.key), finish, handlers });
      return { cancel: finish, done };
    },
  },
}));
// The display side of a start (thumbnails, the view on screen) is not what this test is about.
vi.mock('./viewing', () => ({
  takeDeferredOpenings: () => [],
  queueThumbnail: () => {},
  showCurrent: async () => {},
  applyDescribed: () => {},
  storeHeatmap: () => {},
}));
const { restartEngine, startEngine } = await import('./engine-lifecycle');

const s = () => useWorkbench.getState();
const info = { width: 100, height: 100, frames: 1, displayScale: 1 };

describe('engine start', () => {
  beforeEach(() => {
    s().reset();
    batches.length = 0;
  });
  afterEach(() => {
    for (const b of batches) b.finish();
  });

  it('picks again the micrographs whose new parameters a restart cut short, and previews, not those never picked', async () => {
    // e was never picked, and picking on arrival is off: it waits for Pick all.
    s().set({ autoPick: false });
    s().addMicrograph('e', 'e.mrc');
    s().updateMic('e', { info, status: 'ready' });
    for (const k of ['a', 'b', 'c', 'd', 'f']) {
      s().addMicrograph(k, `${k}.mrc`);
      const params = s().micrographs.find((m) => m.key === k)!.params;
      s().updateMic(k, { info, status: 'picked', pickedWith: params, pickedBy: models, auto: [] });
    }
    s().setCurrent('a');
    // a (on screen) and b were given new thresholds whose picks the restart cancelled; c shows a preview; d is up to date.
    for (const k of ['a', 'b', 'f']) s().setParams(k, { threshold: 9 });
    s().updateMic('f', { repickStopped: true }); // f's re-pick was stopped by Cancel: it waits for Pick all
    s().updateMic('c', { preview: true });
    await startEngine('wasm');
    expect(s().engineReady).toBe(true);
    // One batch at a time: what waits is picked once the one running ends.
    for (let i = 0; i < 3; i++) {
      batches.at(-1)?.finish();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(batches.flatMap((b) => b.keys).sort()).toEqual(['a', 'b', 'c']);
  });

  it('says when a worker died and how many go on, and a restart clears it', async () => {
    await startEngine('wasm');
    expect(lost).toHaveLength(1); // listened to once, however often the engine starts
    await startEngine('wasm');
    expect(lost).toHaveLength(1);
    lost[0](new Error('the engine worker failed: out of memory'), 1);
    expect(s().workerLost).toBe('the engine worker failed: out of memory');
    expect(s().backendInfo?.workers).toBe(1);
    expect(s().backendError).toBeUndefined();
    expect(s().notices.at(-1)?.text).toMatch(
      /An engine worker stopped \(the engine worker failed: out of memory\); picking goes on in the other worker/,
    );
    lost[0](new Error('the engine worker failed: out of memory'), 0);
    expect(s().backendError).toMatch(/every engine worker stopped/);
    expect(s().notices.at(-1)?.text).toMatch(/Your picks are kept: restart the engine/);
    await restartEngine();
    expect(s().workerLost).toBeUndefined();
    expect(s().backendError).toBeUndefined();
  });
});
