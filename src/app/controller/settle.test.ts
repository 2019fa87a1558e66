import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PickParams } from '../../core/params';
import type { PickResult } from '../../../workers/engine-api';
import { useWorkbench } from '../store';

// The engine answers each pick only when the test says so.
const calls: { params: PickParams; resolve: (r: PickResult) => void }[] = [];
/** Micrographs whose file this browser does not hold (a session restored without it). */
const missing = new Set<string>();
vi.mock('../engine-bridge', () => ({
  engine: {
    isRegistered: (key: string) => !missing.has(key),
    pick: (_key: string, params: PickParams) => new Promise<PickResult>((resolve) => calls.push({ params, resolve })),
  },
}));
const { changeParams, pickMicrograph } = await import('./picking');
const { whenPicksSettle } = await import('./settle');

const s = () => useWorkbench.getState();
const result = (params: PickParams, unclassified = 0): PickResult => ({
  picks: [{ x: params.threshold, y: 0, peakHeight: 1, kept: true }],
  timings: {},
  detected: false,
  unclassified,
});

describe('whenPicksSettle', () => {
  beforeEach(async () => {
    vi.useFakeTimers();
    s().reset();
    calls.length = 0;
    missing.clear();
    for (const k of ['a', 'b']) {
      s().addMicrograph(k, `${k}.mrc`);
      const p = pickMicrograph(k);
      calls.at(-1)!.resolve(result(calls.at(-1)!.params));
      await p;
    }
  });
  afterEach(() => vi.useRealTimers());

  it('waits for the preview of a slider move and its exact pick, not for other micrographs', async () => {
    changeParams('a', { threshold: 7 });
    s().updateMic('b', { status: 'picking' });
    let settled: boolean | undefined;
    void whenPicksSettle(['a'], 10_000).then((r) => (settled = r));
    calls.at(-1)!.resolve(result(calls.at(-1)!.params, 3)); // the preview, candidates left unjudged
    await vi.advanceTimersByTimeAsync(100);
    expect(s().micrographs[0].preview).toBe(true);
    expect(settled).toBeUndefined();
    await vi.advanceTimersByTimeAsync(300); // the exact pick is asked for after a quiet
    expect(settled).toBeUndefined();
    calls.at(-1)!.resolve(result(calls.at(-1)!.params));
    await vi.advanceTimersByTimeAsync(100);
    expect(settled).toBe(true);
    expect(s().micrographs[0].auto.map((p) => p.x)).toEqual([7]);
  });

  it('gives up after its time, saying the picks still change', async () => {
    s().updateMic('b', { status: 'detecting' });
    const r = whenPicksSettle(['a', 'b'], 1000);
    await vi.advanceTimersByTimeAsync(1100);
    await expect(r).resolves.toBe(false);
    await expect(whenPicksSettle(['a'], 1000)).resolves.toBe(true);
  });

  it('does not wait for the exact pick of a preview whose file is not in this browser: it cannot come', async () => {
    s().set({ engineReady: true });
    s().updateMic('a', { preview: true, pickedWith: { ...s().micrographs[0].params, threshold: 1 } });
    const settles = async () => {
      let settled: boolean | undefined;
      void whenPicksSettle(['a'], 10_000).then((r) => (settled = r));
      await vi.advanceTimersByTimeAsync(500);
      return settled;
    };
    expect(await settles()).toBeUndefined(); // its file is here: the exact pick is to come
    missing.add('a');
    expect(await settles()).toBe(true);
  });
});
