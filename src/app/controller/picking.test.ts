import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { passesCutoff } from '../../core/calibrate';
import { PICK_PARAMETERS, type PickParams } from '../../core/params';
import type { PickResult } from '../../../workers/engine-api';
import type { BatchHandlers } from '../engine-bridge';
import { useWorkbench } from '../store';

// The engine answers each pick only when the test says so, as a busy worker pool would.
const calls: { params: PickParams; resolve: (r: PickResult) => void; reject: (e: unknown) => void }[] = [];
/** Background batches asked for: the keys of each; they finish when the test says so. */
const batches: { keys: string[]; finish: () => void; handlers: BatchHandlers }[] = [];
vi.mock('../engine-bridge', () => ({
  engine: {
    isRegistered: () => true,
    pick: (_key: string, params: PickParams) => new Promise<PickResult>((resolve, reject) => calls.push({ params, resolve, reject })),
    batch: (items: { key: string }[], handlers: BatchHandlers) => {
      let finish = () => {};
      const done = new Promise((resolve) => (finish = () => resolve({ picked: 0, failed: 0, skipped: 0, seconds: 0 })));
      batches.push({ keys: items.map((it) => it.key), finish, handlers });
      return { cancel: finish, done };
    },
  },
}));
const {
  cancelBatch,
  changeParams,
  ensurePicked,
  expectArrival,
  pickAll,
  pickArrived,
  pickMicrograph,
  repickCutShort,
  repickOtherModels,
  setParamForAll,
} = await import('./picking');
const { undo } = await import('./undo');

const s = () => useWorkbench.getState();
/** A result whose one pick says which threshold it was made with. */
const resultFor = (params: PickParams): PickResult => ({
  picks: [{ x: params.threshold, y: 0, peakHeight: 1, kept: true }],
  timings: {},
  detected: false,
  unclassified: 0,
});

