// PNG and JPEG micrographs, decoded in pure JavaScript so the CLI (Node, no native binary) and the
// browser worker read them the same way. PNG keeps its full depth: a 16-bit micrograph stays
// 0..65535 (a canvas would give 8 bits). Colour images become grey with BT.601 luma weights.
import { decode as decodePngBytes, convertIndexedToRgb, type DecodedPng } from 'fast-png';
import { decode as decodeJpegBytes } from 'jpeg-js';
import { MicrographError } from '../errors';
import { createImage, type Image2D } from '../image';
import { formatFromFileName } from './formats';
import { decodedMicrograph, type Micrograph } from './micrograph-source';

export type RasterFormat = 'png' | 'jpeg';

/** Luma weights of ITU-R BT.601 (Y' = 0.299 R + 0.587 G + 0.114 B). */
export const BT601 = { r: 0.299, g: 0.587, b: 0.114 } as const;

/** Largest raster we decode, in pixels (64k x 64k is far beyond any detector; guards memory). */
const MAX_PIXELS = 2 ** 30;

/**
 * Interleaved samples (`channels` per pixel, row-major) -> grey. 1 or 2 channels: the first
 * (grey, alpha ignored); 3 or 4: BT.601 luma of R, G, B (alpha ignored).
 */
export function samplesToGrey(samples: ArrayLike<number>, width: number, height: number, channels: number): Image2D {
  const n = width * height;
  if (!(channels >= 1 && channels <= 4)) throw new RangeError(`expected 1..4 channels per pixel, got ${channels}`);
  if (samples.length !== n * channels) throw new RangeError(`image data has ${samples.length} values, expected ${n * channels}`);
  const out = new Float32Array(n);
  if (channels <= 2) {
    for (let i = 0, j = 0; i < n; i++, j += channels) out[i] = samples[j];
  } else {
    for (let i = 0, j = 0; i < n; i++, j += channels) out[i] = BT601.r * samples[j] + BT601.g * samples[j + 1] + BT601.b * samples[j + 2];
  }
  return createImage(width, height, out);
}

/** Grey samples of 1, 2 or 4 bits, packed MSB first with each row starting on a byte: one value per pixel. */
export function unpackBits(packed: ArrayLike<number>, width: number, height: number, depth: 1 | 2 | 4): Uint8Array {
  const rowBytes = Math.ceil((width * depth) / 8);
  const perByte = 8 / depth;
  const mask = (1 << depth) - 1;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const byte = packed[y * rowBytes + Math.floor(x / perByte)];
      const shift = 8 - depth * ((x % perByte) + 1);
      out[y * width + x] = (byte >> shift) & mask;
    }
  }
  return out;
}

function pngToGrey(png: DecodedPng): Image2D {
  const { width, height } = png;
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    return samplesToGrey(rgb, width, height, png.palette[0].length);
  }
  if (png.depth < 8) return samplesToGrey(unpackBits(png.data, width, height, png.depth as 1 | 2 | 4), width, height, 1);
  return samplesToGrey(png.data, width, height, png.channels);
}

/** What ends every file of the format: PNG's IEND chunk (its length, type and CRC), JPEG's end-of-image marker. */
const END_MARK = { png: 'IEND chunk', jpeg: 'end-of-image marker' } as const;
const PNG_IEND = [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

/** Whether the bytes end as a whole file does (JPEG: the marker may be followed by padding). */
function endsWhole(bytes: Uint8Array, format: RasterFormat): boolean {
  if (format === 'png') return bytes.length >= 12 && PNG_IEND.every((b, i) => bytes[bytes.length - 12 + i] === b);
  for (let i = bytes.length - 2; i >= Math.max(0, bytes.length - 4096); i--) if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  return false;
}

function checkSize(width: number, height: number, label: string, fileName: string): void {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0))
    throw new MicrographError('bad-dimensions', `the ${label} header gives ${width} x ${height} pixels`, fileName);
  if (width * height > MAX_PIXELS)
    throw new MicrographError(
      'bad-dimensions',
      `the ${label} image is ${width} x ${height} pixels, more than ${MAX_PIXELS.toLocaleString('en-US')}`,
      fileName,
    );
}

/** Decodes a PNG or JPEG micrograph to grey at its own bit depth (8-bit: 0..255, 16-bit: 0..65535). */
export function decodeRaster(buffer: ArrayBuffer, fileName: string, format: RasterFormat): Micrograph {
  const label = format.toUpperCase();
  const bytes = new Uint8Array(buffer);
  let image: Image2D;
  let depth: number;
  let colour: boolean;
  try {
    if (format === 'png') {
      const png = decodePngBytes(bytes);
      checkSize(png.width, png.height, label, fileName);
      image = pngToGrey(png);
      depth = png.depth;
      // A grey image saved as RGB(A) or with a grey palette is not colour.
      colour = png.palette ? !isGrey(png.palette.flat(), png.palette[0].length) : png.channels >= 3 && !isGrey(png.data, png.channels);
    } else {
      // The decoder's own limits are set above ours, so MAX_PIXELS is the one that applies.
      const jpg = decodeJpegBytes(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: MAX_PIXELS / 1e6,
        maxMemoryUsageInMB: 16384,
      });
      checkSize(jpg.width, jpg.height, label, fileName);
      image = samplesToGrey(jpg.data, jpg.width, jpg.height, 4);
      depth = 8;
      colour = !isGrey(jpg.data, 4);
    }
  } catch (e) {
    if (e instanceof MicrographError) throw e;
    if (!endsWhole(bytes, format))
      throw new MicrographError(
        'truncated',
        `the ${label} file is cut short: it stops before the ${END_MARK[format]} that ends every ${label} (${bytes.length.toLocaleString('en-US')} bytes); was it copied or downloaded completely?`,
        fileName,
      );
    const why = (e instanceof Error ? e.message : String(e)).replace(/[\s:]+$/, '');
    // The decoder's words (a DataView offset, a zlib code) name no cause a user can act on: say what it may mean.
    throw new MicrographError(
      'decode-failed',
      `the ${label} data cannot be decoded (${why}): the file is damaged (copy it again from its source), or a kind of ${label} this program does not read (save it again as a plain ${label}, or as TIFF or MRC)`,
      fileName,
    );
  }
  // What the reader decided on the user's behalf, said with the picks (a tester's colour PNG and a JPEG named .png passed unremarked).
  const named = formatFromFileName(fileName);
  const notes = [
    depth !== 8 ? `${depth}-bit ${label}` : undefined,
    colour ? `colour ${label}, read as grey` : undefined,
    named && named !== format ? `a ${label} file named ${fileName.slice(fileName.lastIndexOf('.'))}` : undefined,
  ].filter(Boolean);
  return decodedMicrograph(image, { frames: 1, averaged: false, format, note: notes.join('; ') || undefined });
}

/** Whether interleaved RGB(A) samples hold a grey image (R = G = B everywhere): JPEG decodes to RGBA either way. */
function isGrey(samples: ArrayLike<number>, channels: number): boolean {
  for (let i = 0; i < samples.length; i += channels) if (samples[i] !== samples[i + 1] || samples[i + 1] !== samples[i + 2]) return false;
  return true;
}
