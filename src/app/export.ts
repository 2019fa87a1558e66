// Export of picks: one file per micrograph and format, or everything as one zip (fflate).
// Rejected picks are left out by the caller (keptPicks); coordinates are ORIGINAL pixels.
import { strToU8, zipSync, type Zippable } from 'fflate';
import {
  COORDINATE_FORMAT_IDS,
  COORDINATE_FORMATS,
  coordinateFileName,
  writeCoordinates,
  writeRelionCoordinateList,
  type CoordinateFormat,
  type Particle,
} from '../core/coords';
import { COORDINATE_LIST_FILE } from '../core/relion/job';

export interface ExportItem {
  micrographName: string;
  picks: Particle[];
  /** Box size for box-based formats: the particle diameter, original pixels. */
  boxSize: number;
}

/** Path -> text of every file of the export. */
export function buildExportFiles(
  items: readonly ExportItem[],
  formats: readonly CoordinateFormat[] = COORDINATE_FORMAT_IDS,
): Map<string, string> {
  const files = new Map<string, string>();
  for (const format of formats) {
    const folder = COORDINATE_FORMATS[format].exportFolder;
    const listed: Array<{ micrographName: string; coordinateFile: string }> = [];
    for (const item of items) {
      const name = coordinateFileName(item.micrographName, format);
      files.set(`${folder}/${name}`, writeCoordinates(format, item.picks, item));
      listed.push({ micrographName: item.micrographName, coordinateFile: `${folder}/${name}` });
    }
    // The list file a RELION 4/5 import or picking job reads (relion/job.ts).
    if (format === 'star' && items.length) files.set(`${folder}/${COORDINATE_LIST_FILE}`, writeRelionCoordinateList(listed));
  }
  return files;
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
