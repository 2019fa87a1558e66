// Micrograph-name matching and coordinate-file naming.
//
// Each program names a micrograph's coordinate file after the micrograph:
// - RELION autopick: <micrograph without extension>_autopick.star (autopicker.cpp:
//   getOutputRootName(fn_mic) + "_" + fn_out + ".star", fn_out = "autopick"); manual picking
//   writes _manualpick.star.
// - EMAN/crYOLO: <base>.box, crYOLO: <base>.cbox (CBOX folder), Topaz: image_name = base without
//   extension (one table for many micrographs), cryoSPARC/others: <base>.csv.
// So `Movies/mic_0001.mrc`, `mic_0001_autopick.star`, `mic_0001.box` and Topaz's `mic_0001` all
// reduce to the key `mic_0001`. The format tables (io/formats.ts, coords/formats.ts) give the
// extensions; the other names here are what people and pickers add.
import { baseName } from '../file-names';
import { MICROGRAPH_EXTENSIONS } from '../io/formats';
import { COORDINATE_EXTENSIONS, COORDINATE_FORMATS, type CoordinateFormat } from './formats';

export { baseName };

/** Extensions removed from names besides the formats' own: other movie and image formats, other tables, compression. */
const OTHER_EXTENSIONS = ['eer', 'dm4', 'hdf', 'spi', 'coords', 'json', 'gz', 'bz2', 'xz', 'zst'];
const EXTENSIONS = [...MICROGRAPH_EXTENSIONS, ...COORDINATE_EXTENSIONS, ...OTHER_EXTENSIONS];

/** Suffixes pickers and people append to the micrograph base name (RELION, crYOLO, Topaz, ground truth). */
const SUFFIXES = [
  '_autopick',
  '_automatch', // Gautomatch's <mic>_automatch.star / .box
  '_manualpick',
  '_manual',
  '_picks',
  '_picked',
  '_pick',
  '_coords',
  '_coordinates',
  '_particles',
  '_topaz',
  '_cryolo',
  '_truth',
  '_gt',
];

const EXT_RE = new RegExp(`\\.(${EXTENSIONS.join('|')})$`, 'i');
const SUFFIX_RE = new RegExp(`(${SUFFIXES.join('|')})$`, 'i');

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

/** micrographKey with case ignored: what the workbench and the CLI match coordinate files to micrographs by. */
export function micrographMatchKey(name: string): string {
  return micrographKey(name).toLowerCase();
}

/**
 * For many coordinate names against one list of micrographs, its lookups built once: the
 * micrograph of `micrographNames` that a coordinate file (or a micrograph name inside one)
 * belongs to, or undefined. Case is ignored. Tries, in order: the same base name; the same
 * micrographKey (picker suffixes removed); the longest micrograph base name the coordinate
 * name starts with, followed by '_', '-' or '.' (`mic_01_topaz-run3.txt` -> `mic_01.mrc`).
 */
export function micrographMatcher(micrographNames: readonly string[]): (coordinateName: string) => string | undefined {
  const lower = (s: string) => s.toLowerCase();
  const byBase = new Map<string, string>();
  const byKey = new Map<string, string>();
  for (const m of micrographNames) {
    byBase.set(lower(micrographBase(m)), m);
    byKey.set(micrographMatchKey(m), m);
  }
  return (coordinateName) => {
    const base = lower(micrographBase(coordinateName));
    const hit = byBase.get(base) ?? byKey.get(micrographMatchKey(coordinateName));
    if (hit) return hit;
    let best: string | undefined;
    let bestLength = 0;
    for (const [b, m] of byBase) {
      if (b.length > bestLength && base.startsWith(b) && /^[_\-.]/.test(base.slice(b.length))) {
        best = m;
        bestLength = b.length;
      }
    }
    return best;
  };
}

/**
 * The micrograph of `micrographNames` that is the micrograph `name` (a file loaded, named as a
 * project's STAR may name it from elsewhere): the same base name, case ignored, folders and
 * extension aside. No prefix rule: `mic_01_noDW.mrc` is another micrograph than `mic_01.mrc`.
 */
export function sameMicrographMatcher(micrographNames: readonly string[]): (name: string) => string | undefined {
  const byBase = new Map<string, string>();
  for (const m of micrographNames) byBase.set(micrographBase(m).toLowerCase(), m);
  return (name) => byBase.get(micrographBase(name).toLowerCase());
}

/**
 * Two micrograph names of one table that this program cannot tell apart although they are
 * different micrographs: the same file name in different folders (a particles STAR pooling two
 * sessions, `Session1/Movies/a.mrc` and `Session2/Movies/a.mrc`). RELION tells them apart by the
 * whole path; every reader here matches by file name, so their picks would be merged.
 */
export function clashingMicrographNames(names: Iterable<string>): [string, string] | undefined {
  // The first name seen in each folder, by micrograph; a name without a folder fits any (`a` beside `Movies/a.mrc`).
  const seen = new Map<string, Map<string, string>>();
  for (const n of names) {
    const folder = folderOf(n);
    if (!folder) continue;
    const key = micrographMatchKey(n);
    const folders = seen.get(key) ?? new Map<string, string>();
    seen.set(key, folders);
    const other = [...folders].find(([f]) => f !== folder);
    if (other) return [other[1], n];
    folders.set(folder, n);
  }
  return undefined;
}

/** The folder part of a name (`Session1/Movies` of `Session1/Movies/a.mrc` or `./Session1\\Movies/a.mrc`), '' for a bare file name. */
function folderOf(name: string): string {
  const path = name
    .trim()
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '');
  const cut = path.lastIndexOf('/');
  return cut < 0 ? '' : path.slice(0, cut);
}

/** Output file name: `<base>_autopick.star`, `<base>.box`, `<base>.cbox`, `<base>.txt`, `<base>.csv`. */
export function coordinateFileName(micrographName: string, format: CoordinateFormat): string {
  return `${micrographBase(micrographName) || 'micrograph'}${COORDINATE_FORMATS[format].fileSuffix}`;
}
