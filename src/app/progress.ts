// One progress figure for a whole pick. The engine reports each stage from 0 to 1 (the
// preprocessing, the detector's tiles, then the classifier's batches); shown as they come, the
// badge went from 100% back to a few percent when the classifier started. Each stage gets its
// share of the bar instead, the detector the most (it takes most of the time).

/** The part of the bar each stage fills, [from, to]. */
const STAGE_SPAN: Record<string, readonly [number, number]> = {
  opening: [0, 0],
  preprocess: [0, 0.05],
  detector: [0.05, 0.85],
  classifier: [0.85, 1],
};

/** 0..1 over the whole pick, from a stage's own 0..1 (a stage not listed spans the whole bar). */
export function overallProgress(stage: string, fraction: number): number {
  const [a, b] = STAGE_SPAN[stage] ?? [0, 1];
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  return a + (b - a) * f;
}

/** A progress figure for one pick that never goes back (reports may arrive out of order). */
export function progressTracker(): (stage: string, fraction: number) => number {
  let shown = 0;
  return (stage, fraction) => {
    shown = Math.max(shown, overallProgress(stage, fraction));
    return shown;
  };
}