describe('picking controller', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    s().reset();
    calls.length = 0;
    batches.length = 0;
  });
  afterEach(async () => {
    // Batches and picks left running would hold the picking controller's state into the next test.
    for (const b of batches) b.finish();
    for (const c of calls) c.reject(Object.assign(new Error('cancelled'), { name: 'CancelledError' }));
    await vi.advanceTimersByTimeAsync(0);
    vi.useRealTimers();
  });

  it('a cutoff set on all micrographs takes effect on the candidates they hold, without a worker; other settings are picked', async () => {
    const cutoff = PICK_PARAMETERS.cutoff.default;
    // Two classified candidates (p(particle) 0.9 and 0.4) and one an intensity screen dropped.
    const candidate = (p: number, screenedOut = false) => ({
      x: 100 * p,
      y: 0,
      peakHeight: 1,
      pParticle: p,
      pClassifier: p,
      kept: !screenedOut && passesCutoff(p, cutoff),
      screenedOut,
    });
    s().set({ engineReady: true, backendInfo: { backend: 'wasm', workers: 1, threadsPerWorker: 1 } });
    for (const k of ['k', 'j', 'new']) s().addMicrograph(k, `${k}.mrc`);
    for (const k of ['k', 'j']) {
      const params = s().micrographs.find((m) => m.key === k)!.params;
      s().updateMic(k, { status: 'picked', pickedWith: params, auto: [candidate(0.9), candidate(0.4), candidate(0.95, true)] });
    }
    expect(s().micrographs[0].auto.map((p) => p.kept)).toEqual([true, true, false]);
    // A batch is picking a micrograph never picked: the cutoff does not wait for it.
    pickAll();
    expect(batches.map((b) => b.keys)).toEqual([['new']]);
    for (const cutoff of [0.6, 0.5]) {
      setParamForAll('cutoff', cutoff); // two steps of a drag
      await vi.advanceTimersByTimeAsync(300);
    }
    expect(calls).toHaveLength(0);
    expect(batches).toHaveLength(1);
    for (const m of s().micrographs.filter((x) => x.key !== 'new')) {
      expect(m.auto.map((p) => p.kept)).toEqual([true, false, false]);
      expect(m.pickedWith).toEqual(m.params);
      expect(m.params.cutoff).toBe(0.5);
    }
    batches[0].finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(batches).toHaveLength(1); // nothing was left waiting for a worker
    // A peak threshold needs the detector's map: that goes to a worker.
    changeParams('k', { threshold: 10 });
    expect(calls.map((c) => c.params.threshold)).toEqual([10]);
  });

  it('a pick that finishes after an undo took its parameters back is dropped: the picks shown are of the restored ones', async () => {
    s().addMicrograph('k', 'a.mrc');
    const first = pickMicrograph('k');
    calls[0].resolve(resultFor(calls[0].params));
    await first;
    const original = s().micrographs[0].params;
    expect(s().micrographs[0].pickedWith).toEqual(original);

    changeParams('k', { threshold: 10 }); // a preview at once, the exact pick after a quiet
    await vi.advanceTimersByTimeAsync(300);
    expect(calls.map((c) => c.params.threshold)).toEqual([original.threshold, 10, 10]);
    s().updateMic('k', { status: 'detecting', progress: 0.5 }); // as its progress said
    undo(); // back to the original threshold while both picks at 10 still run
    expect(s().micrographs[0].params).toEqual(original);
    calls[1].resolve(resultFor(calls[1].params));
    calls[2].resolve(resultFor(calls[2].params));
    await vi.advanceTimersByTimeAsync(300);
    expect(calls).toHaveLength(3); // nothing to pick again
    const m = s().micrographs[0];
    expect(m.pickedWith).toEqual(m.params);
    expect(m.auto.map((p) => p.x)).toEqual([original.threshold]);
    expect(m.status).toBe('picked');
  });

  it('a pick that finishes after the parameters moved on is shown, and the micrograph picked again with the new ones', async () => {
    s().addMicrograph('k', 'a.mrc');
    const first = pickMicrograph('k');
    calls[0].resolve(resultFor(calls[0].params));
    await first;
    changeParams('k', { threshold: 10 });
    await vi.advanceTimersByTimeAsync(300);
    changeParams('k', { threshold: 12 }); // while the picks at 10 run
    for (const c of calls.slice(1)) if (c.params.threshold === 10) c.resolve(resultFor(c.params));
    await vi.advanceTimersByTimeAsync(0);
    expect(s().micrographs[0].auto.map((p) => p.x)).toEqual([10]); // shown while the pick at 12 runs
    await vi.advanceTimersByTimeAsync(300);
    const last = calls.at(-1)!;
    expect(last.params.threshold).toBe(12);
    last.resolve(resultFor(last.params));
    await vi.advanceTimersByTimeAsync(300);
    expect(s().micrographs[0].auto.map((p) => p.x)).toEqual([12]);
  });

  it('undo gives a reviewed micrograph back the picks that were checked, not a new pick by the models in use now', async () => {
    const shipped = { fcrn: 'shipped', classifier: 'shipped' };
    await pickTwoWith(shipped);
    s().updateMic('a', { reviewed: true });
    const checked = s().micrographs[0].auto;
    const original = s().micrographs[0].params;
    // A retrained detector kept (the reviewed micrograph keeps its picks), then a new diameter picks it again.
    s().set({ backendInfo: { ...s().backendInfo!, models: { fcrn: 'fcrn-1', classifier: 'shipped' } } });
    changeParams('a', { diameter: original.diameter + 8 });
    await vi.advanceTimersByTimeAsync(300);
    const repick = calls.at(-1)!;
    repick.resolve({ ...resultFor(repick.params), picks: [{ x: 99, y: 9, peakHeight: 1, kept: true }] });
    await vi.advanceTimersByTimeAsync(300);
    expect(s().micrographs[0].auto.map((p) => p.x)).toEqual([99]);
    const asked = calls.length;
    undo();
    await vi.advanceTimersByTimeAsync(300);
    const m = s().micrographs[0];
    expect(m.params).toEqual(original);
    expect(m.auto).toBe(checked);
    expect(m.pickedBy).toEqual(shipped);
    expect(calls).toHaveLength(asked); // nothing picked again
    // Redo brings back the pick at the new diameter, as it was.
    s().redo();
    expect(s().micrographs[0].auto.map((p) => p.x)).toEqual([99]);
    expect(s().micrographs[0].params.diameter).toBe(original.diameter + 8);
  });

  it('a pick that finishes after an undo is kept where the picks shown are by other models than those in use, and the micrograph picked again', async () => {
    await pickTwoWith({ fcrn: 'shipped', classifier: 'shipped' });
    const original = s().micrographs[1].params;
    s().set({ backendInfo: { ...s().backendInfo!, models: { fcrn: 'fcrn-1', classifier: 'shipped' } } });
    s().setCurrent('b');
    changeParams('b', { threshold: 7 });
    await vi.advanceTimersByTimeAsync(300);
    const running = calls.slice(-2);
    undo(); // back to the threshold its picks were made with, by the models no longer in use
    for (const c of running) c.resolve({ ...resultFor(c.params), models: { fcrn: 'fcrn-1', classifier: 'shipped' } });
    await vi.advanceTimersByTimeAsync(300);
    // Those picks were out of date anyway: the result is shown, and the restored parameters picked with the models in use.
    const again = calls.at(-1)!;
    expect(running).not.toContain(again);
    expect(again.params).toEqual(original);
  });

  it('a reviewed micrograph whose re-pick finishes after the undo keeps the picks that were checked', async () => {
    const shipped = { fcrn: 'shipped', classifier: 'shipped' };
    await pickTwoWith(shipped);
    s().updateMic('a', { reviewed: true });
    const checked = s().micrographs[0].auto;
    s().set({ backendInfo: { ...s().backendInfo!, models: { fcrn: 'fcrn-1', classifier: 'shipped' } } });
    changeParams('a', { diameter: s().micrographs[0].params.diameter + 8 });
    await vi.advanceTimersByTimeAsync(300);
    const asked = calls.length;
    s().updateMic('a', { status: 'detecting', progress: 0.2 }); // as its progress said
    undo(); // while the re-picks at the new diameter run
    // Its preview and exact pick both end now (a promise already settled is left as it was).
    for (const c of calls) c.resolve({ ...resultFor(c.params), picks: [{ x: 99, y: 9, peakHeight: 1, kept: true }] });
    await vi.advanceTimersByTimeAsync(300);
    expect(s().micrographs[0].auto).toBe(checked);
    expect(s().micrographs[0].status).toBe('picked');
    expect(calls).toHaveLength(asked); // nothing picked again
  });

  /** Micrographs a and b, picked by these models, the models the workers use. */
  async function pickTwoWith(models: { fcrn: string; classifier: string }, demo = false): Promise<void> {
    s().set({ engineReady: true, backendInfo: { backend: 'wasm', workers: 1, threadsPerWorker: 1, models } });
    for (const k of [...(demo ? ['demo'] : []), 'a', 'b']) {
      s().addMicrograph(k, `${k}.mrc`, k === 'demo');
      const picking = pickMicrograph(k);
      calls[calls.length - 1].resolve({ ...resultFor(calls[calls.length - 1].params), models });
      await picking;
    }
  }

  it('picks made by other models than those in use are not up to date: "Pick all" and a switch of model pick them again', async () => {
    const shipped = { fcrn: 'shipped', classifier: 'shipped' };
    const retrained = { fcrn: 'fcrn-1', classifier: 'shipped' };
    await pickTwoWith(retrained);
    expect(s().micrographs.map((m) => m.pickedBy)).toEqual([retrained, retrained]);
    pickAll();
    expect(batches).toHaveLength(0);
    expect(s().notices.at(-1)?.text).toMatch(/already picked/);

    // Back to the shipped detector (as after a reload, or a switch whose re-picks did not finish).
    s().set({ backendInfo: { ...s().backendInfo!, models: shipped } });
    pickAll();
    expect(batches.map((b) => b.keys.sort())).toEqual([['a', 'b']]);
    batches[0].finish();
    await vi.advanceTimersByTimeAsync(0);
    // A switch of model re-picks them without being asked.
    repickOtherModels();
    expect(batches.map((b) => b.keys.sort())).toEqual([
      ['a', 'b'],
      ['a', 'b'],
    ]);
  });

  it("a switch of model picks the user's micrographs again before the demo data", async () => {
    await pickTwoWith({ fcrn: 'shipped', classifier: 'shipped' }, true);
    s().set({ backendInfo: { ...s().backendInfo!, models: { fcrn: 'fcrn-1', classifier: 'shipped' } } });
    repickOtherModels();
    expect(batches.map((b) => b.keys)).toEqual([['a', 'b', 'demo']]);
  });

  it('a micrograph saved mid re-pick (its preview shown) is picked again when the engine starts; one whose batch was cancelled is not', async () => {
    const shipped = { fcrn: 'shipped', classifier: 'shipped' };
    await pickTwoWith(shipped);
    // A live preview at threshold 6 on 'a' (the engine left candidates unjudged), then the page goes (the exact pick never comes).
    changeParams('a', { threshold: 6 });
    calls.at(-1)!.resolve({ ...resultFor(calls.at(-1)!.params), unclassified: 3 });
    await vi.advanceTimersByTimeAsync(0);
    expect(s().micrographs[0].preview).toBe(true);
    // 'b' got new parameters by a change of many whose background pick was cancelled: no preview, it waits for "Pick all".
    s().updateMic('b', { params: { ...s().micrographs[1].params, threshold: 8 } });
    repickCutShort();
    expect(batches.map((b) => b.keys)).toEqual([['a']]);
    // The exact pick clears the mark.
    batches[0].finish();
    const exact = pickMicrograph('a');
    calls.at(-1)!.resolve(resultFor(calls.at(-1)!.params));
    await exact;
    expect(s().micrographs[0].preview).toBeUndefined();
  });

  it('"Pick all" leaves out the demo data once the user has micrographs of their own', async () => {
    s().set({ engineReady: true });
    s().addMicrograph('demo', 'demo.mrc', true);
    pickAll();
    expect(batches.map((b) => b.keys)).toEqual([['demo']]);
    batches[0].finish();
    await vi.advanceTimersByTimeAsync(0);
    s().addMicrograph('own', 'own.mrc');
    pickAll();
    expect(batches.at(-1)?.keys).toEqual(['own']);
  });

  it('Cancel stops what was waiting, but what is asked for while the batch stops is picked', async () => {
    const shipped = { fcrn: 'shipped', classifier: 'shipped' };
    await pickTwoWith(shipped);
    s().addMicrograph('c', 'c.mrc');
    for (const k of ['a', 'b']) s().updateMic(k, { params: { ...s().micrographs.find((m) => m.key === k)!.params, threshold: 8 } });
    ensurePicked(['a']);
    ensurePicked(['c']); // waits behind the running batch
    expect(batches.map((b) => b.keys)).toEqual([['a']]);
    cancelBatch();
    ensurePicked(['b']); // asked for before the stopped batch has ended
    await vi.advanceTimersByTimeAsync(0);
    expect(batches.map((b) => b.keys)).toEqual([['a'], ['b']]);
    expect(s().batch?.cancelling).toBeFalsy();
  });

  it('a pick that ends cancelled, the last asked for, leaves its micrograph as it was, not "picking"', async () => {
    await pickTwoWith({ fcrn: 'shipped', classifier: 'shipped' });
    changeParams('a', { threshold: 9 });
    s().updateMic('a', { status: 'detecting', progress: 0 }); // as its progress said
    calls.at(-1)!.reject(Object.assign(new Error('cancelled'), { name: 'CancelledError' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(s().micrographs[0]).toMatchObject({ status: 'picked', progress: undefined });
  });

  it('a cancelled pick of a micrograph a running batch has finished with leaves it as it was', async () => {
    await pickTwoWith({ fcrn: 'shipped', classifier: 'shipped' });
    for (const k of ['a', 'b']) s().updateMic(k, { params: { ...s().micrographs.find((m) => m.key === k)!.params, threshold: 8 } });
    ensurePicked(['a', 'b']);
    const batch = batches.at(-1)!;
    batch.handlers.onDone('a', resultFor(s().micrographs[0].params)); // 'b' still to come
    changeParams('a', { minDistance: 0.7 }); // on screen, while the batch goes on
    s().updateMic('a', { status: 'detecting', progress: 0 });
    calls.at(-1)!.reject(Object.assign(new Error('cancelled'), { name: 'CancelledError' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(s().micrographs[0].status).toBe('picked');
  });

  it('an undo just after a preview came still asks for the exact pick', async () => {
    await pickTwoWith({ fcrn: 'shipped', classifier: 'shipped' });
    const original = s().micrographs[0].params;
    changeParams('a', { threshold: 7 });
    calls.at(-1)!.resolve({ ...resultFor(calls.at(-1)!.params), unclassified: 3 });
    await vi.advanceTimersByTimeAsync(0);
    expect(s().micrographs[0].preview).toBe(true);
    undo(); // back where it was picked: the preview shown is of 7
    expect(s().micrographs[0].params).toEqual(original);
    await vi.advanceTimersByTimeAsync(300);
    const last = calls.at(-1)!;
    expect(last.params).toEqual(original);
    last.resolve(resultFor(last.params));
    await vi.advanceTimersByTimeAsync(0);
    expect(s().micrographs[0].preview).toBeUndefined();
    expect(s().micrographs[0].auto.map((p) => p.x)).toEqual([original.threshold]);
  });

  it('a micrograph marked reviewed keeps its picks when the models change', async () => {
    const shipped = { fcrn: 'shipped', classifier: 'shipped' };
    const retrained = { fcrn: 'fcrn-1', classifier: 'shipped' };
    await pickTwoWith(shipped);
    s().updateMic('a', { reviewed: true });
    // A retrained detector kept: only the micrograph not reviewed is picked again, by the switch or by "Pick all".
    s().set({ backendInfo: { ...s().backendInfo!, models: retrained } });
    repickOtherModels();
    expect(batches.map((b) => b.keys)).toEqual([['b']]);
    batches[0].finish();
    await vi.advanceTimersByTimeAsync(0);
    pickAll();
    expect(batches.map((b) => b.keys)).toEqual([['b'], ['b']]);
    // A change of its own parameters still picks it again.
    changeParams('a', { threshold: 6 });
    await vi.advanceTimersByTimeAsync(300);
    expect(calls.at(-1)?.params.threshold).toBe(6);
  });

  it('a drop of files counts them all in the progress at once, and Cancel stops picking those still being opened', async () => {
    s().set({ engineReady: true, backendInfo: { backend: 'wasm', workers: 1, threadsPerWorker: 1 } });
    const keys = ['a', 'b', 'c', 'd'];
    for (const k of keys) {
      s().addMicrograph(k, `${k}.mrc`);
      expectArrival(k);
    }
    expect(s().batch).toMatchObject({ done: 0, total: 4 });
    const open = (k: string) => s().updateMic(k, { status: 'ready', info: { width: 64, height: 64, frames: 1, displayScale: 1 } });
    open('a');
    pickArrived('a');
    expect(batches.map((b) => b.keys)).toEqual([['a']]);
    expect(s().batch).toMatchObject({ done: 0, total: 4 });
    open('b');
    pickArrived('b'); // waits for the running batch
    expect(s().batch).toMatchObject({ done: 0, total: 4 });

    cancelBatch();
    expect(s().batch?.cancelling).toBe(true);
    open('c');
    pickArrived('c');
    batches[0].finish();
    await vi.advanceTimersByTimeAsync(0);
    open('d');
    pickArrived('d');
    await vi.advanceTimersByTimeAsync(0);
    // No new batch started for what was opened after Cancel, and the progress bar is gone.
    expect(batches).toHaveLength(1);
    expect(s().batch).toBeUndefined();
    expect(s().micrographs.map((m) => m.status)).toEqual(['ready', 'ready', 'ready', 'ready']);
    // "Pick all" picks the rest.
    pickAll();
    expect(batches[1].keys.sort()).toEqual(keys);
  });

  it('Cancel marks the re-picks it stops, so a reload does not start them again; asking again clears the mark', async () => {
    s().set({ engineReady: true, backendInfo: { backend: 'wasm', workers: 1, threadsPerWorker: 1 } });
    for (const k of ['a', 'b']) s().addMicrograph(k, `${k}.mrc`);
    for (const k of ['a', 'b']) {
      const params = s().micrographs.find((m) => m.key === k)!.params;
      s().updateMic(k, { status: 'picked', pickedWith: params, auto: [] });
      s().setParams(k, { threshold: 9 });
    }
    ensurePicked(['a', 'b']);
    expect(batches.map((b) => b.keys)).toEqual([['a', 'b']]);
    cancelBatch();
    expect(s().micrographs.map((m) => m.repickStopped)).toEqual([true, true]);
    batches[0].finish();
    await vi.advanceTimersByTimeAsync(0);
    ensurePicked(['a']);
    expect(s().micrographs.map((m) => m.repickStopped)).toEqual([undefined, true]);
  });

  it('a cutoff set on all after Cancel is taken on the picks a stopped micrograph holds; its stopped change still waits', async () => {
    s().set({ engineReady: true, backendInfo: { backend: 'wasm', workers: 1, threadsPerWorker: 1 } });
    for (const k of ['a', 'b']) s().addMicrograph(k, `${k}.mrc`);
    const cutoff = PICK_PARAMETERS.cutoff.default;
    const held = [0.9, 0.4].map((p) => ({
      x: 100 * p,
      y: 0,
      peakHeight: 1,
      pParticle: p,
      pClassifier: p,
      kept: passesCutoff(p, cutoff),
      screenedOut: false,
    }));
    const made = s().micrographs[1].params;
    s().updateMic('b', { status: 'picked', pickedWith: made, auto: held });
    s().setParams('b', { threshold: 9 });
    s().updateMic('b', { repickStopped: true }); // Cancel stopped its re-pick at threshold 9
    setParamForAll('cutoff', 0.5);
    await vi.advanceTimersByTimeAsync(300);
    expect(batches).toHaveLength(0);
    const b = s().micrographs[1];
    expect(b.auto.map((p) => p.kept)).toEqual([true, false]);
    expect(b.pickedWith).toEqual({ ...made, cutoff: 0.5 });
    expect(b).toMatchObject({ repickStopped: true, params: { threshold: 9, cutoff: 0.5 } });
  });

  it('with the diameter in Å, a file without a pixel size waits for one instead of being picked at a guessed size', async () => {
    s().set({ engineReady: true, backendInfo: { backend: 'wasm', workers: 1, threadsPerWorker: 1 }, diameter: { value: 180, unit: 'A' } });
    const info = (pixelSize?: number) => ({ width: 64, height: 64, frames: 1, displayScale: 1, ...(pixelSize ? { pixelSize } : {}) });
    for (const [k, px] of [
      ['png', undefined],
      ['mrc', 1.3],
    ] as const) {
      s().addMicrograph(k, `${k}.${k}`);
      expectArrival(k);
      s().updateMic(k, { status: 'ready', info: info(px) });
      pickArrived(k);
    }
    expect(batches.flatMap((b) => b.keys)).toEqual(['mrc']);
    batches[0].finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(s().batch).toBeUndefined(); // the progress bar does not wait for it
    s().updateMic('mrc', { status: 'picked', pickedWith: s().micrographs[1].params });
    // One not opened yet: its format gives no pixel size either, so Pick all does not open and pick it at a guessed size.
    s().addMicrograph('later', 'later.png');
    pickAll();
    expect(batches).toHaveLength(1);
    expect(s().notices.at(-1)?.text).toMatch(
      /^Every micrograph that can be picked is already picked .* 2 wait for a pixel size: enter the pixel size of files without one under the diameter/,
    );
    // A pixel size for such files: it is picked.
    s().set({ fallbackPixelSize: 2 });
    ensurePicked(['png', 'later']);
    expect(batches.at(-1)?.keys).toEqual(['png', 'later']);
  });
});
