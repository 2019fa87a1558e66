import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createTripwire } from './tripwire';

// A garbage collection on demand (Node exposes gc() once the flag is set).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('tripwire', () => {
  it('passes a call through, and rejects the ones still waiting, and later ones, once tripped', async () => {
    const wire = createTripwire();
    await expect(wire.guard(Promise.resolve(7))).resolves.toBe(7);
    await expect(wire.guard(Promise.reject(new Error('no such file')))).rejects.toThrow('no such file');
    const waiting = wire.guard(new Promise(() => {}));
    wire.trip(new Error('worker stopped'));
    await expect(waiting).rejects.toThrow('worker stopped');
    await expect(wire.guard(Promise.resolve(1))).rejects.toThrow('worker stopped');
  });

  it('keeps no result of a settled call alive while the wire lives', async () => {
    const wire = createTripwire();
    const refs: WeakRef<object>[] = [];
    // In a function of its own, so that no local of the test holds a result.
    const run = async (): Promise<void> => {
      for (let i = 0; i < 20; i++) {
        const result = { data: new Float32Array(1 << 16) };
        refs.push(new WeakRef(result));
        await wire.guard(Promise.resolve(result));
      }
    };
    await run();
    await new Promise((r) => setTimeout(r, 0));
    gc();
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
  });
});
