// Picking parameters and their defaults, kept apart from the code that uses them.
// Paper values: ../shared/docs/drpnet.md (Nguyen et al. 2021), steps 2-8.

export interface PeakParams {
  /** Gaussian sigma (working pixels) applied to the detector map before maxima search. */
  sigma: number;
  /** h of the h-maxima transform, on the map normalised to [0,255]: height = threshold * kLevel. */
  threshold: number;
  /** Strictness level k (1, 2 or 3). */
  kLevel: number;
}

export interface ScreenParams {
  /** Keep candidates whose patch mean is above this percentile of all candidates' means (0 = off). */
  meanPercentile: number;
  /** Keep candidates whose patch std is above this percentile of all candidates' stds (0 = off). */
  stdPercentile: number;
}

export interface PickParams extends PeakParams, ScreenParams {
  /** Particle diameter in ORIGINAL pixels. */
  diameter: number;
  /**
   * Minimum distance between picks, in particle diameters: of two candidates closer than this,
   * the one with the lower detector peak is dropped (RELION autopick's minimum inter-particle
   * distance, Topaz's extraction radius). 0 = off. Not in the paper.
   */
  minDistance: number;
  /** Classifier: drop a pick when p(background) >= cutoff. 1 disables dropping. */
  cutoff: number;
  /** Run the stage-2 classifier. */
  useClassifier: boolean;
  /** Negative stain: particles brighter than background; inverted before the network. */
  negativeStain: boolean;
}

// sigma, threshold and cutoff: the values scripts/evaluate.ts chose on its tuning micrographs
// (mean F1 over the simulated conditions, docs/quality.md). minDistance: half a diameter, a
// fixed rule there (picks closer than that are one particle counted twice under the metric's
// one-radius matching).
export const DEFAULT_PICK_PARAMS: Readonly<PickParams> = {
  diameter: 140,
  sigma: 3,
  threshold: 4,
  kLevel: 1,
  minDistance: 0.5,
  meanPercentile: 0,
  stdPercentile: 0,
  cutoff: 0.9,
  useClassifier: true,
  negativeStain: false,
};
