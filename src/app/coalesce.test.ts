import { describe, expect, it } from 'vitest';
import { latestOnly } from './coalesce';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('latestOnly', () => {
  it('runs one at a time, skips superseded waiting requests and cancels the running one', async () => {
    const started: number[] = [];
    const cancelled: number[] = [];
    const pending = new Map<number, ReturnType<typeof deferred<string>>>();
    const runner = latestOnly<number, string>(
      (arg, seq) => {
        started.push(arg);
        const d = deferred<string>();
        pending.set(seq, d);
        return d.promise;
      },
      (seq) => cancelled.push(seq),
    );
    const r1 = runner.request(1);
    const r2 = runner.request(2);
    const r3 = runner.request(3);
    expect(started).toEqual([1]);
    expect(cancelled).toEqual([1, 1]);
    await expect(r2).resolves.toBeUndefined(); // replaced while waiting, never run
    pending.get(1)!.resolve('one');
    await expect(r1).resolves.toBeUndefined(); // stale result not delivered
    expect(started).toEqual([1, 3]);
    pending.get(3)!.resolve('three');
    await expect(r3).resolves.toBe('three');
    expect(runner.issued).toBe(3);
  });

  it('delivers errors of the latest request and swallows those of superseded ones', async () => {
    const runner = latestOnly<number, number>(async (n) => {
      if (n < 0) throw new Error(`bad ${n}`);
      return n * 2;
    });
    await expect(runner.request(-1)).rejects.toThrow('bad -1');
    await expect(runner.request(4)).resolves.toBe(8);
    const a = runner.request(-2);
    const b = runner.request(5);
    await expect(a).resolves.toBeUndefined();
    await expect(b).resolves.toBe(10);
  });
});
