// The app's one doorway to the coordinate readers/writers in src/core/coords.
import { coordinateFileName, readCoordinates, writeCoordinates, writeRelionCoordinateList, type CoordinateFormat, type Pick } from '../core/coords';

export const EXPORT_FORMATS: readonly CoordinateFormat[] = ['star', 'box', 'cbox', 'topaz', 'csv'];

export const FORMAT_LABELS: Record<CoordinateFormat, string> = {
  star: 'RELION .star',
  box: 'EMAN .box',
  cbox: 'crYOLO .cbox',
  topaz: 'Topaz .txt',
  csv: 'CSV',
};

/** Picks of a coordinate file, grouped by the micrograph name each group belongs to. */
export function parseCoordinates(text: string, fileName: string): Map<string, Pick[]> {
  return readCoordinates(text, fileName);
}

export function formatCoordinates(format: CoordinateFormat, picks: Pick[], micrographName: string, boxSize: number): string {
  return writeCoordinates(format, picks, { micrographName, boxSize });
}

export function fileNameFor(micrographName: string, format: CoordinateFormat): string {
  return coordinateFileName(micrographName, format);
}

/** RELION list file (data_coordinate_files) naming each micrograph's coordinate file. */
export function relionListFile(entries: Array<{ micrographName: string; coordinateFile: string }>): string {
  return writeRelionCoordinateList(entries);
}
