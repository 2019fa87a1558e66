// Deterministic split of a dataset into N shards (cluster array tasks). Every task sees the
// same canonical list (sorted, duplicates removed) whatever order its inputs came in, and
// shard I takes one contiguous block of it, so the N tasks cover every item exactly once.
import { ParameterError } from '../errors';

export interface Shard {
  /** 0-based index of this task, 0 <= index < count. */
  index: number;
  count: number;
}

/** Parses "I/N" (e.g. "3/10", as `$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`). */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ParameterError(`shard '${text}' is not of the form I/N (e.g. 0/4)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new ParameterError(`shard '${text}': the number of shards N must be at least 1`);
  if (index >= count) {
    throw new ParameterError(
      `shard '${text}': the index I must be 0..${count - 1} (a SLURM array for ${count} tasks is --array=0-${count - 1})`,
    );
  }
  return { index, count };
}

/** Sorted (by code unit, not locale, so every machine agrees) and de-duplicated by key. */
export function canonicalOrder<T>(items: readonly T[], key: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) {
    const k = key(item);
    if (!byKey.has(k)) byKey.set(k, item);
  }
  return [...byKey.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => byKey.get(k)!);
}

/** [start, end) of shard `index` of `total` items: block sizes differ by at most one. */
export function shardRange(total: number, shard: Shard): [number, number] {
  return [Math.floor((shard.index * total) / shard.count), Math.floor(((shard.index + 1) * total) / shard.count)];
}

/** The items of one shard of the canonical list. */
export function selectShard<T>(items: readonly T[], key: (item: T) => string, shard?: Shard): T[] {
  const all = canonicalOrder(items, key);
  if (!shard) return all;
  const [start, end] = shardRange(all.length, shard);
  return all.slice(start, end);
}
