import { describe, expect, it } from 'vitest';
import { Lane, PRIORITY } from './lane';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('Lane', () => {
  it('runs one task at a time, the most urgent waiting task next, equal urgency in arrival order', async () => {
    const lane = new Lane();
    const order: string[] = [];
    const first = deferred();
    const running = lane.run(PRIORITY.batch, async () => {
      order.push('batch-1');
      await first.promise;
    });
    const later = [
      lane.run(PRIORITY.background, async () => void order.push('thumb')),
      lane.run(PRIORITY.batch, async () => void order.push('batch-2')),
      lane.run(PRIORITY.interactive, async () => void order.push('view-1')),
      lane.run(PRIORITY.interactive, async () => void order.push('view-2')),
    ];
    expect(lane.load).toBe(5);
    await Promise.resolve();
    expect(order).toEqual(['batch-1']); // nothing overtakes the running task
    first.resolve();
    await Promise.all([running, ...later]);
    expect(order).toEqual(['batch-1', 'view-1', 'view-2', 'batch-2', 'thumb']);
    expect(lane.idle).toBe(true);
  });

  it('a failing task rejects its own promise and the lane goes on', async () => {
    const lane = new Lane();
    const bad = lane.run(0, async () => {
      throw new Error('boom');
    });
    const sync = lane.run(0, () => {
      throw new Error('sync boom');
    });
    const good = lane.run(0, async () => 42);
    await expect(bad).rejects.toThrow('boom');
    await expect(sync).rejects.toThrow('sync boom');
    await expect(good).resolves.toBe(42);
  });
});
