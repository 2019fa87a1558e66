// One particle position: a pick, or a ground-truth particle. (Named Particle, not Pick, so that
// TypeScript's Pick<> keeps its meaning.) x, y are the particle CENTRE in ORIGINAL micrograph pixels, origin at
// the first pixel of the file (x to the right along a row, y down the rows, i.e. the way
// RELION's _rlnCoordinateX/Y index an MRC read in file order). Writers for corner-based
// formats (EMAN .box) convert at the boundary.
export interface Particle {
  x: number;
  y: number;
  /** Figure of merit: higher is more particle-like (RELION _rlnAutopickFigureOfMerit). */
  score?: number;
  /** RELION _rlnClassNumber (its writer puts 0, RELION's dummy for reference-free picks, where a pick has none). */
  classNumber?: number;
  /** RELION _rlnAnglePsi in degrees, -999 when unknown. */
  psi?: number;
}

/** Review state of a pick in the workbench. */
export type PickState = 'auto' | 'accepted' | 'rejected' | 'manual';

/** The coordinate formats the project reads and writes (one record each in formats.ts). */
export type { CoordinateFormat } from './formats';
