// Pixel sizes (Å per pixel) and diameters given in Å: one owner for the workbench's unit switch
// (src/app/diameter.ts) and the CLI's --diameter-angstrom (src/cli/pick.ts).

/** Whether a pixel size can convert: positive and finite. */
export function isUsablePixelSize(pixelSize: number | undefined): pixelSize is number {
  return typeof pixelSize === 'number' && Number.isFinite(pixelSize) && pixelSize > 0;
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
