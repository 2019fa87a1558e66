// The working scale from the particle diameter (docs/method.md, step 2; Nguyen et al. 2021):
// bring the particle radius to about r_ref and keep the working image at most ~1800 px wide.
import { ParameterError } from '../errors';

/** Paper's reference particle radius (working px), and the one used for very large particles. */
export const PAPER_REF_RADIUS = 32;
export const PAPER_LARGE_REF_RADIUS = 48;
/** Above this radius (original px) the paper switches to PAPER_LARGE_REF_RADIUS. */
export const LARGE_PARTICLE_RADIUS = 144;
export const MAX_WORKING_WIDTH = 1800;

export interface WorkingScale {
  /** Original pixels per working pixel: f1 * f2. */
  scale: number;
  /** Particle radius in working pixels: floor((d/2) / scale). */
  radius: number;
  /** Factor that brings the radius to about refRadius. */
  f1: number;
  /** Extra factor that keeps the working width <= maxWorkingWidth. */
  f2: number;
  /** The reference radius the rule used. */
  refRadius: number;
}

export interface ScaleOptions {
  /** Radius our detector was trained at; default the paper's 32 (48 when d/2 > 144). */
  refRadius?: number;
  maxWorkingWidth?: number;
}

export function chooseWorkingScale(diameter: number, width: number, opts: ScaleOptions = {}): WorkingScale {
  if (!Number.isFinite(width) || width < 1) throw new ParameterError(`image width must be a positive number of pixels, got ${width}`);
  if (!Number.isFinite(diameter) || diameter <= 0)
    throw new ParameterError(`particle diameter must be a positive number of pixels, got ${diameter}`);
  if (diameter > width) throw new ParameterError(`particle diameter ${diameter} px is larger than the image (${width} px wide)`);
  const maxW = opts.maxWorkingWidth ?? MAX_WORKING_WIDTH;
  if (!(maxW >= 1)) throw new ParameterError(`maximum working width must be >= 1, got ${maxW}`);
  const half = diameter / 2;
  const refRadius = opts.refRadius ?? (half > LARGE_PARTICLE_RADIUS ? PAPER_LARGE_REF_RADIUS : PAPER_REF_RADIUS);
  if (!(refRadius > 0) || !Number.isFinite(refRadius))
    throw new ParameterError(`reference radius must be a positive number, got ${refRadius}`);
  const f1 = half <= refRadius ? 1 : half <= 2 * refRadius ? 2 : Math.ceil(half / refRadius);
  const reduced = width / f1;
  const f2 = reduced > maxW ? Math.ceil(reduced / maxW) : 1;
  const scale = f1 * f2;
  return { scale, radius: Math.floor(half / scale), f1, f2, refRadius };
}

/** Where picking works on a micrograph: the working scale and the particle radius there. */
export interface WorkingGeometry {
  /** Original pixels per working pixel. */
  scale: number;
  /** Particle radius, working pixels (floor, as chooseWorkingScale gives it). */
  radius: number;
}

/**
 * The working geometry for a particle diameter on a micrograph, for a detector trained at
 * working radius refRadius. The size rule looks at the longer side, so a portrait micrograph
 * works at the scale of its landscape twin. Picking and training both take it from here.
 * Throws a ParameterError naming the diameter needed when the particle would be under one
 * working pixel (a small diameter on a micrograph wide enough to be reduced several times).
 */
export function workingGeometry(diameter: number, size: { width: number; height: number }, refRadius: number): WorkingGeometry {
  const side = Math.max(size.width, size.height);
  const { scale, radius } = chooseWorkingScale(diameter, side, { refRadius });
  if (radius < 1) {
    throw new ParameterError(
      `particle diameter ${diameter} px is too small for a ${side} px wide micrograph, which is picked at 1/${scale} scale: give at least ${2 * scale} px`,
    );
  }
  return { scale, radius };
}

/**
 * Working-pixel coordinate (pixel-index units, centre of working pixel i at i) to original
 * pixels: working pixel i averages original pixels i*s .. i*s + s - 1, centred at i*s + (s-1)/2.
 */
export function workingToOriginal(v: number, scale: number): number {
  return v * scale + (scale - 1) / 2;
}

export function originalToWorking(v: number, scale: number): number {
  return (v - (scale - 1) / 2) / scale;
}
