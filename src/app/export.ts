// Export of picks: one file per micrograph and format, or everything as one zip (fflate).
// Rejected picks are left out by the caller (keptPicks); coordinates are ORIGINAL pixels.
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { CoordinateFormat, Pick } from '../core/coords/types';
import { EXPORT_FORMATS, fileNameFor, formatCoordinates, relionListFile } from './coords-io';

export interface ExportItem {
  micrographName: string;
  picks: Pick[];
  /** Box size for box-based formats: the particle diameter, original pixels. */
  boxSize: number;
}

/** Folder inside the zip for each format. */
export const FORMAT_FOLDER: Record<CoordinateFormat, string> = {
  star: 'relion',
  box: 'eman',
  cbox: 'cryolo',
  topaz: 'topaz',
  csv: 'csv',
};

/** Name of the RELION list file a picking/import job reads. */
export const RELION_LIST_NAME = 'autopick.star';

/** Path -> text of every file of the export. */
export function buildExportFiles(items: readonly ExportItem[], formats: readonly CoordinateFormat[] = EXPORT_FORMATS): Map<string, string> {
  const files = new Map<string, string>();
  for (const format of formats) {
    const folder = FORMAT_FOLDER[format];
    const listed: Array<{ micrographName: string; coordinateFile: string }> = [];
    for (const item of items) {
      const name = fileNameFor(item.micrographName, format);
      files.set(`${folder}/${name}`, formatCoordinates(format, item.picks, item.micrographName, item.boxSize));
      listed.push({ micrographName: item.micrographName, coordinateFile: `${folder}/${name}` });
    }
    if (format === 'star' && items.length) files.set(`${folder}/${RELION_LIST_NAME}`, relionListFile(listed));
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
