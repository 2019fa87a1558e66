// Export of picks: one file per micrograph and format, or everything as one zip (fflate).
// Rejected picks are left out by the caller (keptPicks); coordinates are ORIGINAL pixels.
import { strToU8, zipSync, type Zippable } from 'fflate';
import {
  COORDINATE_FORMAT_IDS,
  COORDINATE_FORMATS,
  coordinateFileName,
  micrographBase,
  sameMicrographMatcher,
  writeCoordinates,
  writeRelionCoordinateList,
  type CoordinateFormat,
  type Particle,
} from '../core/coords';
import { COORDINATE_LIST_FILE, COORDS_SUFFIX_FILE, coordinateFilePath, coordsSuffixText } from '../core/relion/job';

export interface ExportItem {
  micrographName: string;
  picks: Particle[];
  /** Box size for box-based formats: the particle diameter, original pixels. */
  boxSize: number;
}

/** The user's RELION project, as `drpnet relion-external --in_mics` knows it. */
export interface RelionProject {
  /** Project-relative path of its micrographs STAR. */
  micrographsStar: string;
  /** The micrograph names in that STAR (project-relative paths). */
  micrographNames: readonly string[];
  /** The name of the file chosen (absent in sessions saved before it was kept). */
  fileName?: string;
}

/** Path -> text of every file of the export; with a RELION project its RELION folder is laid out for it (relionJobFiles). */
export function buildExportFiles(
  items: readonly ExportItem[],
  formats: readonly CoordinateFormat[] = COORDINATE_FORMAT_IDS,
  project?: RelionProject,
): Map<string, string> {
  const files = new Map<string, string>();
  for (const format of formats) {
    if (format === 'star' && project) relionJobFiles(files, items, project);
    else formatFiles(files, items, format);
  }
  return files;
}

/**
 * The path of each micrograph's coordinate file, `pathOf` its name, unless an earlier one has that
 * path (mic_01.mrc and mic_01.png, both mic_01.star): then that of its name with _2, _3... after
 * the base name (mic_01_2.png), so that no file of the export overwrites another's.
 */
export function distinctPaths(micrographNames: readonly string[], pathOf: (micrographName: string) => string): string[] {
  const used = new Set<string>();
  return micrographNames.map((name) => {
    let path = pathOf(name);
    for (let n = 2; used.has(path.toLowerCase()); n++) path = pathOf(withNumber(name, n));
    used.add(path.toLowerCase());
    return path;
  });
}

/** `name` (a path) with `_n` after its file's base name, folders and extension kept. */
function withNumber(name: string, n: number): string {
  const slash = name.lastIndexOf('/') + 1;
  const base = micrographBase(name);
  const file = name.slice(slash);
  const at = file.indexOf(base) + base.length;
  return `${name.slice(0, slash)}${file.slice(0, at)}_${n}${file.slice(at)}`;
}

/** The micrographs whose export files take another name than theirs (distinctPaths): those sharing one with another but for the extension. */
export function renamedInExport(micrographNames: readonly string[]): string[] {
  const pathOf = (name: string) => coordinateFileName(name, 'star');
  const paths = distinctPaths(micrographNames, pathOf);
  return micrographNames.filter((name, i) => paths[i] !== pathOf(name));
}

/** One file per micrograph in the format's folder, named after the micrograph (and RELION 4/5's list file). */
function formatFiles(files: Map<string, string>, items: readonly ExportItem[], format: CoordinateFormat): void {
  const folder = COORDINATE_FORMATS[format].exportFolder;
  const paths = distinctPaths(
    items.map((item) => item.micrographName),
    (name) => `${folder}/${coordinateFileName(name, format)}`,
  );
  const listed = items.map((item, i) => {
    const path = paths[i];
    files.set(path, writeCoordinates(format, item.picks, item));
    return { micrographName: item.micrographName, coordinateFile: path };
  });
  // The list file a RELION 4/5 import or picking job reads (relion/job.ts).
  if (format === 'star' && items.length) files.set(`${folder}/${COORDINATE_LIST_FILE}`, writeRelionCoordinateList(listed));
}

/**
 * The RELION folder as `drpnet relion-external` leaves its job directory (unzipped in the project
 * directory, `relion/` is that job directory): each micrograph's coordinates where RELION looks
 * for them, the micrographs named as the project's STAR names them (one not in it keeps its own
 * name; of two of the same base name, mic_01.mrc and mic_01.png, the one whose file name is the
 * STAR's, else the first, takes it), autopick.star for RELION 4/5 and coords_suffix_autopick.star
 * for RELION 3.1.
 */
function relionJobFiles(files: Map<string, string>, items: readonly ExportItem[], project: RelionProject): void {
  const folder = COORDINATE_FORMATS.star.exportFolder;
  const match = sameMicrographMatcher(project.micrographNames);
  const targets = items.map((item) => match(item.micrographName));
  const fileOf = (name: string) => name.slice(name.lastIndexOf('/') + 1).toLowerCase();
  const exact = (i: number) => targets[i] !== undefined && fileOf(targets[i]) === fileOf(items[i].micrographName);
  const claimant = new Map<string, number>();
  for (const i of [...items.keys()].sort((a, b) => Number(exact(b)) - Number(exact(a))))
    if (targets[i] !== undefined && !claimant.has(targets[i])) claimant.set(targets[i], i);
  const named = items.map((item, i) => (targets[i] !== undefined && claimant.get(targets[i]) === i ? targets[i] : item.micrographName));
  const paths = distinctPaths(named, (name) => coordinateFilePath(folder, name));
  const listed = items.map((item, i) => {
    const coordinateFile = paths[i];
    files.set(coordinateFile, writeCoordinates('star', item.picks, item));
    return { micrographName: named[i], coordinateFile };
  });
  files.set(`${folder}/${COORDS_SUFFIX_FILE}`, coordsSuffixText(project.micrographsStar));
  files.set(`${folder}/${COORDINATE_LIST_FILE}`, writeRelionCoordinateList(listed));
}

export function zipFiles(files: Map<string, string>): Uint8Array {
  const tree: Zippable = {};
  for (const [path, text] of files) tree[path] = strToU8(text);
  return zipSync(tree, { level: 6 });
}

/** Starts a browser download of the bytes/text (object URL + <a download>). */
export function download(content: Uint8Array | string, fileName: string, mime: string): void {
  const part: BlobPart = typeof content === 'string' ? content : (content as Uint8Array<ArrayBuffer>);
  const url = URL.createObjectURL(new Blob([part], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
