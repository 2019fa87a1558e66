// What a file the user hands over is, by its name: a micrograph, a coordinate file, or neither
// (drops, file inputs, folder listings). From the format tables (io/formats.ts, coords/formats.ts).
import { coordinateExtensionList, isCoordinateFileName } from './coords/formats';
import { isMicrographFileName, micrographExtensionList } from './io/formats';

export type FileKind = 'micrograph' | 'coordinates' | 'other';

export function fileKind(name: string): FileKind {
  if (isMicrographFileName(name)) return 'micrograph';
  if (isCoordinateFileName(name)) return 'coordinates';
  return 'other';
}

/** A file input's accept list: every micrograph and coordinate file extension. */
export const FILE_INPUT_ACCEPT = `${micrographExtensionList(',')},${coordinateExtensionList(',')}`;
