// Contrast of the 8-bit display image where it is shown (the page): the engine already
// stretched it; the user narrows or widens the window by percentiles without a round trip to a
// worker that may be busy picking. Pure, so it is tested in Node with the rest of core.

/** 256-bin histogram of 8-bit values. */
export function histogram8(data: Uint8ClampedArray): Uint32Array {
  const h = new Uint32Array(256);
  for (let i = 0; i < data.length; i++) h[data[i]]++;
  return h;
}

/** Smallest grey value v such that at least p percent of pixels are <= v (p in 0..100). */
export function percentileFromHistogram(hist: Uint32Array, p: number): number {
  let total = 0;
  for (let i = 0; i < 256; i++) total += hist[i];
  if (total === 0) return 0;
  const target = (Math.min(100, Math.max(0, p)) / 100) * total;
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v];
    if (acc >= target && acc > 0) return v;
  }
  return 255;
}

/** Lookup table mapping [lo, hi] linearly onto [0, 255] (clamped outside). */
export function windowLut(lo: number, hi: number): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256);
  const span = Math.max(1, hi - lo);
  for (let v = 0; v < 256; v++) lut[v] = Math.round(((v - lo) / span) * 255);
  return lut;
}

/** Contrast window for the given low/high percentiles of the image's histogram. */
export function percentileLut(hist: Uint32Array, lowPct: number, highPct: number): Uint8ClampedArray {
  const lo = percentileFromHistogram(hist, lowPct);
  const hi = Math.max(lo + 1, percentileFromHistogram(hist, highPct));
  return windowLut(lo, hi);
}

/** Whether this machine stores the low byte of a word first (every browser platform in use does). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Opaque RGBA pixels of a grey image through a lookup table. One 32-bit write per pixel from a
 * table of whole RGBA words: a 2048 x 2048 display on the main thread, where four byte writes
 * each took several times as long (a tester saw the page stall while large micrographs opened).
 */
export function greyToRgba(data: Uint8ClampedArray, lut: Uint8ClampedArray): Uint8ClampedArray {
  const words = new Uint32Array(256);
  for (let v = 0; v < 256; v++) {
    const g = lut[v];
    words[v] = LITTLE_ENDIAN ? (0xff000000 | (g << 16) | (g << 8) | g) >>> 0 : ((g << 24) | (g << 16) | (g << 8) | 0xff) >>> 0;
  }
  const out = new Uint32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = words[data[i]];
  return new Uint8ClampedArray(out.buffer);
}
