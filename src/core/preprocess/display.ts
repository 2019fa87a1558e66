// 8-bit grey images for thumbnails and the viewer: area-downsampled to fit maxSide, contrast
// from percentiles (default 0.5..99.5, which ignores hot pixels and dust).
import { ParameterError } from '../errors';
import type { Image2D } from '../image';
import { downsampleArea } from './downsample';
import { gaussianBlur } from './gaussian';
import { percentiles } from './percentile';

export interface GreyImageOptions {
  /** Longest side of the result, in pixels. */
  maxSide: number;
  lowPercentile?: number;
  highPercentile?: number;
  /** Fixed grey window (raw values mapped to 0 and 255) instead of the percentiles: keeps a
   * detail crop in the same contrast as the whole-image display it is drawn over. */
  window?: GreyWindow;
  /** A display low-pass: Gaussian sigma in ORIGINAL pixels, applied after the downsampling (0 or absent: none). */
  lowpassSigma?: number;
}

export interface GreyWindow {
  lo: number;
  hi: number;
}

export interface ScaledGreyImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
  /** Original pixels per display pixel (integer, >= 1). */
  scale: number;
  /** The raw values mapped to 0 and 255. */
  window: GreyWindow;
}

/** Integer area-downsample factor that brings the longest side to <= maxSide. */
export function displayFactor(width: number, height: number, maxSide: number): number {
  return Math.max(1, Math.ceil(Math.max(width, height) / maxSide));
}

/**
 * The Gaussian sigma (original pixels) of a low-pass filter to `resolution` (Å, or pixels when
 * pixelSize is 1): the filter's transfer exp(-2 pi^2 sigma^2 f^2) falls to one half at the
 * spatial frequency f = 1/resolution, so sigma = resolution * sqrt(ln 2 / 2) / pi.
 */
export function lowpassSigmaPx(resolution: number, pixelSize = 1): number {
  if (!(resolution > 0) || !(pixelSize > 0)) return 0;
  return ((resolution / pixelSize) * Math.sqrt(Math.LN2 / 2)) / Math.PI;
}

export function toGreyImage(img: Image2D, opts: GreyImageOptions): ScaledGreyImage {
  const { maxSide } = opts;
  if (!Number.isInteger(maxSide) || maxSide < 1)
    throw new ParameterError(`display size must be a whole number of pixels >= 1, got ${maxSide}`);
  if (img.width < 1 || img.height < 1) throw new ParameterError('cannot display an empty image');
  const lowP = opts.lowPercentile ?? 0.5;
  const highP = opts.highPercentile ?? 99.5;
  const scale = displayFactor(img.width, img.height, maxSide);
  const reduced = scale > 1 ? downsampleArea(img, scale) : img;
  // The area average is itself a low-pass at the display's scale; what is left of the sigma is
  // applied to the small image (sigmas below a quarter of a display pixel change nothing visible).
  const sigma = (opts.lowpassSigma ?? 0) / scale;
  const small = sigma >= 0.25 ? gaussianBlur(reduced, sigma) : reduced;
  const [lo, hi] = opts.window ? [opts.window.lo, opts.window.hi] : percentiles(small.data, [lowP, highP]);
  const k = hi > lo ? 255 / (hi - lo) : 0;
  const src = small.data;
  const data = new Uint8ClampedArray(src.length);
  // Uint8ClampedArray rounds and clamps on assignment; NaN becomes 0.
  for (let i = 0; i < src.length; i++) data[i] = (src[i] - lo) * k;
  return { width: small.width, height: small.height, data, scale, window: { lo, hi } };
}
