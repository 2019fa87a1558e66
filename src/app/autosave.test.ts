import { describe, expect, it, vi } from 'vitest';
import { createAutosave } from './autosave';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('createAutosave', () => {
  it('writes once after a burst of changes and reports pending until it is written', async () => {
    const states: boolean[] = [];
    let writes = 0;
    const a = createAutosave(
      async () => {
        writes++;
        await sleep(5);
      },
      20,
      { onError: () => {}, onPending: (p) => states.push(p) },
    );
    for (let i = 0; i < 5; i++) {
      a.schedule();
      await sleep(5);
    }
    expect(writes).toBe(0);
    expect(a.pending).toBe(true);
    await sleep(40);
    expect(writes).toBe(1);
    expect(states).toEqual([true, false]);
  });

  it('changes that never stop (a batch in progress) are still written, at most maxWait after the first', async () => {
    vi.useFakeTimers();
    try {
      let writes = 0;
      const a = createAutosave(
        async () => {
          writes++;
        },
        20,
        { onError: () => {} },
        50,
      );
      for (let i = 0; i < 30; i++) {
        a.schedule();
        await vi.advanceTimersByTimeAsync(5);
      }
      // 150 ms of changes 5 ms apart: the quiet time alone would not have written once; the limit writes every 50 ms.
      expect(writes).toBe(3);
      await vi.advanceTimersByTimeAsync(40);
      expect(a.pending).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('says everything is written when a later timer finds its change already written by a slow write', async () => {
    vi.useFakeTimers();
    try {
      let writes = 0;
      const a = createAutosave(() => new Promise<void>((r) => setTimeout(r, writes++ === 0 ? 100 : 5)), 20, { onError: () => {} }, 200);
      a.schedule(); // written from t = 20 to t = 120
      await vi.advanceTimersByTimeAsync(30);
      a.schedule(); // its run waits for the first write, then writes it (t = 120-125)
      await vi.advanceTimersByTimeAsync(80);
      a.schedule(); // t = 110: taken by that same write; its own timer finds nothing left at t = 130
      await vi.advanceTimersByTimeAsync(200);
      expect(writes).toBe(2);
      expect(a.pending).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a change during a write is written after it, never at the same time', async () => {
    let active = 0;
    let most = 0;
    let writes = 0;
    const a = createAutosave(
      async () => {
        active++;
        most = Math.max(most, active);
        await sleep(15);
        active--;
        writes++;
      },
      1,
      { onError: () => {} },
    );
    a.schedule();
    await sleep(5); // first write running
    a.schedule();
    await sleep(50);
    expect(writes).toBe(2);
    expect(most).toBe(1);
    expect(a.pending).toBe(false);
  });

  it('flush writes at once; errors go to the hook and the next change is still written', async () => {
    const errors: unknown[] = [];
    let fail = true;
    let writes = 0;
    const a = createAutosave(
      async () => {
        writes++;
        if (fail) throw new Error('quota');
      },
      1000,
      {
        onError: (e) => {
          errors.push(e);
        },
      },
    );
    a.schedule();
    await a.flush();
    expect(errors).toHaveLength(1);
    fail = false;
    a.schedule();
    await a.flush();
    expect(writes).toBe(2);
    await a.flush(); // nothing waiting: no write
    expect(writes).toBe(2);
  });

  it('a failed write the hook retries is written again after a back-off, with no further change', async () => {
    vi.useFakeTimers();
    try {
      const failures: number[] = [];
      let writes = 0;
      const a = createAutosave(
        async () => {
          if (++writes < 3) throw new Error('transaction aborted');
        },
        20,
        { onError: (_, n) => (failures.push(n), true) },
      );
      a.schedule();
      await vi.advanceTimersByTimeAsync(20);
      expect(writes).toBe(1);
      expect(a.pending).toBe(true);
      // Back-off 40 ms, then 80 ms: the third try writes it.
      await vi.advanceTimersByTimeAsync(40);
      expect(writes).toBe(2);
      await vi.advanceTimersByTimeAsync(80);
      expect(writes).toBe(3);
      expect(failures).toEqual([1, 2]);
      expect(a.pending).toBe(false);
      await vi.advanceTimersByTimeAsync(1000);
      expect(writes).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
