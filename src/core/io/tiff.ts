// TIFF micrographs (single images and multi-page movies) through the `geotiff` package.
// Before geotiff sees the file, a small walker of our own checks the IFD chain against the
// TIFF 6.0 specification (Adobe, 1992; BigTIFF per the libtiff BigTIFF design note): it
// refuses loops in the page chain (geotiff's page count would never end), fields pointing
// outside the file and absurd image sizes, so a corrupt file cannot hang or allocate
// gigabytes. Pixel decoding (strips, tiles, compression, predictors) is geotiff's.
import { fromArrayBuffer } from 'geotiff';
import { DrpnetError, MicrographError } from '../errors';
import { createImage } from '../image';
import { averagedNote, checkFrame, decodedMicrograph, type Micrograph } from './micrograph-source';
import { BT601 } from './raster';

/** Largest side accepted, and largest page in pixels (as for MRC: one float32 plane < 2 GiB). */
export const TIFF_MAX_SIDE = 65536;
export const TIFF_MAX_PIXELS = 2 ** 31 / 4;
/** Most pages followed in one file. */
export const TIFF_MAX_PAGES = 100_000;
/** Compressed data may expand at most this much (deflate's limit is ~1032:1) plus 16 MiB. */
const MAX_EXPANSION = 1100;

export interface TiffPage {
  width: number;
  height: number;
  bitsPerSample: number;
  /** 1 unsigned integer, 2 signed integer, 3 IEEE float (TIFF tag 339). */
  sampleFormat: number;
  samplesPerPixel: number;
  /** 1 = uncompressed (TIFF tag 259). */
  compression: number;
  /** NewSubfileType bit 0: a reduced-resolution copy (thumbnail / pyramid level). */
  reduced: boolean;
}

// Field type sizes in bytes, TIFF 6.0 section 2 plus BigTIFF's LONG8/SLONG8/IFD8 (16-18).
const TYPE_SIZES: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
  16: 8,
  17: 8,
  18: 8,
};

const TAG = {
  newSubfileType: 254,
  width: 256,
  height: 257,
  bitsPerSample: 258,
  compression: 259,
  samplesPerPixel: 277,
  sampleFormat: 339,
} as const;

function corrupt(fileName: string, what: string): MicrographError {
  return new MicrographError('decode-failed', `the TIFF file is damaged: ${what}`, fileName);
}

/** Walks the IFD chain and returns the pages' basic fields; throws on any inconsistency. */
export function scanTiffPages(buffer: ArrayBuffer, fileName: string): TiffPage[] {
  const len = buffer.byteLength;
  if (len < 8) throw new MicrographError('truncated', `the file is ${len} bytes, too short for a TIFF header`, fileName);
  const v = new DataView(buffer);
  const b0 = v.getUint8(0);
  const le = b0 === 0x49;
  if (!((b0 === 0x49 && v.getUint8(1) === 0x49) || (b0 === 0x4d && v.getUint8(1) === 0x4d))) throw corrupt(fileName, 'no byte-order mark');
  const magic = v.getUint16(2, le);
  const big = magic === 43;
  if (magic !== 42 && !big) throw corrupt(fileName, `unknown version number ${magic}`);
  const u = (off: number, size: number): number => {
    if (off + size > len) throw corrupt(fileName, `a field at byte ${off} lies past the end of the file`);
    if (size === 1) return v.getUint8(off);
    if (size === 2) return v.getUint16(off, le);
    if (size === 4) return v.getUint32(off, le);
    return Number(v.getBigUint64(off, le));
  };
  const offSize = big ? 8 : 4;
  if (big && len < 16) throw new MicrographError('truncated', 'the file is too short for a BigTIFF header', fileName);
  const countSize = big ? 8 : 2;
  const entrySize = big ? 20 : 12;
  let ifd = u(big ? 8 : 4, offSize);
  const seen = new Set<number>();
  const pages: TiffPage[] = [];
  while (ifd !== 0) {
    if (seen.has(ifd)) throw corrupt(fileName, 'its page chain loops back on itself');
    if (pages.length >= TIFF_MAX_PAGES) throw corrupt(fileName, `more than ${TIFF_MAX_PAGES} pages`);
    seen.add(ifd);
    const n = u(ifd, countSize);
    const end = ifd + countSize + n * entrySize + offSize;
    if (end > len) throw corrupt(fileName, `page ${pages.length + 1} directory runs past the end of the file`);
    const fields = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const e = ifd + countSize + i * entrySize;
      const tag = u(e, 2);
      const type = u(e + 2, 2);
      const count = u(e + 4, offSize);
      const size = TYPE_SIZES[type];
      if (size === undefined) throw corrupt(fileName, `tag ${tag} has unknown field type ${type}`);
      const bytes = size * count;
      const valueAt = e + 4 + offSize;
      const dataAt = bytes <= offSize ? valueAt : u(valueAt, offSize);
      if (dataAt + bytes > len) throw corrupt(fileName, `tag ${tag} points past the end of the file`);
      // Keep the first value of the few numeric tags we need.
      if (count > 0 && (size === 1 || size === 2 || size === 4) && type !== 2) fields.set(tag, u(dataAt, size));
    }
    const width = fields.get(TAG.width) ?? 0;
    const height = fields.get(TAG.height) ?? 0;
    pages.push({
      width,
      height,
      bitsPerSample: fields.get(TAG.bitsPerSample) ?? 1,
      sampleFormat: fields.get(TAG.sampleFormat) ?? 1,
      samplesPerPixel: fields.get(TAG.samplesPerPixel) ?? 1,
      compression: fields.get(TAG.compression) ?? 1,
      reduced: ((fields.get(TAG.newSubfileType) ?? 0) & 1) === 1,
    });
    ifd = u(end - offSize, offSize);
  }
  if (pages.length === 0) throw corrupt(fileName, 'it has no pages');
  return pages;
}

