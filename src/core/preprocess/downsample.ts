// Resampling: area-averaging downsample by an integer factor (step 3's "downsample by
// scale", not decimation) and bilinear resampling (patches to 64x64, maps for display).
// Coordinates: pixel i covers [i, i+1) and has its centre at i + 0.5 in "edge" units.
import { ParameterError } from '../errors';
import { createImage, type Image2D } from '../image';

/** Output side of an area downsample: partial edge blocks are kept. */
export function downsampledSize(n: number, factor: number): number {
  return Math.ceil(n / factor);
}

/**
 * Area-averaging downsample by an integer factor. Output is ceil(w/f) x ceil(h/f); a partial
 * block at the right or bottom edge is the mean of the pixels it has.
 */
export function downsampleArea(img: Image2D, factor: number): Image2D {
  if (!Number.isInteger(factor) || factor < 1) throw new ParameterError(`downsample factor must be a whole number >= 1, got ${factor}`);
  const { width: w, height: h, data: src } = img;
  if (factor === 1) return createImage(w, h, src.slice());
  const ow = downsampledSize(w, factor);
  const oh = downsampledSize(h, factor);
  const out = createImage(ow, oh);
  const dst = out.data;
  // Row sums of one block row accumulated across its source rows, then divided once.
  const acc = new Float64Array(ow);
  const fullCols = Math.floor(w / factor);
  const lastCols = w - fullCols * factor; // pixels in the partial right block (0 if none)
  for (let oy = 0; oy < oh; oy++) {
    acc.fill(0);
    const y0 = oy * factor;
    const y1 = Math.min(h, y0 + factor);
    for (let y = y0; y < y1; y++) {
      const o = y * w;
      let x = 0;
      for (let ox = 0; ox < fullCols; ox++) {
        let s = 0;
        const end = x + factor;
        for (; x < end; x++) s += src[o + x];
        acc[ox] += s;
      }
      if (lastCols) {
        let s = 0;
        for (; x < w; x++) s += src[o + x];
        acc[fullCols] += s;
      }
    }
    const rows = y1 - y0;
    const d = oy * ow;
    const inv = 1 / (rows * factor);
    for (let ox = 0; ox < fullCols; ox++) dst[d + ox] = acc[ox] * inv;
    if (lastCols) dst[d + fullCols] = acc[fullCols] / (rows * lastCols);
  }
  return out;
}

/**
 * Bilinearly sample the box [x0, x0+boxW) x [y0, y0+boxH) (edge units, may leave the image:
 * samples outside are clamped to the nearest edge pixel) onto an outW x outH grid written
 * into `out` at `offset`. The box is split into outW x outH cells, each sampled at its centre.
 */
export function sampleBoxBilinear(
  src: Image2D,
  x0: number,
  y0: number,
  boxW: number,
  boxH: number,
  out: Float32Array,
  offset: number,
  outW: number,
  outH: number,
): void {
  const { width: w, height: h, data } = src;
  const sx = boxW / outW;
  const sy = boxH / outH;
  const maxX = w - 1;
  const maxY = h - 1;
  for (let v = 0; v < outH; v++) {
    let fy = y0 + (v + 0.5) * sy - 0.5; // in pixel-index units
    if (fy < 0) fy = 0;
    else if (fy > maxY) fy = maxY;
    const ya = Math.floor(fy);
    const yb = ya < maxY ? ya + 1 : ya;
    const wy = fy - ya;
    const ra = ya * w;
    const rb = yb * w;
    const o = offset + v * outW;
    for (let u = 0; u < outW; u++) {
      let fx = x0 + (u + 0.5) * sx - 0.5;
      if (fx < 0) fx = 0;
      else if (fx > maxX) fx = maxX;
      const xa = Math.floor(fx);
      const xb = xa < maxX ? xa + 1 : xa;
      const wx = fx - xa;
      const top = data[ra + xa] + wx * (data[ra + xb] - data[ra + xa]);
      const bottom = data[rb + xa] + wx * (data[rb + xb] - data[rb + xa]);
      out[o + u] = top + wy * (bottom - top);
    }
  }
}

/** Bilinear resize of a whole image to w x h (pixel-centre aligned, edges clamped). */
export function resizeBilinear(src: Image2D, w: number, h: number): Image2D {
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) throw new ParameterError(`resize target must be whole positive sizes, got ${w} x ${h}`);
  if (src.width < 1 || src.height < 1) throw new ParameterError('cannot resize an empty image');
  const out = createImage(w, h);
  sampleBoxBilinear(src, 0, 0, src.width, src.height, out.data, 0, w, h);
  return out;
}

/**
 * Undo an area downsample for display or comparison: bilinear upsample by `factor` to exactly
 * width x height (the original size, which may be less than factor x the small size).
 */
export function upsampleBilinear(small: Image2D, factor: number, width: number, height: number): Image2D {
  if (!(factor > 0)) throw new ParameterError(`upsample factor must be > 0, got ${factor}`);
  const out = createImage(width, height);
  sampleBoxBilinear(small, 0, 0, width / factor, height / factor, out.data, 0, width, height);
  return out;
}
