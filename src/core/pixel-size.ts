// Pixel sizes (Å per pixel) and diameters given in Å: one owner for the workbench's unit switch
// (src/app/diameter.ts) and the CLI's --diameter-angstrom (src/cli/pick.ts).

/** Whether a pixel size can convert: positive and finite. */
export function isUsablePixelSize(pixelSize: number | undefined): pixelSize is number {
  return typeof pixelSize === 'number' && Number.isFinite(pixelSize) && pixelSize > 0;
}

/**
 * Pixel sizes a header may give, Å/px: micrographs lie near 0.3-5, negative stain and binned
 * tomograms up to tens. Outside, the header was written wrong (a tester's said 1000 Å/px, and
 * picking at 0.1 px kept 4531 junk picks): it is taken as unknown, as a missing one is.
 */
export const PLAUSIBLE_PIXEL_SIZE = { min: 0.1, max: 50 } as const;

export function isPlausiblePixelSize(pixelSize: number): boolean {
  return pixelSize >= PLAUSIBLE_PIXEL_SIZE.min && pixelSize <= PLAUSIBLE_PIXEL_SIZE.max;
}

/** Pixel sizes closer than this fraction are one (headers and STAR files round differently). */
export const PIXEL_SIZE_TOLERANCE = 0.01;

/** Whether two pixel sizes are the same one, within PIXEL_SIZE_TOLERANCE. */
export function samePixelSize(a: number, b: number): boolean {
  return Math.abs(a / b - 1) <= PIXEL_SIZE_TOLERANCE;
}

/** A length in Å as pixels of a micrograph with this pixel size (unrounded). */
export function angstromToPixels(angstrom: number, pixelSize: number): number {
  return angstrom / pixelSize;
}

/** A length in pixels as Å (unrounded). */
export function pixelsToAngstrom(px: number, pixelSize: number): number {
  return px * pixelSize;
}

/** Diameters are set and shown to a tenth, in px and in Å (the workbench's field, the CLI's conversion). */
export function toTenth(value: number): number {
  return Math.round(value * 10) / 10;
}

/** A header's pixel size as people write it (float32 headers give 1.2999999523 for 1.3). */
export function formatPixelSize(pixelSize: number): string {
  return String(Number(pixelSize.toPrecision(5)));
}
