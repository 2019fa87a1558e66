// One doorway to every coordinate format: recognise a file, read it into picks grouped by
// micrograph, write picks of one micrograph in a chosen format. The format modules beside
// this one hold each format's conventions and their sources.
import { CoordinateFileError, UnknownColumnsError } from '../errors';
import { readBox, writeBox } from './box';
import { readCbox, writeCbox } from './cbox';
import { readCsv, writeCsv } from './csv';
import { COORDINATE_FORMAT_IDS, COORDINATE_FORMATS, coordinateFormatFromName } from './formats';
import { baseName, clashingMicrographNames } from './names';
import { readRelionCoordinates, readRelionParticles, writeRelionCoordinates } from './relion';
import { columnIndex, findLoopWith, firstContentLine, isBlankText, parseStar, STARTS_WITH_NUMBER, type StarDocument } from './star';
import { readTopaz, writeTopaz } from './topaz';
import type { CoordinateFormat, Particle } from './types';

export * from './formats';
export * from './names';
export { readRelionCoordinateList, readRelionMicrographs, readRelionParticles, writeRelionCoordinateList } from './relion';
export type { CoordinateFormat, Particle, PickState } from './types';

export interface WriteOptions {
  /** The micrograph's file name (Topaz and CSV rows carry it). */
  micrographName: string;
  /** Box side in original pixels, for the corner-based formats (.box, .cbox). */
  boxSize: number;
}

/** The box side written when none is given: the particle diameter, in whole pixels. */
export function defaultBoxSize(diameter: number): number {
  return Math.round(diameter);
}

/** Writes the picks of one micrograph; x, y are centres in original micrograph pixels. */
export function writeCoordinates(format: CoordinateFormat, picks: Particle[], opts: WriteOptions): string {
  switch (format) {
    case 'star':
      return writeRelionCoordinates(picks);
    case 'box':
      return writeBox(picks, opts.boxSize);
    case 'cbox':
      return writeCbox(picks, opts.boxSize);
    case 'topaz':
      return writeTopaz(picks, opts.micrographName);
    case 'csv':
      return writeCsv(picks, opts.micrographName);
  }
}

const FORMAT_LABELS = COORDINATE_FORMAT_IDS.map((f) => COORDINATE_FORMATS[f].label);

/** The format of a coordinate file, from its name and, where the name is ambiguous, its text. */
export function detectCoordinateFormat(text: string, fileName: string): CoordinateFormat {
  // A binary file (a micrograph renamed, a zip) would otherwise be quoted byte by byte in the error.
  if (text.includes('\u0000')) throw new CoordinateFileError('a binary file, not a coordinate table', fileName);
  const byName = coordinateFormatFromName(fileName);
  if (byName) return byName;
  const first = firstContentLine(text);
  if (/^data_/i.test(first)) return /^data_(global|cryolo)\b/i.test(first) ? 'cbox' : 'star';
  if (/^(image_name|x_coord)\s/i.test(first)) return 'topaz';
  if (first.includes(',')) return 'csv';
  if (STARTS_WITH_NUMBER.test(first)) {
    // Numbers without a header, in a file not named .box: EMAN's four columns (x, y of the corner,
    // width, height) say what they are; two or three (x, y and a score?) could be centres, which
    // read as box corners would all move by half a box.
    if (first.split(/[\s,]+/).length >= 4) return 'box';
    throw new UnknownColumnsError(
      'numbers without a header: particle centres or EMAN box corners? Name the file .box if its lines are EMAN boxes (x, y of the corner, width, height), or give it a header line "x_coord y_coord" (Topaz\'s) if they are centres',
      fileName,
    );
  }
  throw new CoordinateFileError(
    `not a coordinate file this program reads (${FORMAT_LABELS.slice(0, -1).join(', ')} or ${FORMAT_LABELS.at(-1)})`,
    fileName,
  );
}

