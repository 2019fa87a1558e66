// Micrograph-name matching and coordinate-file naming.
//
// Each program names a micrograph's coordinate file after the micrograph:
// - RELION autopick: <micrograph without extension>_autopick.star (autopicker.cpp:
//   getOutputRootName(fn_mic) + "_" + fn_out + ".star", fn_out = "autopick"); manual picking
//   writes _manualpick.star.
// - EMAN/crYOLO: <base>.box, crYOLO: <base>.cbox (CBOX folder), Topaz: image_name = base without
//   extension (one table for many micrographs), cryoSPARC/others: <base>.csv.
// So `Movies/mic_0001.mrc`, `mic_0001_autopick.star`, `mic_0001.box` and Topaz's `mic_0001` all
// reduce to the key `mic_0001`.
import type { CoordinateFormat } from './types';

/** Extensions removed from names (micrographs, movies, coordinate files, compression). */
const EXTENSIONS = [
  'mrc', 'mrcs', 'st', 'tif', 'tiff', 'eer', 'png', 'jpg', 'jpeg', 'dm4', 'hdf', 'spi',
  'star', 'box', 'cbox', 'txt', 'csv', 'tsv', 'coords', 'json', 'gz', 'bz2', 'xz', 'zst',
];

/** Suffixes pickers append to the micrograph base name. */
const SUFFIXES = ['_autopick', '_manualpick', '_manual', '_picks', '_picked', '_pick', '_coords', '_coordinates', '_particles', '_topaz', '_cryolo'];

const EXT_RE = new RegExp(`\\.(${EXTENSIONS.join('|')})$`, 'i');
const SUFFIX_RE = new RegExp(`(${SUFFIXES.join('|')})$`, 'i');

/** The last path component, for '/' and '\' separators alike. */
export function baseName(path: string): string {
  const parts = path.trim().split(/[\\/]/);
  return parts[parts.length - 1] ?? '';
}

/** File name without directories and without known extensions (`a/mic.mrc.gz` -> `mic`), and
 * without the spaces that ended up at its ends (`mic .mrc`: Topaz's image_name `mic ` is read
 * back as `mic`, so both must name the same micrograph). */
export function micrographBase(name: string): string {
  let b = baseName(name);
  for (let i = 0; i < 3 && EXT_RE.test(b); i++) b = b.replace(EXT_RE, '').trim();
  return b;
}

/** The key that names one micrograph across formats: base name without picker suffixes. */
export function micrographKey(name: string): string {
  let b = micrographBase(name);
  // Strip at most two suffixes (e.g. mic_coords_autopick) and never down to nothing.
  for (let i = 0; i < 2; i++) {
    const s = b.replace(SUFFIX_RE, '');
    if (s === b || s === '') break;
    b = s;
  }
  return b;
}

/** True when two names (micrograph, coordinate file or Topaz image_name) are the same micrograph. */
export function sameMicrograph(a: string, b: string): boolean {
  return micrographKey(a) === micrographKey(b);
}

/** File extension written for each format (with the dot). */
export function formatExtension(format: CoordinateFormat): string {
  switch (format) {
    case 'star':
      return '.star';
    case 'box':
      return '.box';
    case 'cbox':
      return '.cbox';
    case 'topaz':
      return '.txt';
    case 'csv':
      return '.csv';
  }
}

/** Output file name: `<base>_autopick.star`, `<base>.box`, `<base>.cbox`, `<base>.txt`, `<base>.csv`. */
export function coordinateFileName(micrographName: string, format: CoordinateFormat): string {
  const base = micrographBase(micrographName) || 'micrograph';
  return format === 'star' ? `${base}_autopick.star` : `${base}${formatExtension(format)}`;
}
