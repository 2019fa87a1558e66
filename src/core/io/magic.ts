// Recognises a file by its first bytes ("magic numbers"), so a PNG renamed .mrc is reported
// as a PNG, and dispatch does not trust file extensions alone.
// Signatures: PNG spec (89 50 4E 47 0D 0A 1A 0A), TIFF 6.0 ('II*\0' / 'MM\0*'), BigTIFF
// ('II+\0' / 'MM\0+'), JPEG (FF D8 FF), GIF87a/89a, BMP ('BM'), gzip (1F 8B), zip ('PK\3\4'),
// bzip2 ('BZh'), PDF ('%PDF'), HDF5 (89 'HDF' 0D 0A 1A 0A), MRC2014 ('MAP ' at byte 208).

export type FileKind = 'mrc' | 'tiff' | 'png' | 'jpeg' | 'gif' | 'bmp' | 'gzip' | 'zip' | 'bzip2' | 'pdf' | 'hdf5' | 'text';

function startsWith(bytes: Uint8Array, sig: readonly number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[at + i] !== sig[i]) return false;
  return true;
}

const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

/** True when the first bytes look like human-readable text (no NULs, mostly printable). */
function looksLikeText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 512);
  if (n === 0) return false;
  let printable = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0) return false;
    if ((b >= 32 && b < 127) || b === 9 || b === 10 || b === 13 || b >= 128) printable++;
  }
  return printable / n > 0.95;
}

/** The kind of file the bytes start like, or undefined when no signature matches. */
export function sniffMagic(bytes: Uint8Array): FileKind | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (
    startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]) ||
    startsWith(bytes, [0x49, 0x49, 0x2b, 0x00]) ||
    startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2b])
  )
    return 'tiff';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, ascii('GIF87a')) || startsWith(bytes, ascii('GIF89a'))) return 'gif';
  if (startsWith(bytes, [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])) return 'hdf5';
  if (startsWith(bytes, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
  if (startsWith(bytes, ascii('BZh'))) return 'bzip2';
  if (startsWith(bytes, ascii('%PDF'))) return 'pdf';
  if (startsWith(bytes, ascii('MAP '), 208)) return 'mrc';
  // BMP's 'BM' is only two bytes; require its reserved header words to be zero as well.
  if (startsWith(bytes, ascii('BM')) && bytes.length >= 14 && bytes[6] === 0 && bytes[7] === 0 && bytes[8] === 0 && bytes[9] === 0)
    return 'bmp';
  if (looksLikeText(bytes)) return 'text';
  return undefined;
}

const DESCRIPTIONS: Record<FileKind, string> = {
  mrc: 'an MRC file',
  tiff: 'a TIFF image',
  png: 'a PNG image',
  jpeg: 'a JPEG image',
  gif: 'a GIF image',
  bmp: 'a BMP image',
  gzip: 'gzip-compressed data (decompress it first)',
  zip: 'a zip archive (extract it first)',
  bzip2: 'bzip2-compressed data (decompress it first)',
  pdf: 'a PDF document',
  hdf5: 'an HDF5 file',
  text: 'a text file',
};

/** "a PNG image", "a text file", ... for error messages. */
export function describeKind(kind: FileKind): string {
  return DESCRIPTIONS[kind];
}