/** RELION's list of coordinate files (micrograph -> its coordinate file), which holds no coordinates itself. */
function isCoordinateListDoc(doc: StarDocument): boolean {
  const list = findLoopWith(doc, ['rlnMicrographName', 'rlnMicrographCoordinates']);
  return !!list && columnIndex(list.loop, 'rlnCoordinateX') < 0;
}

/** True for the text of a RELION list of coordinate files (autopick.star, manualpick.star of a job). */
export function isCoordinateList(text: string, fileName: string): boolean {
  return detectCoordinateFormat(text, fileName) === 'star' && isCoordinateListDoc(parseStar(text, fileName));
}

/**
 * True for the text of a RELION micrographs STAR (micrographs_selected.star of a picking job,
 * corrected_micrographs.star): it names micrographs and holds no coordinates.
 */
export function isMicrographsStar(text: string, fileName: string): boolean {
  let doc: StarDocument;
  try {
    if (detectCoordinateFormat(text, fileName) !== 'star') return false;
    doc = parseStar(text, fileName);
  } catch (e) {
    if (e instanceof CoordinateFileError) return false; // not a STAR file at all
    throw e;
  }
  // A particles STAR without coordinates (an export made without them) names micrographs too: it is no list of them.
  const particles = findLoopWith(doc, ['rlnImageName']);
  return !findLoopWith(doc, ['rlnCoordinateX']) && !particles && !isCoordinateListDoc(doc) && !!findLoopWith(doc, ['rlnMicrographName']);
}

export interface ReadOptions {
  /** Box size for .box/.cbox rows that do not give one. */
  boxSize?: number;
}

/**
 * Reads any supported coordinate file into picks grouped by micrograph name. Single-micrograph
 * formats (coordinate STAR, .box, .cbox, CSV without a micrograph column) are keyed by the
 * file's own name, which micrographKey() reduces to the micrograph's key; tables of many
 * micrographs (Topaz, CSV, a RELION particles STAR) are keyed by the names they hold.
 */
export function readCoordinates(text: string, fileName: string, opts: ReadOptions = {}): Map<string, Particle[]> {
  const groups = readGroups(text, fileName, opts);
  const clash = groups.size > 1 ? clashingMicrographNames(groups.keys()) : undefined;
  if (clash)
    throw new CoordinateFileError(
      `micrographs ${clash[0]} and ${clash[1]} have the same file name in different folders, which this program cannot tell apart (it matches micrographs by file name); split the file by folder`,
      fileName,
    );
  return groups;
}

function readGroups(text: string, fileName: string, opts: ReadOptions): Map<string, Particle[]> {
  const own = baseName(fileName);
  const one = (picks: Particle[]) => new Map([[own, picks]]);
  // An empty file (RELION writes one for a micrograph without picks) holds no picks, whatever its name.
  if (isBlankText(text)) return one([]);
  switch (detectCoordinateFormat(text, fileName)) {
    case 'box':
      return one(readBox(text, fileName, opts));
    case 'cbox':
      return one(readCbox(text, fileName, opts));
    case 'topaz':
      return readTopaz(text, fileName, own);
    case 'csv':
      return readCsv(text, fileName, own);
    case 'star': {
      const doc = parseStar(text, fileName);
      // crYOLO writes .cbox as STAR; a renamed one is still read as such.
      if (findLoopWith(doc, ['CoordinateX', 'CoordinateY']) && !findLoopWith(doc, ['rlnCoordinateX']))
        return one(readCbox(doc, fileName, opts));
      const withMic = findLoopWith(doc, ['rlnMicrographName', 'rlnCoordinateX', 'rlnCoordinateY']);
      if (withMic) return readRelionParticles(doc, fileName);
      if (isCoordinateListDoc(doc)) {
        throw new CoordinateFileError(
          'this is a RELION list of coordinate files (data_coordinate_files); load the per-micrograph coordinate files it names',
          fileName,
        );
      }
      return one(readRelionCoordinates(doc, fileName));
    }
  }
}
