// PNG / JPEG micrographs. Core has no DOM, so the pixel decoding is injected by the host: the
// browser worker passes a decoder built on createImageBitmap + OffscreenCanvas; Node has none.
// Note: canvas decoding yields 8 bits per channel, so 16-bit PNGs lose precision here.
import { MicrographError } from '../errors';
import { createImage, type Image2D } from '../image';
import { decodedMicrograph, type Micrograph } from './micrograph-source';

export type RasterDecoder = (
  bytes: ArrayBuffer,
  mime: string,
) => Promise<{ width: number; height: number; rgba: Uint8ClampedArray }>;

export type RasterFormat = 'png' | 'jpeg';

const MIME: Record<RasterFormat, string> = { png: 'image/png', jpeg: 'image/jpeg' };

/** Luma weights of ITU-R BT.601 (Y' = 0.299 R + 0.587 G + 0.114 B). */
export const BT601 = { r: 0.299, g: 0.587, b: 0.114 } as const;

/** RGBA (8 bits per channel, row-major) -> grey in 0..255; alpha is ignored. */
export function rgbaToGrey(rgba: ArrayLike<number>, width: number, height: number): Image2D {
  const n = width * height;
  if (rgba.length !== n * 4) throw new RangeError(`RGBA data has ${rgba.length} values, expected ${n * 4}`);
  const out = new Float32Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 4) out[i] = BT601.r * rgba[j] + BT601.g * rgba[j + 1] + BT601.b * rgba[j + 2];
  return createImage(width, height, out);
}

/** Decodes a PNG/JPEG through the host's decoder and converts it to grey. */
export async function decodeRaster(
  buffer: ArrayBuffer,
  fileName: string,
  format: RasterFormat,
  decoder?: RasterDecoder,
): Promise<Micrograph> {
  const label = format.toUpperCase();
  if (!decoder)
    throw new MicrographError(
      'unsupported-format',
      `${label} micrographs can only be opened in the browser workbench; convert the file to MRC or TIFF for the command line`,
      fileName,
    );
  let decoded: Awaited<ReturnType<RasterDecoder>>;
  try {
    decoded = await decoder(buffer, MIME[format]);
  } catch (e) {
    throw new MicrographError('decode-failed', `could not decode the ${label} image (${e instanceof Error ? e.message : String(e)})`, fileName);
  }
  const { width, height, rgba } = decoded;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) || rgba.length !== width * height * 4)
    throw new MicrographError('decode-failed', `the ${label} decoder returned an inconsistent image (${width} x ${height}, ${rgba.length} bytes)`, fileName);
  return decodedMicrograph(rgbaToGrey(rgba, width, height), { frames: 1, averaged: false, format });
}
