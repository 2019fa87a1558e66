// The micrograph formats, one record each: what the readers take, and so what the CLI finds in
// folders, what the workbench accepts from a drop or its file input, and what help texts list.
// Which reader opens a file is decided by its first bytes (magic.ts) before its extension
// (micrograph.ts); the extensions here are what a file of each format may be called.
import { dotted, extensionOf } from '../file-names';

export type MicrographFormat = 'mrc' | 'tiff' | 'png' | 'jpeg';

export interface MicrographFormatSpec {
  /** The format's name in messages. */
  readonly label: string;
  /** File extensions, lower case, without the dot. */
  readonly extensions: readonly string[];
  /** Whether its reader can give a pixel size (an MRC header's; TIFF's resolution tags are not Å). */
  readonly pixelSize: boolean;
}

export const MICROGRAPH_FORMATS: Readonly<Record<MicrographFormat, MicrographFormatSpec>> = {
  // .mrcs: stacks (RELION, movies); .st: IMOD stacks and tilt series; .map: maps (MRC2014).
  mrc: { label: 'MRC', extensions: ['mrc', 'mrcs', 'st', 'map'], pixelSize: true },
  tiff: { label: 'TIFF', extensions: ['tif', 'tiff'], pixelSize: false },
  png: { label: 'PNG', extensions: ['png'], pixelSize: false },
  jpeg: { label: 'JPEG', extensions: ['jpg', 'jpeg'], pixelSize: false },
};

const FORMAT_OF_EXTENSION = new Map<string, MicrographFormat>(
  (Object.keys(MICROGRAPH_FORMATS) as MicrographFormat[]).flatMap((f) => MICROGRAPH_FORMATS[f].extensions.map((e) => [e, f] as const)),
);

/** Every micrograph file extension (lower case, no dot). */
export const MICROGRAPH_EXTENSIONS: readonly string[] = [...FORMAT_OF_EXTENSION.keys()];

/** The format a file name's extension says, or undefined. */
export function formatFromFileName(fileName: string): MicrographFormat | undefined {
  return FORMAT_OF_EXTENSION.get(extensionOf(fileName));
}

/** True when the name has a micrograph extension (.mrc .mrcs .st .map .tif .tiff .png .jpg .jpeg). */
export function isMicrographFileName(name: string): boolean {
  return formatFromFileName(name) !== undefined;
}

/** ".mrc .mrcs .st .map .tif .tiff .png .jpg .jpeg", for messages and help. */
export function micrographExtensionList(sep = ' '): string {
  return dotted(MICROGRAPH_EXTENSIONS, sep);
}
