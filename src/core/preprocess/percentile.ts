// Percentiles of large float arrays, EXACT at any size: small arrays are sorted; large ones
// are histogrammed (65,536 bins over [min, max]), the bins holding the wanted ranks are
// collected in one more pass and the rank is selected inside them (recursively if a bin is
// still large). Two passes over a 4096x4096 image instead of a 16M-element sort.
// Definition: linear interpolation between order statistics at rank p/100 * (n - 1)
// (numpy's default 'linear'; MATLAB prctile differs by under one rank). NaN and +-Infinity
// are ignored.
import { ParameterError } from '../errors';

const SORT_LIMIT = 1 << 15;
const BINS = 1 << 16;

function checkPercent(p: number): void {
  if (!(p >= 0 && p <= 100)) throw new ParameterError(`a percentile must be between 0 and 100, got ${p}`);
}

/** Copy of the finite values. */
function finiteValues(data: ArrayLike<number>): Float32Array {
  const out = new Float32Array(data.length);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v === 0) out[n++] = v; // false for NaN and +-Infinity
  }
  return n === out.length ? out : out.slice(0, n);
}

/**
 * The k-th smallest (0-based) finite value of `data`, whose finite values lie in [lo, hi]
 * and number n.
 */
function selectRanks(data: ArrayLike<number>, n: number, lo: number, hi: number, ranks: number[]): number[] {
  if (n <= SORT_LIMIT || lo === hi) {
    if (lo === hi) return ranks.map(() => lo);
    const v = finiteValues(data).sort();
    return ranks.map((k) => v[k]);
  }
  const scale = BINS / (hi - lo);
  const counts = new Uint32Array(BINS);
  const len = data.length;
  for (let i = 0; i < len; i++) {
    const v = data[i];
    if (!(v - v === 0)) continue;
    let b = ((v - lo) * scale) | 0;
    if (b >= BINS) b = BINS - 1;
    counts[b]++;
  }
  // For each rank: its bin and its rank inside the bin.
  const order = ranks.map((k, i) => ({ k, i })).sort((a, b) => a.k - b.k);
  const binOf = new Array<number>(ranks.length);
  const within = new Array<number>(ranks.length);
  let b = 0;
  let before = 0;
  for (const { k, i } of order) {
    while (before + counts[b] <= k) before += counts[b++];
    binOf[i] = b;
    within[i] = k - before;
  }
  // One pass collects every needed bin.
  const slot = new Int32Array(BINS).fill(-1);
  const bins: number[] = [];
  for (const bb of binOf) if (slot[bb] < 0) slot[bb] = bins.push(bb) - 1;
  const buckets = bins.map((bb) => new Float32Array(counts[bb]));
  const fill = new Int32Array(bins.length);
  for (let i = 0; i < len; i++) {
    const v = data[i];
    if (!(v - v === 0)) continue;
    let bb = ((v - lo) * scale) | 0;
    if (bb >= BINS) bb = BINS - 1;
    const s = slot[bb];
    if (s >= 0) buckets[s][fill[s]++] = v;
  }
  return ranks.map((_, i) => {
    const bucket = buckets[slot[binOf[i]]];
    let bmin = Infinity;
    let bmax = -Infinity;
    for (let j = 0; j < bucket.length; j++) {
      const v = bucket[j];
      if (v < bmin) bmin = v;
      if (v > bmax) bmax = v;
    }
    return selectRanks(bucket, bucket.length, bmin, bmax, [within[i]])[0];
  });
}

/** Several percentiles (each 0..100) of the finite values of `data`, exact. */
export function percentiles(data: ArrayLike<number>, ps: readonly number[]): number[] {
  ps.forEach(checkPercent);
  let n = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(v - v === 0)) continue;
    n++;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (n === 0) throw new ParameterError('no pixel holds a number (every one is NaN or infinite)');
  const positions = ps.map((p) => (p / 100) * (n - 1));
  const ranks: number[] = [];
  for (const pos of positions) ranks.push(Math.floor(pos), Math.min(n - 1, Math.floor(pos) + 1));
  const values = selectRanks(data, n, lo, hi, ranks);
  return positions.map((pos, i) => {
    const a = values[2 * i];
    const b = values[2 * i + 1];
    const t = pos - Math.floor(pos);
    return t === 0 ? a : a + t * (b - a);
  });
}

export function percentile(data: ArrayLike<number>, p: number): number {
  return percentiles(data, [p])[0];
}
