// 2D FFT helpers for real images, built on the radix-4 `fft.js` package (1D, power-of-two
// sizes only). A real image of W x H (both powers of two) has a Hermitian spectrum, so only
// the W/2+1 non-negative x-frequencies are kept ("half spectrum", as in FFTW's r2c).
// Sign convention: forward X[k] = sum x[n] exp(-2 pi i k n / N); the inverse divides by N.

import FFT from 'fft.js';

export function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 1 && (n & (n - 1)) === 0;
}

/** Smallest power of two >= n (and >= 2). */
export function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/** Spectrum of a real W x H image: rows of W/2+1 complex values, interleaved re, im. */
export interface HalfSpectrum {
  width: number;
  height: number;
  /** W/2 + 1 */
  cols: number;
  data: Float32Array;
}

/** Signed frequency index of FFT bin k in a transform of length n: 0..n/2-1, then -n/2..-1. */
export function signedIndex(k: number, n: number): number {
  return k < n / 2 ? k : k - n;
}

function checkSize(width: number, height: number): void {
  if (!isPow2(width) || !isPow2(height)) {
    throw new RangeError(`FFT sizes must be powers of two, got ${width} x ${height}`);
  }
}

// Columns are gathered a few at a time so each row read touches one cache line, not one
// value: a plain strided gather is several times slower on 4096-pixel images.
const COLUMN_BLOCK = 8;

function transformColumns(spec: HalfSpectrum, inverse: boolean): void {
  const { height, cols, data } = spec;
  const fft = new FFT(height);
  const ins: Float64Array[] = [];
  const outs: Float64Array[] = [];
  for (let b = 0; b < COLUMN_BLOCK; b++) {
    ins.push(new Float64Array(2 * height));
    outs.push(new Float64Array(2 * height));
  }
  const stride = 2 * cols;
  for (let c0 = 0; c0 < cols; c0 += COLUMN_BLOCK) {
    const nb = Math.min(COLUMN_BLOCK, cols - c0);
    for (let y = 0; y < height; y++) {
      const row = y * stride + 2 * c0;
      for (let b = 0; b < nb; b++) {
        ins[b][2 * y] = data[row + 2 * b];
        ins[b][2 * y + 1] = data[row + 2 * b + 1];
      }
    }
    for (let b = 0; b < nb; b++) {
      if (inverse) fft.inverseTransform(outs[b], ins[b]);
      else fft.transform(outs[b], ins[b]);
    }
    for (let y = 0; y < height; y++) {
      const row = y * stride + 2 * c0;
      for (let b = 0; b < nb; b++) {
        data[row + 2 * b] = outs[b][2 * y];
        data[row + 2 * b + 1] = outs[b][2 * y + 1];
      }
    }
  }
}

/** Forward 2D FFT of a real image whose sides are powers of two. */
export function rfft2d(pixels: ArrayLike<number>, width: number, height: number): HalfSpectrum {
  checkSize(width, height);
  if (pixels.length !== width * height) throw new RangeError(`expected ${width * height} pixels, got ${pixels.length}`);
  const cols = width / 2 + 1;
  const data = new Float32Array(2 * cols * height);
  const fft = new FFT(width);
  const rowIn = new Float64Array(width);
  const rowOut = new Float64Array(2 * width);
  for (let y = 0; y < height; y++) {
    const src = y * width;
    for (let x = 0; x < width; x++) rowIn[x] = pixels[src + x];
    fft.realTransform(rowOut, rowIn);
    const dst = 2 * cols * y;
    for (let i = 0; i < 2 * cols; i++) data[dst + i] = rowOut[i];
  }
  const spec: HalfSpectrum = { width, height, cols, data };
  transformColumns(spec, false);
  return spec;
}

/** Inverse of rfft2d. Consumes (overwrites) the spectrum's data. */
export function irfft2d(spec: HalfSpectrum): Float32Array {
  const { width, height, cols, data } = spec;
  checkSize(width, height);
  transformColumns(spec, true);
  const out = new Float32Array(width * height);
  const fft = new FFT(width);
  const rowIn = new Float64Array(2 * width);
  const rowOut = new Float64Array(2 * width);
  for (let y = 0; y < height; y++) {
    const src = 2 * cols * y;
    for (let i = 0; i < 2 * cols; i++) rowIn[i] = data[src + i];
    // Each row is now the 1D spectrum of a real row: rebuild the negative frequencies.
    for (let k = cols; k < width; k++) {
      rowIn[2 * k] = rowIn[2 * (width - k)];
      rowIn[2 * k + 1] = -rowIn[2 * (width - k) + 1];
    }
    fft.inverseTransform(rowOut, rowIn);
    const dst = y * width;
    for (let x = 0; x < width; x++) out[dst + x] = rowOut[2 * x];
  }
  return out;
}

/**
 * Multiply the half spectrum by a real filter given as a function of frequency in cycles per
 * pixel (fx in [0, 0.5], fy in [-0.5, 0.5)).
 */
export function multiplyHalfSpectrum(spec: HalfSpectrum, filter: (fx: number, fy: number) => number): void {
  const { width, height, cols, data } = spec;
  for (let y = 0; y < height; y++) {
    const fy = signedIndex(y, height) / height;
    const row = 2 * cols * y;
    for (let kx = 0; kx < cols; kx++) {
      const g = filter(kx / width, fy);
      data[row + 2 * kx] *= g;
      data[row + 2 * kx + 1] *= g;
    }
  }
}

/** Mirror-pad a W x H image to pw x ph (pw >= W, ph >= H); mirroring avoids a seam at the wrap. */
export function padMirror(pixels: ArrayLike<number>, width: number, height: number, pw: number, ph: number): Float32Array {
  const out = new Float32Array(pw * ph);
  const reflect = (i: number, n: number): number => {
    const period = 2 * n;
    let j = i % period;
    if (j >= n) j = period - 1 - j;
    return j;
  };
  for (let y = 0; y < ph; y++) {
    const sy = reflect(y, height) * width;
    for (let x = 0; x < pw; x++) out[y * pw + x] = pixels[sy + reflect(x, width)];
  }
  return out;
}

/**
 * Filter a real image of any size by a real, even frequency response (cycles per pixel).
 * Sizes that are not powers of two are mirror-padded to the next power of two and cropped back.
 */
export function filterImage(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  filter: (fx: number, fy: number) => number,
): Float32Array {
  const pw = nextPow2(width);
  const ph = nextPow2(height);
  const padded = pw === width && ph === height ? Float32Array.from(pixels) : padMirror(pixels, width, height, pw, ph);
  const spec = rfft2d(padded, pw, ph);
  multiplyHalfSpectrum(spec, filter);
  const full = irfft2d(spec);
  if (pw === width && ph === height) return full;
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) out.set(full.subarray(y * pw, y * pw + width), y * width);
  return out;
}
