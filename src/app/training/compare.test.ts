// The before/after comparison of a retrained model: "before" is the model in use, also on a
// micrograph marked reviewed whose checked picks an earlier model made (a tester saw 155 -> 156
// where the detector in use gave 163), and the new model is only on trial.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PickParams } from '../../core/params';
import type { ActiveModels } from '../../../workers/training-api';
import { useWorkbench } from '../store';
import { useTraining } from './training-store';

let models: ActiveModels = { fcrn: 'shipped', classifier: 'shipped' };
const asidePicks: string[] = [];
/** Picks as many particles as the detector in use has letters in its name, on a row. */
const picksOf = (m: ActiveModels) =>
  Array.from({ length: m.fcrn.length }, (_, i) => ({ x: 20 + 40 * i, y: 50, score: 0.9, kept: true, peakHeight: 1 }));
vi.mock('../engine-bridge', () => ({
  engine: {
    isRegistered: () => true,
    broadcast: async (f: (api: { useModels: (m: ActiveModels) => unknown }) => unknown) =>
      f({
        useModels: (m) => {
          models = m;
        },
      }),
    pickAside: async (key: string, _params: PickParams) => {
      asidePicks.push(`${key}:${models.fcrn}`);
      return { picks: picksOf(models), timings: {}, detected: true, unclassified: 0 };
    },
    pick: () => new Promise(() => {}),
    batch: () => ({ cancel: () => {}, done: new Promise(() => {}) }),
  },
  modelBaseUrl: () => '',
}));
const { compareWith } = await import('./training-controller');

const s = () => useWorkbench.getState();
const inUse = { fcrn: 'fcrn-kept', classifier: 'shipped' };

describe('a retrained model compared before and after', () => {
  beforeEach(() => {
    s().reset();
    asidePicks.length = 0;
    models = inUse;
    useTraining.getState().set({ active: inUse, pending: undefined });
    s().set({ engineReady: true, backendInfo: { backend: 'wasm', workers: 1, threadsPerWorker: 1, models: inUse } });
  });

  it("counts 'before' with the model in use, also where a reviewed micrograph shows an earlier model's picks", async () => {
    const add = (key: string, pickedBy: ActiveModels) => {
      s().addMicrograph(key, `${key}.mrc`);
      const params = s().micrographs.find((m) => m.key === key)!.params;
      s().updateMic(key, {
        info: { width: 1000, height: 1000, frames: 1, displayScale: 1 },
        status: 'picked',
        pickedWith: params,
        pickedBy,
        auto: picksOf(pickedBy),
        reviewed: pickedBy !== inUse,
      });
    };
    add('older', { fcrn: 'shipped', classifier: 'shipped' }); // reviewed before the kept model came: 7 picks shown
    add('current', inUse); // picked by the model in use: 9 picks
    await compareWith('fcrn', 'fcrn-new', 'new detector', 'Trained.', new Set());
    const rows = useTraining.getState().pending!.rows;
    expect(rows.map((r) => [r.key, r.before.picks, r.after.picks])).toEqual([
      ['older', 9, 8],
      ['current', 9, 8],
    ]);
    // The reviewed one was picked aside with the model in use first, then both with the new one.
    expect(asidePicks).toEqual(['older:fcrn-kept', 'older:fcrn-new', 'current:fcrn-new']);
    expect(models).toEqual(inUse); // back to the models in use
  });
});
