// What every training-set builder takes: one micrograph (any source: a file the user opened, a
// simulation), its particle diameter, its stain, and optionally ground-truth centres, all in
// ORIGINAL pixels. Its working image is the one a PickSession keeps (pipeline.ts: the same scale
// rule and preprocessing), so the networks train on exactly what they later see.
import type { Point } from '../candidates';
import type { Image2D } from '../image';
import { decodedMicrograph, type Micrograph } from '../io/micrograph';
import { PickSession, type WorkingImage } from '../pipeline';
import { originalToWorking } from '../preprocess/scale';

/**
 * The shipped detector's working radius (the paper's r_ref is 32). The FCRN's receptive field
 * is ~21 px across (fcrn.ts), so at radius ~7 it sees a whole particle and its rim, and the
 * working image has ~20x fewer pixels than at 32. Measured on simulated dev micrographs
 * (detector alone, same training budget): mean F1 0.74 at 7, 0.67 at 12, 0.70 at 5.
 */
export const FCRN_WORKING_RADIUS = 7;

export interface TrainingMicrograph {
  /** Name shown in progress and reports (a file name, or a simulation seed). */
  name: string;
  /** The micrograph in original pixels. */
  image: Image2D;
  /** Particle diameter, original pixels. */
  diameter: number;
  /** Particles brighter than the background (inverted before the networks, as in picking). */
  negativeStain: boolean;
  /** Ground-truth particle centres, original pixels (absent for unsupervised labelling). */
  truth?: readonly Point[];
}

/** Wraps an image as the Micrograph the pipeline takes. */
export function asMicrograph(image: Image2D, pixelSize?: number): Micrograph {
  return decodedMicrograph(image, { pixelSize, frames: 1, averaged: false, format: 'mrc' });
}

/** Where a training micrograph's working image and detector map live: the caller's session (the worker keeps one per micrograph) or a new one. */
export function sessionFor(m: TrainingMicrograph, session?: PickSession): PickSession {
  return session ?? new PickSession(m.name, asMicrograph(m.image));
}

/** The working image of a training micrograph for a detector of working radius refRadius (the session's, when given). */
export function workingImage(
  m: TrainingMicrograph,
  refRadius = FCRN_WORKING_RADIUS,
  session?: PickSession,
  signal?: AbortSignal,
): Promise<WorkingImage> {
  return sessionFor(m, session).workingImage(m, refRadius, signal);
}

/** Original-pixel point to working pixels. */
export function toWorking(p: Point, scale: number): Point {
  return { x: originalToWorking(p.x, scale), y: originalToWorking(p.y, scale) };
}
