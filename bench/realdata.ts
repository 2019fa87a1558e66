// The shared real micrographs (../shared/realdata, outside the repository: their labels carry no
// licence) with their fixed split, and the scoring its README prescribes: one-to-one matching
// within one particle radius, over particles lying wholly inside the micrograph.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCoordinateFolder } from '../src/cli/coordinate-folder';
import { insideEdgeMargin } from '../src/core/candidates';
import { micrographMatchKey } from '../src/core/coords';
import type { Particle } from '../src/core/coords/types';
import { decodeMicrograph, isMicrographFileName, toArrayBuffer, type Micrograph } from '../src/core/io/micrograph';
import { aggregate, matchingRadius, matchInRegion, type Scores } from '../src/core/metrics';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REALDATA_DIR = process.env.DRPNET_REALDATA ?? path.join(ROOT, 'shared/realdata');

/**
 * A labelled real set laid out as the shared one is: DIR/micrographs/<name>.<ext> (any format
 * `drpnet pick` reads) and DIR/coordinates/ with one coordinate file per micrograph, in original
 * pixels, named as `drpnet eval` matches them (<name>.star, RELION's <name>_autopick.star, .box, ...).
 */
export interface RealSet {
  name: string;
  dir: string;
  /** Particle diameter in original pixels (the README's). */
  diameter: number;
  /** How many micrographs, sorted by name, form the labelled part (fine-tuning, choosing settings). */
  labelled: number;
  /** Pixel size in A, where known (RELION's LoG works in A; a guess only scales its diameter range). */
  pixelA?: number;
}

/** EMPIAR-10146 apoferritin: README of ../shared/realdata/empiar10146-apoferritin. */
export const APOFERRITIN: RealSet = {
  name: 'empiar10146-apoferritin',
  dir: path.join(REALDATA_DIR, 'empiar10146-apoferritin'),
  diameter: 64,
  labelled: 5,
};

/** Another set in the same layout (bench/real.ts --set), e.g. micrographs kept back from the repository. */
export function realSetAt(dir: string, diameter: number, labelled: number, pixelA?: number): RealSet {
  if (!(diameter > 0)) throw new RangeError(`the particle diameter must be a positive number of pixels, got ${diameter}`);
  if (!Number.isInteger(labelled) || labelled < 0) throw new RangeError(`the labelled count must be a whole number >= 0, got ${labelled}`);
  if (pixelA !== undefined && !(pixelA > 0)) throw new RangeError(`the pixel size must be a positive number of angstroms, got ${pixelA}`);
  return { name: path.basename(path.resolve(dir)), dir: path.resolve(dir), diameter, labelled, pixelA };
}

export interface RealMicrograph {
  name: string;
  file: string;
  micrograph: Micrograph;
  truth: Particle[];
  /** Its set's particle diameter, original pixels: scoring matches within half of it. */
  diameter: number;
}

export function realSetAvailable(set: RealSet): boolean {
  return existsSync(path.join(set.dir, 'micrographs'));
}

/** Micrograph file names of a set, sorted by name, split into labelled and scoring parts. */
export function realSplit(set: RealSet): { labelled: string[]; scoring: string[] } {
  const names = readdirSync(path.join(set.dir, 'micrographs'))
    .filter((n) => !n.startsWith('.') && isMicrographFileName(n))
    .sort();
  return { labelled: names.slice(0, set.labelled), scoring: names.slice(set.labelled) };
}

export function stem(name: string): string {
  return name.replace(/\.[^.]+$/, '');
}

/** A set's labels by micrograph (micrographMatchKey): DIR/coordinates read as `drpnet eval --truth` reads a folder. */
export type RealLabels = Map<string, Particle[]>;

/** Reads a set's labels; a coordinate file that cannot be read stops the benchmark, naming it. */
export async function realLabels(set: RealSet): Promise<RealLabels> {
  const { labelled, scoring } = realSplit(set);
  const read = await readCoordinateFolder(path.join(set.dir, 'coordinates'), {
    label: `${set.name}: coordinates`,
    micrographs: [...labelled, ...scoring],
  });
  if (read.failed.length) throw new Error(`${set.dir}/coordinates: ${read.failed.join('; ')}`);
  return read.picks;
}

/** The labels of one micrograph of the set, or undefined when it has none. */
export function labelsOf(labels: RealLabels, fileName: string): Particle[] | undefined {
  return labels.get(micrographMatchKey(fileName));
}

/** One micrograph of the set with its labels (read once for the set: realLabels). */
export async function loadRealMicrograph(set: RealSet, fileName: string, labels: RealLabels): Promise<RealMicrograph> {
  const file = path.join(set.dir, 'micrographs', fileName);
  const truth = labelsOf(labels, fileName);
  if (!truth) throw new Error(`${fileName}: no coordinate file for it in ${path.join(set.dir, 'coordinates')}`);
  const micrograph = await decodeMicrograph(toArrayBuffer(readFileSync(file)), fileName);
  return { name: fileName, file, micrograph, truth, diameter: set.diameter };
}

/** Scores over the particles lying wholly inside the micrograph (centre at least one radius from each edge). */
export function scoreReal(picks: readonly { x: number; y: number }[], m: RealMicrograph): Scores {
  const r = matchingRadius(m.diameter);
  const { width, height } = m.micrograph.image;
  return matchInRegion(picks, m.truth, r, (p) => insideEdgeMargin(p.x, p.y, width, height, r));
}

export function pooled(scores: readonly Scores[]): Scores {
  return aggregate(scores);
}

/** Pooled scores of one set of picks per micrograph (in `mics` order), and the picks per micrograph. */
export function scoreSet(
  picks: readonly (readonly { x: number; y: number }[])[],
  mics: readonly RealMicrograph[],
): { scores: Scores; perMic: number } {
  return {
    scores: pooled(picks.map((p, i) => scoreReal(p, mics[i]))),
    perMic: picks.reduce((n, p) => n + p.length, 0) / mics.length,
  };
}

/** The best pooled F1 over thresholds of one score: each micrograph's candidates (`all`, in `mics` order) ranked by it. */
export function bestOver<T extends { x: number; y: number }>(
  all: readonly T[][],
  mics: readonly RealMicrograph[],
  score: (p: T) => number | undefined,
): { scores: Scores; perMic: number; threshold: number } {
  const values = [
    ...new Set(
      all
        .flat()
        .map(score)
        .filter((v): v is number => v !== undefined),
    ),
  ].sort((a, b) => a - b);
  let best = { scores: pooled([]), perMic: 0, threshold: 0 };
  const step = Math.max(1, Math.floor(values.length / 200));
  for (let i = 0; i < values.length; i += step) {
    const t = values[i];
    const s = scoreSet(
      all.map((picks) => picks.filter((p) => (score(p) ?? -Infinity) >= t)),
      mics,
    );
    if (s.scores.f1 > best.scores.f1) best = { ...s, threshold: t };
  }
  return best;
}
