// Pick quality against ground truth (docs/method.md, "Evaluation"): a pick is a true positive
// when it lies within `radius` of a ground-truth centre that no other pick has claimed
// (one-to-one). matchPicks finds the largest such matching (Hopcroft-Karp on the graph of
// pick-truth pairs closer than the radius), so a crowded field is never scored lower than
// it deserves because of the order picks were visited in. The precision-recall sweep ranks
// picks by score and matches greedily in that order, as object-detection benchmarks do
// (PASCAL VOC / COCO), so each point is the result of keeping the picks above a threshold.
import type { Particle } from './coords/types';

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export interface Scores extends Counts {
  recall: number;
  precision: number;
  f1: number;
}

export interface MatchResult extends Scores {
  /** Matched pairs as [pick index, truth index]. */
  pairs: [number, number][];
}

type Point = Particle | { x: number; y: number };

/** Recall, precision and F1 from counts; 0 where a ratio has nothing to count. */
export function scoresFromCounts({ tp, fp, fn }: Counts): Scores {
  const recall = tp + fn ? tp / (tp + fn) : 0;
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const f1 = recall + precision ? (2 * recall * precision) / (recall + precision) : 0;
  return { tp, fp, fn, recall, precision, f1 };
}

/** Pooled (micro-averaged) scores over micrographs: counts add, then ratios are taken. */
export function aggregate(results: readonly Counts[]): MatchResult {
  const sum = results.reduce((a, r) => ({ tp: a.tp + r.tp, fp: a.fp + r.fp, fn: a.fn + r.fn }), { tp: 0, fp: 0, fn: 0 });
  return { ...scoresFromCounts(sum), pairs: [] };
}

/** For each pick, the truth indices within `radius`, nearest first (grid of radius-sized cells). */
function neighbours(picks: readonly Point[], truth: readonly Point[], radius: number): number[][] {
  const cell = radius > 0 ? radius : 1;
  const grid = new Map<string, number[]>();
  truth.forEach((t, j) => {
    const k = `${Math.floor(t.x / cell)},${Math.floor(t.y / cell)}`;
    const list = grid.get(k);
    if (list) list.push(j);
    else grid.set(k, [j]);
  });
  const r2 = radius * radius;
  return picks.map((p) => {
    const cx = Math.floor(p.x / cell);
    const cy = Math.floor(p.y / cell);
    const near: [number, number][] = [];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (const j of grid.get(`${cx + dx},${cy + dy}`) ?? []) {
          const d2 = (truth[j].x - p.x) ** 2 + (truth[j].y - p.y) ** 2;
          if (d2 <= r2) near.push([d2, j]);
        }
      }
    }
    return near.sort((a, b) => a[0] - b[0]).map(([, j]) => j);
  });
}

/** Maximum bipartite matching (Hopcroft-Karp); returns the truth index matched to each pick, or -1. */
function maximumMatching(adj: readonly number[][], nTruth: number): Int32Array {
  const nPick = adj.length;
  const pickTo = new Int32Array(nPick).fill(-1);
  const truthTo = new Int32Array(nTruth).fill(-1);
  const dist = new Int32Array(nPick);
  const INF = 0x7fffffff;
  const bfs = (): boolean => {
    const queue: number[] = [];
    for (let u = 0; u < nPick; u++) {
      dist[u] = pickTo[u] < 0 ? 0 : INF;
      if (pickTo[u] < 0) queue.push(u);
    }
    let found = false;
    for (let qi = 0; qi < queue.length; qi++) {
      const u = queue[qi];
      for (const v of adj[u]) {
        const w = truthTo[v];
        if (w < 0) found = true;
        else if (dist[w] === INF) {
          dist[w] = dist[u] + 1;
          queue.push(w);
        }
      }
    }
    return found;
  };
  // Iterative DFS along layered augmenting paths (no recursion: thousands of picks per image).
  const augment = (root: number): boolean => {
    const stack: number[] = [root];
    const edge: number[] = [0];
    while (stack.length) {
      const u = stack[stack.length - 1];
      const e = edge[edge.length - 1];
      if (e >= adj[u].length) {
        dist[u] = INF;
        stack.pop();
        edge.pop();
        continue;
      }
      edge[edge.length - 1] = e + 1;
      const v = adj[u][e];
      const w = truthTo[v];
      if (w < 0) {
        // Flip the path: every pick on the stack takes the truth it was exploring.
        for (let i = stack.length - 1; i >= 0; i--) {
          const pu = stack[i];
          const pv = adj[pu][edge[i] - 1];
          pickTo[pu] = pv;
          truthTo[pv] = pu;
        }
        return true;
      }
      if (dist[w] === dist[u] + 1) {
        stack.push(w);
        edge.push(0);
      }
    }
    return false;
  };
  while (bfs()) {
    for (let u = 0; u < nPick; u++) if (pickTo[u] < 0) augment(u);
  }
  return pickTo;
}

