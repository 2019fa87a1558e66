// Export of picks: one file per micrograph and format, or everything as one zip (fflate).
// Rejected picks are left out by the caller (keptPicks); coordinates are ORIGINAL pixels.
import { strToU8, zipSync, type Zippable } from 'fflate';
import {
  COORDINATE_FORMAT_IDS,
  COORDINATE_FORMATS,
  coordinateFileName,
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
 * One file per micrograph in the format's folder, named after the micrograph (and RELION 4/5's
 * list file). No two micrographs of a session share a base name (controller/files.ts refuses the
 * second), so no two files here share a path.
 */
function formatFiles(files: Map<string, string>, items: readonly ExportItem[], format: CoordinateFormat): void {
  const folder = COORDINATE_FORMATS[format].exportFolder;
  const listed: Array<{ micrographName: string; coordinateFile: string }> = [];
  for (const item of items) {
    const path = `${folder}/${coordinateFileName(item.micrographName, format)}`;
    files.set(path, writeCoordinates(format, item.picks, item));
    listed.push({ micrographName: item.micrographName, coordinateFile: path });
  }
  // The list file a RELION 4/5 import or picking job reads (relion/job.ts).
  if (format === 'star' && items.length) files.set(`${folder}/${COORDINATE_LIST_FILE}`, writeRelionCoordinateList(listed));
}

/**
 * The RELION folder as `drpnet relion-external` leaves its job directory (unzipped in the project
 * directory, `relion/` is that job directory): each micrograph's coordinates where RELION looks
 * for them, the micrographs named as the project's STAR names them (the one of the same base name:
 * a micrograph not in it, such as mic_01_noDW beside the STAR's mic_01, keeps its own name),
 * autopick.star for RELION 4/5 and coords_suffix_autopick.star for RELION 3.1.
 */
function relionJobFiles(files: Map<string, string>, items: readonly ExportItem[], project: RelionProject): void {
  const folder = COORDINATE_FORMATS.star.exportFolder;
  const match = sameMicrographMatcher(project.micrographNames);
  const listed = items.map((item) => {
    const micrographName = match(item.micrographName) ?? item.micrographName;
    const coordinateFile = coordinateFilePath(folder, micrographName);
    files.set(coordinateFile, writeCoordinates('star', item.picks, item));
    return { micrographName, coordinateFile };
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
