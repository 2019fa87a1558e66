import { describe, expect, it } from 'vitest';
import { BatchQueue } from './batch-queue';

describe('BatchQueue', () => {
  const items = ['a', 'b', 'c', 'd', 'e'].map((key) => ({ key }));
  it('a worker takes what it holds first, then what nobody holds, then anything', () => {
    const home: Record<string, number> = { b: 1, c: 0, d: 1 };
    const q = new BatchQueue(items);
    const homeOf = (k: string) => home[k];
    expect(q.take(0, homeOf)?.key).toBe('c');
    expect(q.take(0, homeOf)?.key).toBe('a');
    expect(q.take(0, homeOf)?.key).toBe('e');
    expect(q.take(0, homeOf)?.key).toBe('b'); // only worker 1's left
    expect(q.take(1, homeOf)?.key).toBe('d');
    expect(q.take(1, homeOf)).toBeUndefined();
    expect(q.remaining).toBe(0);
  });
  it('drain empties the queue and returns what was waiting', () => {
    const q = new BatchQueue(items);
    q.take(0, () => undefined);
    expect(q.drain().map((i) => i.key)).toEqual(['b', 'c', 'd', 'e']);
    expect(q.take(0, () => undefined)).toBeUndefined();
  });
});
