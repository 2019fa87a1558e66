// Colour-maps the detector probability map into RGBA pixels, once per map (not per frame).
// Colour map: matplotlib "viridis" (S. van der Walt & N. Smith, 2015; BIDS/colormap), sampled
// at the 9 published stops 0, 1/8, ..., 1 (the hex values d3-scale-chromatic documents for
// interpolateViridis) and interpolated linearly between them — perceptually uniform enough
// for an overlay and readable by colour-blind users.
const VIRIDIS_STOPS: ReadonlyArray<readonly [number, number, number]> = [
  [0x44, 0x01, 0x54],
  [0x48, 0x28, 0x78],
  [0x3e, 0x49, 0x89],
  [0x31, 0x68, 0x8e],
  [0x26, 0x82, 0x8e],
  [0x1f, 0x9e, 0x89],
  [0x35, 0xb7, 0x79],
  [0x6d, 0xcd, 0x59],
  [0xfd, 0xe7, 0x25],
];

/** 256-entry RGB lookup table (768 bytes) of the colour map. */
export function viridisLut(): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 3);
  const segments = VIRIDIS_STOPS.length - 1;
  for (let i = 0; i < 256; i++) {
    const t = (i / 255) * segments;
    const s = Math.min(segments - 1, Math.floor(t));
    const f = t - s;
    const a = VIRIDIS_STOPS[s];
    const b = VIRIDIS_STOPS[s + 1];
    for (let c = 0; c < 3; c++) lut[i * 3 + c] = Math.round(a[c] + (b[c] - a[c]) * f);
  }
  return lut;
}

const LUT = viridisLut();

/**
 * RGBA pixels for a map with values in [0,1] (values outside are clamped; NaN counts as 0).
 * The detector's map is mostly near 0 with narrow peaks, so values are shown through a square
 * root (a display gamma of 0.5) to make the flanks of the peaks visible. Alpha grows with the
 * shown value (full at 2/3) so empty background does not hide the micrograph.
 */
export function colourizeMap(map: Float32Array, width: number, height: number): Uint8ClampedArray {
  const n = width * height;
  if (map.length < n) throw new RangeError(`heatmap has ${map.length} values, expected ${n}`);
  const out = new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const raw = map[i];
    const v = Math.sqrt(raw > 0 ? (raw < 1 ? raw : 1) : 0);
    const k = Math.round(v * 255) * 3;
    const o = i * 4;
    out[o] = LUT[k];
    out[o + 1] = LUT[k + 1];
    out[o + 2] = LUT[k + 2];
    out[o + 3] = Math.min(255, Math.round(v * 1.5 * 255));
  }
  return out;
}
