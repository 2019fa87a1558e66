// Coordinates that cannot belong to a micrograph: points outside it were written for another
// binning (or another micrograph). The workbench refuses such a file, and training refuses to
// learn from it, with the same words.
import type { Point } from '../candidates';

/** The points lying outside a width x height micrograph by more than `margin` px (its edges count as inside). */
export function outsideMicrograph<P extends Point>(points: readonly P[], width: number, height: number, margin = 0): P[] {
  return points.filter((p) => !(p.x >= -margin && p.y >= -margin && p.x <= width + margin && p.y <= height + margin));
}

/**
 * What is wrong with a coordinate file some of whose points lie outside its micrograph by more
 * than `margin` px (the caller names the file), or undefined when none does. A margin of a
 * particle radius lets through the centres a particles STAR puts just past the edge
 * (coordinate minus a recentring origin); another binning's points lie far beyond it.
 */
export function outsideMessage(
  points: readonly Point[],
  micrograph: string,
  width: number,
  height: number,
  margin = 0,
): string | undefined {
  const outside = outsideMicrograph(points, width, height, margin);
  if (!outside.length) return undefined;
  const e = outside[0];
  return (
    `${outside.length} of ${points.length} coordinates lie outside ${micrograph} (${width} x ${height} px), ` +
    `e.g. (${e.x}, ${e.y}). Were they written for another binning or another micrograph?`
  );
}