function sampleTypeName(p: TiffPage): string {
  const kind = p.sampleFormat === 3 ? 'float' : p.sampleFormat === 2 ? 'signed integer' : 'unsigned integer';
  return `${p.bitsPerSample}-bit ${kind}`;
}

function checkPage(p: TiffPage, index: number, bufferBytes: number, fileName: string): void {
  const where = `page ${index + 1}`;
  if (!(p.width >= 1 && p.width <= TIFF_MAX_SIDE && p.height >= 1 && p.height <= TIFF_MAX_SIDE) || p.width * p.height > TIFF_MAX_PIXELS)
    throw new MicrographError(
      'bad-dimensions',
      `${where} is ${p.width} x ${p.height} pixels; each side must be 1..${TIFF_MAX_SIDE} and a page at most ${TIFF_MAX_PIXELS} pixels`,
      fileName,
    );
  const intOk = (p.sampleFormat === 1 || p.sampleFormat === 2) && [8, 16, 32].includes(p.bitsPerSample);
  const floatOk = p.sampleFormat === 3 && [16, 32, 64].includes(p.bitsPerSample);
  if (!intOk && !floatOk)
    throw new MicrographError(
      'unsupported-format',
      `${where} holds ${sampleTypeName(p)} samples; supported are 8/16/32-bit integers and 16/32/64-bit floats`,
      fileName,
    );
  if (p.samplesPerPixel !== 1 && p.samplesPerPixel < 3)
    throw new MicrographError(
      'unsupported-format',
      `${where} has ${p.samplesPerPixel} samples per pixel; expected 1 (grey) or 3+ (RGB)`,
      fileName,
    );
  const decoded = p.width * p.height * p.samplesPerPixel * (p.bitsPerSample / 8);
  if (p.compression === 1 && decoded > bufferBytes)
    throw new MicrographError(
      'truncated',
      `${where} needs ${decoded.toLocaleString('en-US')} bytes of pixels, the file holds ${bufferBytes.toLocaleString('en-US')}`,
      fileName,
    );
  if (decoded > bufferBytes * MAX_EXPANSION + 2 ** 24)
    throw corrupt(
      fileName,
      `${where} claims ${p.width} x ${p.height} pixels, far more than ${bufferBytes.toLocaleString('en-US')} compressed bytes can hold`,
    );
}

export interface ReadTiffOptions {
  /** 0-based page to read instead of averaging all full-resolution pages. */
  frame?: number;
}

/** Reads a TIFF micrograph; multi-page files are averaged unless `frame` picks a page. RGB
 * pages are converted to grey with BT.601 luma weights. */
export async function readTiff(buffer: ArrayBuffer, fileName: string, opts: ReadTiffOptions = {}): Promise<Micrograph> {
  if (buffer.byteLength === 0) throw new MicrographError('empty-file', 'the file is empty (0 bytes)', fileName);
  const all = scanTiffPages(buffer, fileName);
  // Index into the full chain, skipping reduced-resolution copies (thumbnails, pyramids).
  const full = all.map((p, i) => ({ p, i })).filter((x) => !x.p.reduced);
  if (full.length === 0) throw corrupt(fileName, 'it holds only reduced-resolution pages');
  if (opts.frame !== undefined) checkFrame(opts.frame, full.length, fileName, 'page');
  const chosen = opts.frame === undefined ? full : [full[opts.frame]];
  const { width, height } = chosen[0].p;
  for (const { p, i } of chosen) {
    checkPage(p, i, buffer.byteLength, fileName);
    if (p.width !== width || p.height !== height)
      throw new MicrographError(
        'bad-dimensions',
        `page ${i + 1} is ${p.width} x ${p.height}, page ${chosen[0].i + 1} is ${width} x ${height}; pages must match to be averaged`,
        fileName,
      );
  }

  const out = new Float32Array(width * height);
  try {
    const tiff = await fromArrayBuffer(buffer);
    for (const { p, i } of chosen) {
      const image = await tiff.getImage(i);
      const rgb = p.samplesPerPixel >= 3;
      const rasters = await image.readRasters({ samples: rgb ? [0, 1, 2] : [0], interleave: false });
      if (rasters.length !== (rgb ? 3 : 1) || rasters[0].length !== out.length)
        throw new Error(`page ${i + 1} decoded to an unexpected size`);
      if (rgb) {
        const [r, g, b] = rasters;
        for (let k = 0; k < out.length; k++) out[k] += BT601.r * r[k] + BT601.g * g[k] + BT601.b * b[k];
      } else {
        const s = rasters[0];
        for (let k = 0; k < out.length; k++) out[k] += s[k];
      }
    }
  } catch (e) {
    if (e instanceof DrpnetError) throw e;
    throw new MicrographError('decode-failed', `could not decode the TIFF image (${e instanceof Error ? e.message : String(e)})`, fileName);
  }
  if (chosen.length > 1) {
    const inv = 1 / chosen.length;
    for (let k = 0; k < out.length; k++) out[k] *= inv;
  }
  const notes: string[] = [];
  if (chosen.length > 1) notes.push(averagedNote(chosen.length, 'pages'));
  else if (full.length > 1) notes.push(`page ${opts.frame} of ${full.length}`);
  if (chosen[0].p.samplesPerPixel >= 3) notes.push('colour converted to grey (BT.601 luma)');
  return decodedMicrograph(createImage(width, height, out), {
    frames: full.length,
    averaged: chosen.length > 1,
    format: 'tiff',
    note: notes.length ? notes.join('; ') : undefined,
  });
}
