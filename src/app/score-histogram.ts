// The score histogram of the review panel (like cryoSPARC's Inspect Picks): the classifier's
// p(particle) of every candidate of every picked micrograph, in bins, split into the ones the
// engine kept and the ones it dropped. The engine keeps a candidate when p(background) is
// below the cutoff, that is p(particle) above 1 - cutoff: the line drawn on the histogram.

export interface ScoredCandidate {
  pParticle?: number;
  kept: boolean;
}

export interface ScoreBin {
  lo: number;
  hi: number;
  kept: number;
  dropped: number;
}

export interface ScoreHistogram {
  bins: ScoreBin[];
  /** Candidates with a classifier score. */
  scored: number;
  /** The fullest bin (kept + dropped). */
  peak: number;
}

export function scoreHistogram(lists: readonly (readonly ScoredCandidate[])[], binCount = 40): ScoreHistogram {
  const bins: ScoreBin[] = Array.from({ length: binCount }, (_, i) => ({ lo: i / binCount, hi: (i + 1) / binCount, kept: 0, dropped: 0 }));
  let scored = 0;
  for (const list of lists) {
    for (const c of list) {
      if (c.pParticle === undefined || !Number.isFinite(c.pParticle)) continue;
      const i = Math.min(binCount - 1, Math.max(0, Math.floor(c.pParticle * binCount)));
      if (c.kept) bins[i].kept++;
      else bins[i].dropped++;
      scored++;
    }
  }
  return { bins, scored, peak: Math.max(0, ...bins.map((b) => b.kept + b.dropped)) };
}

/** The p(particle) where the line for a classifier cutoff stands. */
export function lineForCutoff(cutoff: number): number {
  return 1 - cutoff;
}

/** The cutoff for a line at p(particle) = x, on the cutoff's step, inside 0..1. */
export function cutoffForLine(x: number, step: number): number {
  const c = Math.min(1, Math.max(0, 1 - x));
  return Math.round(Math.round(c / step) * step * 1e6) / 1e6;
}

/** Candidates whose p(particle) lies above the line (what a cutoff there would keep, screens aside). */
export function countAbove(lists: readonly (readonly ScoredCandidate[])[], line: number): number {
  let n = 0;
  for (const list of lists) for (const c of list) if (c.pParticle !== undefined && c.pParticle > line) n++;
  return n;
}

/** The cutoff the histogram's box shows and sets for every micrograph: theirs when they agree, else the most common one. */
export interface SharedCutoff {
  value: number;
  /** The micrographs' cutoffs differ: this many are at `value`, of `of`. */
  mixed?: { at: number; of: number };
}

export function sharedCutoff(cutoffs: readonly number[], fallback: number): SharedCutoff {
  const counts = new Map<number, number>();
  for (const c of cutoffs) counts.set(c, (counts.get(c) ?? 0) + 1);
  if (counts.size <= 1) return { value: cutoffs[0] ?? fallback };
  // The most common; among equals, the first met.
  const [value, at] = [...counts].reduce((best, e) => (e[1] > best[1] ? e : best));
  return { value, mixed: { at, of: cutoffs.length } };
}
