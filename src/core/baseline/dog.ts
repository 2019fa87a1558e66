// Baseline picker: difference of Gaussians (DoG) at the particle's scale, the kind of blob
// detector RELION's LoG autopicking is (Zivanov et al. 2018 use a Laplacian of Gaussian; DoG
// approximates it: G(k s) - G(s) ~ (k - 1) s^2 Laplacian of G(s)). It runs on the SAME
// preprocessed working image as the DRPnet pipeline (pipeline.ts), then the SAME peak
// search (PeakFinder), minimum-distance rule and border drop, so only the detector map
// differs.
import { dropBorderPicks, suppressNeighbours } from '../candidates';
import type { Particle } from '../coords/types';
import { ParameterError } from '../errors';
import { createImage, type Image2D } from '../image';
import type { PeakParams } from '../params';
import { PeakFinder } from '../peaks';
import { gaussianBlur } from '../preprocess/gaussian';
import { preprocessForDetection } from '../preprocess/preprocess';
import { chooseWorkingScale, workingToOriginal } from '../preprocess/scale';

/** Ratio of the two Gaussians' sigmas (1.6 is the classic LoG approximation, Marr & Hildreth 1980). */
export const DOG_SIGMA_RATIO = 1.6;

/**
 * The two sigmas for a particle of radius r: their geometric mean is r / sqrt(2), the scale
 * at which a scale-normalised LoG responds most to a disk of radius r (Lindeberg 1998).
 */
export function dogSigmas(radius: number): [number, number] {
  if (!(radius > 0) || !Number.isFinite(radius))
    throw new ParameterError(`DoG: particle radius must be a positive number of pixels, got ${radius}`);
  const mid = radius / Math.SQRT2;
  const s1 = mid / Math.sqrt(DOG_SIGMA_RATIO);
  return [s1, s1 * DOG_SIGMA_RATIO];
}

/**
 * DoG response of a preprocessed image (particles DARKER than background, as the pipeline
 * prepares them): G_large - G_small, positive on dark blobs of about the given radius.
 */
export function dogResponse(pre: Image2D, radius: number): Image2D {
  const [s1, s2] = dogSigmas(radius);
  const small = gaussianBlur(pre, s1);
  const large = gaussianBlur(pre, s2);
  const out = createImage(pre.width, pre.height);
  for (let i = 0; i < out.data.length; i++) out.data[i] = large.data[i] - small.data[i];
  return out;
}

export interface DogOptions {
  /** Particle diameter, ORIGINAL pixels. */
  diameter: number;
  negativeStain: boolean;
  /** Reference radius of the working-scale rule (default 7, as the shipped detector). */
  refRadius?: number;
}

/** Detect once, then pick at any peak settings (like PickSession, for the baseline). */
export class DogPicker {
  readonly scale: number;
  readonly radius: number;
  readonly diameter: number;
  readonly map: Image2D;
  private readonly finder: PeakFinder;

  constructor(image: Image2D, opts: DogOptions) {
    const { scale, radius } = chooseWorkingScale(opts.diameter, Math.max(image.width, image.height), { refRadius: opts.refRadius ?? 7 });
    if (radius < 1)
      throw new ParameterError(`DoG: particle radius is below one working pixel (diameter ${opts.diameter} px at scale ${scale})`);
    this.scale = scale;
    this.radius = radius;
    this.diameter = opts.diameter;
    const pre = preprocessForDetection(image, scale, { negativeStain: opts.negativeStain });
    this.map = dogResponse(pre, radius);
    this.finder = new PeakFinder(this.map);
  }

  /** Picks in ORIGINAL pixels, score = peak height on the normalised map (0..1). minDistance: in diameters, as PickParams'. */
  pick(params: PeakParams & { minDistance?: number }): Particle[] {
    const peaks = this.finder.find(params);
    const apart = suppressNeighbours(peaks, (p) => p.height, ((params.minDistance ?? 0) * this.diameter) / this.scale);
    const inside = dropBorderPicks(apart, this.map.width, this.map.height, this.radius);
    return inside.map((p) => ({
      x: workingToOriginal(p.x, this.scale),
      y: workingToOriginal(p.y, this.scale),
      score: p.height,
    }));
  }
}
