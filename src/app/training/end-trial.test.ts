// After a retrained model's before/after comparison the models in use come back, and what the
// model on trial picked for the app in the meantime is picked again with them, reviewed
// micrographs included (their exemption from re-picks is for the picks the user checked).
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PickParams } from '../../core/params';
import type { PickResult } from '../../../workers/engine-api';
import type { BatchHandlers } from '../engine-bridge';
import { useWorkbench } from '../store';

const picked: string[] = [];
const batched: string[][] = [];
const broadcasts: unknown[] = [];
vi.mock('../engine-bridge', () => ({
  engine: {
    isRegistered: () => true,
    broadcast: async (f: (api: { useModels: (m: unknown) => unknown }) => unknown) => f({ useModels: (m) => broadcasts.push(m) }),
    pick: (key: string, _params: PickParams) => {
      picked.push(key);
      return new Promise<PickResult>(() => {});
    },
    batch: (items: { key: string }[], _handlers: BatchHandlers) => {
      batched.push(items.map((it) => it.key));
      return { cancel: () => {}, done: new Promise(() => {}) };
    },
  },
  modelBaseUrl: () => '',
}));
const { endTrial } = await import('./training-controller');

const s = () => useWorkbench.getState();
const inUse = { fcrn: 'shipped', classifier: 'shipped' };
const trial = { fcrn: 'fcrn-7', classifier: 'shipped' };

describe('the end of a comparison', () => {
  beforeEach(() => {
    s().reset();
    picked.length = batched.length = broadcasts.length = 0;
    s().set({ engineReady: true, backendInfo: { backend: 'wasm', workers: 1, threadsPerWorker: 1, models: inUse } });
  });

  it('picks again, with the models in use, what the model on trial picked: reviewed micrographs too', async () => {
    const add = (key: string, reviewed: boolean, models: typeof inUse) => {
      s().addMicrograph(key, `${key}.mrc`);
      const params = s().micrographs.find((m) => m.key === key)!.params;
      s().updateMic(key, {
        info: { width: 100, height: 100, frames: 1, displayScale: 1 },
        status: 'picked',
        pickedWith: params,
        pickedBy: models,
        reviewed,
      });
    };
    add('reviewed-by-trial', true, trial);
    add('reviewed-checked', true, inUse);
    add('open-by-trial', false, trial);
    add('open-in-use', false, inUse);
    await endTrial('fcrn', trial.fcrn, inUse);
    expect(broadcasts).toEqual([inUse]);
    expect(picked).toEqual(['reviewed-by-trial']);
    expect(batched.flat()).toEqual(['open-by-trial']);
  });
});
