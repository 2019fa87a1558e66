// Preprocessing at working scale (docs/method.md, step 3) and the detector's input smoothing
// (step 4), one small function per sub-step so tests and bench/numerics.ts can check and time
// each.
//
// POLARITY the networks see: cryo-EM convention, particles DARKER than the background
// (bright-field, underfocus). Negative-stain micrographs (particles brighter) are inverted
// about their mean as the last step, so both kinds reach the network the same way round.
import { ParameterError, throwIfAborted } from '../errors';
import { createImage, type Image2D } from '../image';
import { gaussianBlur } from './gaussian';
import { correctIllumination, ILLUMINATION_SIGMA } from './illumination';
import { percentiles } from './percentile';
import { reduceImage, valueRange, type ReducedImage } from './reduce';

// Smoothing sigmas are in working pixels. The paper's (2 here, 3 on the network input) are for
// particles of radius 32 working px; our detector works at radius ~7 (training-micrograph.ts),
// where the area downsampling already averages scale x scale pixels, so lighter ones are used.
// Measured on simulated dev micrographs: sigma 1 + 1 gave mean F1 0.73 where 2 + 1 gave 0.67.
export const DETECTION_SMOOTH_SIGMA = 1;
/** Contrast stretch: median +- this many robust standard deviations map to [0, 1]. */
export const STRETCH_SIGMAS = 4;
export const TARGET_MEAN = 0.55;
/** Smoothing of the FCRN's input (docs/method.md, step 4) (the shipped detector's metadata carries its own). */
export const NETWORK_INPUT_SIGMA = 1;

interface InPlace {
  inPlace?: boolean;
}

function target(img: Image2D, opts: InPlace): Image2D {
  return opts.inPlace ? img : createImage(img.width, img.height);
}

/**
 * Map [range.min, range.max] (default: the image's own) to [0, 1]. A constant image becomes 0.
 * Passing the range lets the caller normalise a downsampled copy with the original's range
 * (an affine map commutes with area averaging, so this equals normalising first).
 */
export function normaliseToUnit(img: Image2D, range: { min: number; max: number } = valueRange(img.data), opts: InPlace = {}): Image2D {
  const out = target(img, opts);
  const span = range.max - range.min;
  const k = span > 0 ? 1 / span : 0;
  const src = img.data;
  const dst = out.data;
  for (let i = 0; i < dst.length; i++) dst[i] = (src[i] - range.min) * k;
  return out;
}

/**
 * Map median - k sigma .. median + k sigma to [0, 1], clamping outside; sigma is estimated from
 * the interquartile range (IQR / 1.349 for Gaussian noise).
 * Departure from the paper (1st..99th percentile): dark contamination or carbon covering more
 * than 1% of the image set the paper's low end, squeezing the particles' contrast; median and
 * quartiles hardly move. Measured on simulated dev micrographs: contamination F1 0.38 -> 0.53.
 */
export function robustStretch(img: Image2D, sigmas = STRETCH_SIGMAS, opts: InPlace = {}): Image2D {
  if (!(sigmas > 0)) throw new ParameterError(`contrast stretch needs a positive width in standard deviations, got ${sigmas}`);
  const [q1, median, q3] = percentiles(img.data, [25, 50, 75]);
  const sigma = (q3 - q1) / 1.349;
  const lo = median - sigmas * sigma;
  const out = target(img, opts);
  const k = sigma > 0 ? 1 / (2 * sigmas * sigma) : 0;
  const src = img.data;
  const dst = out.data;
  for (let i = 0; i < dst.length; i++) {
    const v = (src[i] - lo) * k;
    dst[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return out;
}

export function meanOf(data: Float32Array): number {
  let s = 0;
  for (let i = 0; i < data.length; i++) s += data[i];
  return data.length ? s / data.length : 0;
}

/** Shift the values so their mean is `mean` (the paper recentres near 0.55). */
export function recentreMean(img: Image2D, mean = TARGET_MEAN, opts: InPlace = {}): Image2D {
  const out = target(img, opts);
  const shift = mean - meanOf(img.data);
  const src = img.data;
  const dst = out.data;
  for (let i = 0; i < dst.length; i++) dst[i] = src[i] + shift;
  return out;
}

/** Reflect the values about their mean (v -> 2 mean - v): swaps polarity, keeps the mean. */
export function invertAboutMean(img: Image2D, opts: InPlace = {}): Image2D {
  const out = target(img, opts);
  const twice = 2 * meanOf(img.data);
  const src = img.data;
  const dst = out.data;
  for (let i = 0; i < dst.length; i++) dst[i] = twice - src[i];
  return out;
}

export interface PreprocessOptions {
  /** Particles brighter than background: invert so the network sees cryo polarity. */
  negativeStain: boolean;
  /** Gaussian smoothing after downsampling (2 for inference, 0.5 for training patches). */
  smoothSigma?: number;
  illuminationSigma?: number;
  signal?: AbortSignal;
}

/**
 * Preprocessing for detection (docs/method.md, step 3): normalise to [0,1] -> area downsample
 * by `scale` -> Gaussian sigma 1 -> robust stretch to [0,1] -> mean to 0.55 -> illumination
 * correction (sigma 100 working px) -> invert for negative stain. Output ceil(w/scale) x
 * ceil(h/scale), particles darker than background. The input is not modified.
 */
export function preprocessForDetection(img: Image2D, scale: number, opts: PreprocessOptions): Image2D {
  if (img.width < 1 || img.height < 1) throw new ParameterError('cannot preprocess an empty image');
  return preprocessReduced(reduceImage(img, scale), opts);
}

/**
 * preprocessForDetection from the micrograph's reduction (reduce.ts), which may have been
 * streamed from its file. Downsampling first and normalising the small image with the
 * original's range gives the same result as the paper's order at 1/scale^2 of the work.
 * The reduction's image is modified in place and returned.
 */
export function preprocessReduced(reduced: ReducedImage, opts: PreprocessOptions): Image2D {
  if (!reduced.range.finite) {
    throw new ParameterError('the micrograph contains values that are not finite numbers (NaN or infinity)');
  }
  throwIfAborted(opts.signal);
  const work = reduced.image;
  normaliseToUnit(work, reduced.range, { inPlace: true });
  throwIfAborted(opts.signal);
  gaussianBlur(work, opts.smoothSigma ?? DETECTION_SMOOTH_SIGMA, { inPlace: true });
  throwIfAborted(opts.signal);
  robustStretch(work, STRETCH_SIGMAS, { inPlace: true });
  recentreMean(work, TARGET_MEAN, { inPlace: true });
  throwIfAborted(opts.signal);
  correctIllumination(work, opts.illuminationSigma ?? ILLUMINATION_SIGMA, { inPlace: true });
  if (opts.negativeStain) invertAboutMean(work, { inPlace: true });
  return work;
}

/**
 * The detector's input (docs/method.md, step 4): the preprocessed working image smoothed with
 * the detector's own input sigma (model metadata inputSmoothing). The paper's further 2x
 * downscale for particles at its reference radius does not arise at our working radius
 * (chooseWorkingScale keeps r <= ref).
 */
export function prepareNetworkInput(pre: Image2D, sigma: number): Image2D {
  if (!(sigma >= 0)) throw new ParameterError(`network input smoothing must be >= 0, got ${sigma}`);
  return sigma > 0 ? gaussianBlur(pre, sigma) : createImage(pre.width, pre.height, pre.data.slice());
}
