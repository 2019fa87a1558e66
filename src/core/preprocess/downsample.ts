// Resampling: area-averaging downsample by an integer factor (docs/method.md, step 3: each
// working pixel the mean of a block, not decimation) and bilinear resampling (patches to 64x64, maps for display).
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
  const d = new AreaDownsampler(img.width, img.height, factor);
  d.addRows(img.data);
  return d.result();
}

/**
 * downsampleArea fed a band of whole rows at a time, so a micrograph streamed from its file in
 * pieces never has to be held whole. Every band but the last must hold whole blocks (a multiple
 * of `factor` rows); the result is then identical, bit for bit, to downsampleArea's.
 */
export class AreaDownsampler {
  private readonly out: Image2D;
  // Row sums of one block row accumulated across its source rows, then divided once.
  private readonly acc: Float64Array;
  private rowsIn = 0;

  constructor(
    readonly width: number,
    readonly height: number,
    readonly factor: number,
  ) {
    if (!Number.isInteger(factor) || factor < 1) throw new ParameterError(`downsample factor must be a whole number >= 1, got ${factor}`);
    this.out = createImage(downsampledSize(width, factor), downsampledSize(height, factor));
    this.acc = new Float64Array(this.out.width);
  }

  /** Adds the next rows: `src` holds a whole number of rows of `width` values. */
  addRows(src: Float32Array): void {
    const { width: w, height: h, factor } = this;
    const rows = w > 0 ? src.length / w : 0;
    const y0 = this.rowsIn;
    if (!Number.isInteger(rows) || y0 + rows > h)
      throw new RangeError(`a band of ${src.length} values is not whole rows of ${w} within the ${h} rows left to add from row ${y0}`);
    if (y0 + rows < h && rows % factor !== 0) throw new RangeError(`a band of ${rows} rows is not whole blocks of ${factor} rows`);
    this.rowsIn += rows;
    if (factor === 1) {
      this.out.data.set(src, y0 * w);
      return;
    }
    const ow = this.out.width;
    const dst = this.out.data;
    const acc = this.acc;
    const fullCols = Math.floor(w / factor);
    const lastCols = w - fullCols * factor; // pixels in the partial right block (0 if none)
    for (let by = 0; by < rows; by += factor) {
      acc.fill(0);
      const by1 = Math.min(rows, by + factor);
      for (let y = by; y < by1; y++) {
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
      const n = by1 - by;
      const d = ((y0 + by) / factor) * ow;
      const inv = 1 / (n * factor);
      for (let ox = 0; ox < fullCols; ox++) dst[d + ox] = acc[ox] * inv;
      if (lastCols) dst[d + fullCols] = acc[fullCols] / (n * lastCols);
    }
  }

  /** The downsampled image, once every row has been added. */
  result(): Image2D {
    if (this.rowsIn !== this.height) throw new RangeError(`only ${this.rowsIn} of ${this.height} rows were added`);
    return this.out;
  }
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
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1)
    throw new ParameterError(`resize target must be whole positive sizes, got ${w} x ${h}`);
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