/** The matching radius every score uses: half the particle diameter (a pick inside the particle counts). */
export function matchingRadius(diameter: number): number {
  return diameter / 2;
}

/** One-to-one matching of picks to truth within `radius` (original pixels), and the scores. */
export function matchPicks(picks: readonly Point[], truth: readonly Point[], radius: number): MatchResult {
  if (!(radius > 0)) throw new RangeError(`matching radius must be positive, got ${radius}`);
  const pickTo = maximumMatching(neighbours(picks, truth, radius), truth.length);
  const pairs: [number, number][] = [];
  pickTo.forEach((j, i) => {
    if (j >= 0) pairs.push([i, j]);
  });
  const tp = pairs.length;
  return { ...scoresFromCounts({ tp, fp: picks.length - tp, fn: truth.length - tp }), pairs };
}

export interface PrPoint {
  /** Picks with score >= threshold are kept at this point. */
  threshold: number;
  tp: number;
  fp: number;
  recall: number;
  precision: number;
}

/**
 * Precision and recall as the score threshold is lowered: picks are ranked by score (missing
 * scores rank last) and each takes its nearest unclaimed truth centre within `radius`. One
 * point per distinct score, highest threshold first.
 */
export function precisionRecallCurve(picks: readonly Particle[], truth: readonly Point[], radius: number): PrPoint[] {
  if (!(radius > 0)) throw new RangeError(`matching radius must be positive, got ${radius}`);
  // A missing or NaN score ranks last; a plain difference would give NaN (an inconsistent sort) for NaN or two infinities.
  const scoreOf = (i: number): number => {
    const s = picks[i].score;
    return s === undefined || Number.isNaN(s) ? -Infinity : s;
  };
  const order = picks.map((_, i) => i).sort((a, b) => (scoreOf(a) === scoreOf(b) ? a - b : scoreOf(a) > scoreOf(b) ? -1 : 1));
  const near = neighbours(picks, truth, radius);
  const claimed = new Uint8Array(truth.length);
  const points: PrPoint[] = [];
  let tp = 0;
  let fp = 0;
  order.forEach((i, rank) => {
    const j = near[i].find((t) => !claimed[t]);
    if (j === undefined) fp++;
    else {
      claimed[j] = 1;
      tp++;
    }
    const score = scoreOf(i);
    const next = order[rank + 1];
    // Picks with equal scores stand or fall together: one point after the last of them.
    if (next === undefined || scoreOf(next) !== score) {
      points.push({ threshold: score, tp, fp, recall: truth.length ? tp / truth.length : 0, precision: tp / (tp + fp) });
    }
  });
  return points;
}

/**
 * Area under the precision-recall curve with precision made monotone (each point takes the
 * best precision at any higher recall), summed over recall steps: PASCAL VOC's all-point AP.
 */
export function averagePrecision(curve: readonly PrPoint[]): number {
  let ap = 0;
  let best = 0;
  for (let i = curve.length - 1; i >= 0; i--) {
    best = Math.max(best, curve[i].precision);
    const prevRecall = i > 0 ? curve[i - 1].recall : 0;
    ap += (curve[i].recall - prevRecall) * best;
  }
  return ap;
}

/**
 * matchPicks restricted to a region of interest, with what lies outside it neither rewarded nor
 * punished: truth outside the region is left out, and so is a pick that lies outside or that
 * matches such truth. Used to score over the particles lying wholly inside a micrograph, where a
 * pick of a particle cut by the edge is neither right nor wrong.
 */
export function matchInRegion(picks: readonly Point[], truth: readonly Point[], radius: number, inside: (p: Point) => boolean): Scores {
  const m = matchPicks(picks, truth, radius);
  const matchedTo = new Map(m.pairs.map(([i, j]) => [i, j]));
  let tp = 0;
  let fp = 0;
  picks.forEach((p, i) => {
    const j = matchedTo.get(i);
    if (j === undefined) {
      if (inside(p)) fp++;
    } else if (inside(truth[j])) tp++;
  });
  const fn = truth.filter(inside).length - tp;
  return scoresFromCounts({ tp, fp, fn });
}
