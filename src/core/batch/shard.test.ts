import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ParameterError } from '../errors';
import { canonicalOrder, parseShard, selectShard, shardRange } from './shard';

const id = (s: string) => s;

describe('parseShard', () => {
  it('reads I/N with 0 <= I < N', () => {
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
    expect(parseShard(' 3 / 10 ')).toEqual({ index: 3, count: 10 });
  });

  it.each(['', '3', '1/0', '4/4', '5/4', '-1/4', '1.5/4', 'a/b', '1/2/3'])('rejects %j with a ParameterError', (text) => {
    expect(() => parseShard(text)).toThrow(ParameterError);
  });

  it('says how to number a SLURM array when the index is out of range', () => {
    expect(() => parseShard('4/4')).toThrow(/--array=0-3/);
  });
});

describe('selectShard', () => {
  it('sorts by code unit and removes duplicates', () => {
    expect(canonicalOrder(['b', 'a', 'B', 'a', 'c'], id)).toEqual(['B', 'a', 'b', 'c']);
  });

  it('N shards cover every item exactly once, whatever the input order, and differ in size by at most one', () => {
    const listAndPermutation = fc
      .array(fc.string({ maxLength: 6 }), { maxLength: 60 })
      .chain((items) => fc.tuple(fc.constant(items), fc.shuffledSubarray(items, { minLength: items.length })));
    fc.assert(
      fc.property(listAndPermutation, fc.integer({ min: 1, max: 12 }), ([items, permuted], count) => {
        // Each task may see the inputs in another order, with other duplicates.
        const inputsOf = (index: number) => (index % 2 ? permuted : [...items, ...permuted]);
        const parts = Array.from({ length: count }, (_, index) => selectShard(inputsOf(index), id, { index, count }));
        const all = parts.flat();
        expect(all).toEqual(canonicalOrder(items, id));
        expect(new Set(all).size).toBe(new Set(items).size);
        const sizes = parts.map((p) => p.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('gives empty shards when there are more shards than items', () => {
    expect(shardRange(2, { index: 0, count: 5 })).toEqual([0, 0]);
    const parts = Array.from({ length: 5 }, (_, index) => selectShard(['x', 'y'], id, { index, count: 5 }));
    expect(parts.flat().sort()).toEqual(['x', 'y']);
    expect(parts.filter((p) => p.length === 0).length).toBe(3);
  });
});
