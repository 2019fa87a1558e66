// A single-channel float image in row-major order (index = y * width + x), the one pixel
// container every core stage takes and returns.
export interface Image2D {
  width: number;
  height: number;
  data: Float32Array;
}

export function createImage(width: number, height: number, data?: Float32Array): Image2D {
  const n = width * height;
  if (data && data.length !== n) throw new RangeError(`image data has ${data.length} values, expected ${n}`);
  return { width, height, data: data ?? new Float32Array(n) };
}

export interface ImageStats {
  min: number;
  max: number;
  mean: number;
  std: number;
}

export function imageStats(data: ArrayLike<number>): ImageStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sum2 = 0;
  const n = data.length;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sum2 += v * v;
  }
  const mean = n ? sum / n : 0;
  const variance = n ? Math.max(0, sum2 / n - mean * mean) : 0;
  return { min: n ? min : 0, max: n ? max : 0, mean, std: Math.sqrt(variance) };
}

/** Copy of the region [x0, x1) x [y0, y1), clipped to the image (a detail view of a micrograph). */
export function cropImage(img: Image2D, x0: number, y0: number, x1: number, y1: number): Image2D {
  const left = Math.max(0, Math.floor(x0));
  const top = Math.max(0, Math.floor(y0));
  const w = Math.max(0, Math.min(img.width, Math.ceil(x1)) - left);
  const h = Math.max(0, Math.min(img.height, Math.ceil(y1)) - top);
  const out = createImage(w, h);
  for (let row = 0; row < h; row++) {
    const from = (top + row) * img.width + left;
    out.data.set(img.data.subarray(from, from + w), row * w);
  }
  return out;
}
