// Coordinates that cannot belong to a micrograph: points outside it were written for another
// binning (or another micrograph). The workbench refuses such a file, and training refuses to
// learn from it, with the same words.
import type { Point } from '../candidates';

/** The points lying outside a width x height micrograph (its edges count as inside). */
export function outsideMicrograph<P extends Point>(points: readonly P[], width: number, height: number): P[] {
  return points.filter((p) => !(p.x >= 0 && p.y >= 0 && p.x <= width && p.y <= height));
}

/**
 * What is wrong with a coordinate file some of whose points lie outside its micrograph (the
 * caller names the file), or undefined when every point lies inside.
 */
export function outsideMessage(points: readonly Point[], micrograph: string, width: number, height: number): string | undefined {
  const outside = outsideMicrograph(points, width, height);
  if (!outside.length) return undefined;
  const e = outside[0];
  return (
    `${outside.length} of ${points.length} coordinates lie outside ${micrograph} (${width} x ${height} px), ` +
    `e.g. (${e.x}, ${e.y}). Were they written for another binning or another micrograph?`
  );
}
