import { describe, expect, it } from 'vitest';
import { evictions, leastLoaded, MAX_WORKERS, planPool, sessionBytes, workerBudget } from './pool-plan';

describe('planPool', () => {
  it('WebGPU is one queue whatever the cores or the request', () => {
    expect(planPool('webgpu', 16, 4)).toEqual({ workers: 1, threadsPerWorker: 16 });
  });
  it('WASM: one worker per core by default, capped; cores shared out as threads', () => {
    expect(planPool('wasm', 2)).toEqual({ workers: 2, threadsPerWorker: 1 });
    expect(planPool('auto', 32)).toEqual({ workers: MAX_WORKERS, threadsPerWorker: 4 });
    expect(planPool('wasm', 8, 1)).toEqual({ workers: 1, threadsPerWorker: 8 });
    expect(planPool('wasm', 8, 3)).toEqual({ workers: 3, threadsPerWorker: 2 });
    expect(planPool('cpu', undefined)).toEqual({ workers: 1, threadsPerWorker: 1 });
    expect(planPool('wasm', 4, 0)).toEqual({ workers: 4, threadsPerWorker: 1 }); // nonsense request: default
    expect(planPool('wasm', 2, 6)).toEqual({ workers: 6, threadsPerWorker: 1 }); // asked for more than cores: allowed
  });
});

describe('memory budget and eviction', () => {
  it('budget is shared by the workers and never below one large micrograph', () => {
    expect(workerBudget(8, 2)).toBe(2 ** 30);
    expect(workerBudget(undefined, 1)).toBe(2 ** 30);
    expect(workerBudget(1, 8)).toBe(sessionBytes(7676, 7420));
  });
  it('lets go of least recently used, unpinned micrographs until the rest fit', () => {
    const held = [
      { key: 'a', bytes: 40 },
      { key: 'b', bytes: 40 },
      { key: 'c', bytes: 40 },
      { key: 'd', bytes: 40 },
    ];
    expect(evictions(held, 200, new Set())).toEqual([]);
    expect(evictions(held, 100, new Set())).toEqual(['a', 'b']);
    expect(evictions(held, 100, new Set(['a']))).toEqual(['b', 'c']);
    expect(evictions(held, 10, new Set(['a', 'b', 'c', 'd']))).toEqual([]);
  });
  it('a new micrograph goes to the least busy worker, then the one holding least', () => {
    expect(
      leastLoaded([
        { load: 2, bytes: 0 },
        { load: 1, bytes: 900 },
        { load: 1, bytes: 100 },
      ]),
    ).toBe(2);
    expect(
      leastLoaded([
        { load: 0, bytes: 5 },
        { load: 0, bytes: 5 },
      ]),
    ).toBe(0);
  });
});
