// Coordinates that cannot belong to a micrograph: points outside it were written for another
// binning (or another micrograph). The workbench refuses such a file, and training refuses to
// learn from it, with the same words.
import { nearestDistance, type Point } from '../candidates';

/** Whether a point lies on a width x height micrograph or within `margin` px of it (its edges count as inside). */
function onMicrograph(p: Point, width: number, height: number, margin: number): boolean {
  return p.x >= -margin && p.y >= -margin && p.x <= width + margin && p.y <= height + margin;
}

/** The points lying outside a width x height micrograph by more than `margin` px (its edges count as inside). */
export function outsideMicrograph<P extends Point>(points: readonly P[], width: number, height: number, margin = 0): P[] {
  return points.filter((p) => !onMicrograph(p, width, height, margin));
}

/** The points on the micrograph (its edges count as inside): what training learns from. */
export function insideMicrograph<P extends Point>(points: readonly P[], width: number, height: number): P[] {
  return points.filter((p) => onMicrograph(p, width, height, 0));
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

/** Fewer coordinates than this say nothing about where a file's coordinates lie. */
const CROWDED_MIN_POINTS = 20;

/** The largest x and y of some points: how far they reach from the micrograph's top-left corner. */
function reach(points: readonly Point[]): Point {
  let x = -Infinity;
  let y = -Infinity;
  for (const p of points) {
    x = Math.max(x, p.x);
    y = Math.max(y, p.y);
  }
  return { x, y };
}

/**
 * What is wrong with coordinates that all lie in the top-left quarter of their micrograph: the
 * signature of a file written for the micrograph binned by 2 or more (each coordinate halved),
 * which no bounds check catches. Undefined when they spread beyond it, or are too few to tell.
 */
export function crowdedMessage(points: readonly Point[], micrograph: string, width: number, height: number): string | undefined {
  if (points.length < CROWDED_MIN_POINTS) return undefined;
  const r = reach(points);
  if (r.x > width / 2 || r.y > height / 2) return undefined;
  return (
    `all ${points.length} coordinates for ${micrograph} lie in its top-left quarter (x <= ${Math.round(r.x)}, ` +
    `y <= ${Math.round(r.y)} of ${width} x ${height} px): were they written for the micrograph binned by 2 or more?`
  );
}

/**
 * What is wrong when picks and ground truth of one micrograph spread over areas of very
 * different size (one set's extent about twice the other's in both directions): one of them was
 * written for another binning. Undefined when they agree, or are too few to tell.
 */
export function extentMismatchMessage(picks: readonly Point[], truth: readonly Point[], micrograph: string): string | undefined {
  if (picks.length < CROWDED_MIN_POINTS || truth.length < CROWDED_MIN_POINTS) return undefined;
  const a = reach(picks);
  const b = reach(truth);
  const rx = a.x / b.x;
  const ry = a.y / b.y;
  const far = (r: number) => r >= EXTENT_RATIO || r <= 1 / EXTENT_RATIO;
  if (!(far(rx) && far(ry) && rx > 1 === ry > 1)) return undefined;
  return (
    `the picks for ${micrograph} reach (${Math.round(a.x)}, ${Math.round(a.y)}), its ground truth (${Math.round(b.x)}, ${Math.round(b.y)}): ` +
    'was one of them written for another binning?'
  );
}

/** How much larger one set's extent must be, in both directions, to say so: binning by 2 gives 2. */
const EXTENT_RATIO = 1.7;

/** Labels spaced closer than this share of the diameter, at the median, would have most particles overlap. */
const OVERLAP_SHARE = 0.8;

/** Each point's distance to its nearest other point (none under 2 points; quadratic: a micrograph holds hundreds). */
function nearestNeighbourDistances(points: readonly Point[]): number[] {
  if (points.length < 2) return [];
  return points.map((p, i) =>
    nearestDistance(
      p,
      points.filter((_, j) => j !== i),
    ),
  );
}

/**
 * What is wrong when labelled particles lie closer together than the diameter lets particles lie
 * (those that touch are one diameter apart): the diameter given is too large for them, or the
 * labels are of another binning. Undefined when they are spaced as particles of that size can be,
 * or too few to tell. Each micrograph's labels with the diameter in its own pixels.
 */
export function overlapMessage(micrographs: readonly { points: readonly Point[]; diameter: number }[]): string | undefined {
  const shares = micrographs.flatMap((m) => nearestNeighbourDistances(m.points).map((d) => d / m.diameter));
  if (shares.length < CROWDED_MIN_POINTS) return undefined;
  const median = [...shares].sort((a, b) => a - b)[Math.floor(shares.length / 2)];
  if (median >= OVERLAP_SHARE) return undefined;
  const sizes = [...new Set(micrographs.map((m) => m.diameter))];
  const px = sizes.length === 1 ? ` (${Math.round(median * sizes[0])} px for a diameter of ${sizes[0]} px)` : '';
  return `the labelled particles' nearest neighbours lie a median ${median.toFixed(2)} diameters apart${px}, where particles that touch lie one diameter apart: is the diameter too large for these particles?`;
}
