// The coordinate formats, one record each: how a file of the format is named (to recognise it
// and to write it), its label, and its folder in the workbench's zip export. The CLI's --format
// choices, the workbench's export buttons and file input, the readers' choice of format by
// name, and the names of written files all come from here. Each format's conventions and
// their sources are in the module of the same name beside this one.
import { dotted, extensionOf } from '../file-names';
import { PICK_NAME } from '../relion/job';

export type CoordinateFormat = 'star' | 'box' | 'cbox' | 'topaz' | 'csv';

export interface CoordinateFormatSpec {
  /** Name on buttons and in messages. */
  readonly label: string;
  /** Extensions of files in this format (lower case, no dot). */
  readonly extensions: readonly string[];
  /** The extension alone says the format; otherwise (.txt, .tsv) the text decides (coords/index.ts). */
  readonly nameDecides: boolean;
  /** What a written file's name adds to the micrograph's base name. */
  readonly fileSuffix: string;
  /** Folder of this format in the workbench's zip export. */
  readonly exportFolder: string;
  /** Its rows carry a box size (written from WriteOptions.boxSize; read from it where a row gives only corners). */
  readonly boxSize: boolean;
}

/** In the order the CLI lists them and the workbench shows and exports them. */
export const COORDINATE_FORMATS: Readonly<Record<CoordinateFormat, CoordinateFormatSpec>> = {
  // RELION's AutoPick names a micrograph's file <base>_autopick.star (relion/job.ts).
  star: {
    label: 'RELION .star',
    extensions: ['star'],
    nameDecides: true,
    fileSuffix: `_${PICK_NAME}.star`,
    exportFolder: 'relion',
    boxSize: false,
  },
  box: { label: 'EMAN .box', extensions: ['box'], nameDecides: true, fileSuffix: '.box', exportFolder: 'eman', boxSize: true },
  cbox: { label: 'crYOLO .cbox', extensions: ['cbox'], nameDecides: true, fileSuffix: '.cbox', exportFolder: 'cryolo', boxSize: true },
  // Topaz writes tab-separated tables, named .txt by its examples and often .tsv.
  topaz: { label: 'Topaz .txt', extensions: ['txt', 'tsv'], nameDecides: false, fileSuffix: '.txt', exportFolder: 'topaz', boxSize: false },
  csv: { label: 'CSV', extensions: ['csv'], nameDecides: true, fileSuffix: '.csv', exportFolder: 'csv', boxSize: false },
};

export const COORDINATE_FORMAT_IDS = Object.keys(COORDINATE_FORMATS) as CoordinateFormat[];

/** Every coordinate file extension (lower case, no dot). */
export const COORDINATE_EXTENSIONS: readonly string[] = [
  ...new Set(COORDINATE_FORMAT_IDS.flatMap((f) => COORDINATE_FORMATS[f].extensions)),
];

/** True when the name has a coordinate file extension. */
export function isCoordinateFileName(name: string): boolean {
  return COORDINATE_EXTENSIONS.includes(extensionOf(name));
}

/** The format the name alone says, or undefined when the name does not decide it. */
export function coordinateFormatFromName(name: string): CoordinateFormat | undefined {
  const ext = extensionOf(name);
  return COORDINATE_FORMAT_IDS.find((f) => COORDINATE_FORMATS[f].nameDecides && COORDINATE_FORMATS[f].extensions.includes(ext));
}

/** The format whose extensions hold the name's, whether or not the name alone decides it: for
 * a file with no text to tell it by (a blank one), or undefined. */
export function coordinateFormatOfExtension(name: string): CoordinateFormat | undefined {
  const ext = extensionOf(name);
  return COORDINATE_FORMAT_IDS.find((f) => COORDINATE_FORMATS[f].extensions.includes(ext));
}

/** ".star .box .cbox .txt .tsv .csv", for messages and help. */
export function coordinateExtensionList(sep = ' '): string {
  return dotted(COORDINATE_EXTENSIONS, sep);
}
