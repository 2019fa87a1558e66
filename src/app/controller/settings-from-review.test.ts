import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Counts } from '../../core/metrics';
import { DEFAULT_PICK_PARAMS } from '../../core/params';
import { gridCombinations } from '../../core/tuning';
import { useWorkbench } from '../store';

// Every reviewed micrograph's grid counts: the first grid setting reproduces its picks best.
const counted: string[] = [];
const counts: Counts[] = [{}, ...gridCombinations()].map((_, j) => (j === 1 ? { tp: 10, fp: 0, fn: 0 } : { tp: 1, fp: 5, fn: 9 }));
vi.mock('../engine-bridge', () => ({
  engine: {
    isRegistered: () => true,
    onMicrograph: (key: string) => {
      counted.push(key);
      return { promise: Promise.resolve(counts), cancel: () => undefined };
    },
    pick: () => new Promise(() => undefined),
  },
}));
const { reviewedMicrographs, settingsFromReview } = await import('./settings-from-review');

const s = () => useWorkbench.getState();

function add(key: string, demo: boolean, reviewed: boolean): void {
  s().addMicrograph(key, `${key}.mrc`, demo);
  s().updateMic(key, { status: 'picked', pickedWith: DEFAULT_PICK_PARAMS, reviewed });
}

describe('"Learn from reviewed"', () => {
  beforeEach(() => {
    s().reset();
    counted.length = 0;
  });

  it('learns from and sets on the user’s own micrographs only, never the demo data beside them', async () => {
    add('d1', true, true);
    add('d2', true, false);
    add('k1', false, true);
    add('k2', false, false);
    expect(reviewedMicrographs(s().micrographs).map((m) => m.key)).toEqual(['k1']);
    await settingsFromReview();
    expect(counted).toEqual(['k1']);
    const threshold = (key: string) => s().micrographs.find((m) => m.key === key)!.params.threshold;
    expect(threshold('k2')).toBe(gridCombinations()[0].threshold);
    expect(threshold('d2')).toBe(DEFAULT_PICK_PARAMS.threshold);
    expect(s().notices.at(-1)?.text).toContain('Set on the 1 micrograph not reviewed');
  });

  it('in a session of demos only, learns from and sets on the demos', async () => {
    add('d1', true, true);
    add('d2', true, false);
    await settingsFromReview();
    expect(counted).toEqual(['d1']);
    expect(s().notices.at(-1)?.text).toContain('Set on the 1 micrograph not reviewed');
  });
});
