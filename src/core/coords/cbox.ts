// crYOLO .cbox coordinate files.
//
// Format (crYOLO >= 1.8, cryolo/CoordsIO.py write_cbox_file; the same layout is written by
// TomoTwin's CBoxFormat): a STAR file with
//   data_global   _cbox_format_version 1.0
//   data_cryolo   loop_ _CoordinateX _CoordinateY _CoordinateZ _Width _Height _Depth
//                       _EstWidth _EstHeight _Confidence _NumBoxes _Angle
// (3D files may add data_cryolo_include with _slice_index, and _filamentid for filaments).
// _CoordinateX/Y are the box's lower-left CORNER, as in EMAN .box: centre = corner + Width/2
// (resp. Height/2). Same pixel frame as .box/.star, no y flip. Values that do not apply
// (_CoordinateZ, _Depth, _NumBoxes, _Angle of a 2D pick) are written as <NA> (pandas' missing
// value); we read any non-number there as "unknown".
// crYOLO before 1.8 wrote .cbox without a header: EMAN .box rows (corner x, y, width, height)
// with the confidence fifth (crYOLO's CoordsIO.read_cbox_boxfile_old still reads them).
import { CoordinateFileError, MissingBoxSizeError } from '../errors';
import {
  columnIndex,
  findBlock,
  findLoopWith,
  finiteCoordinate,
  firstContentLine,
  formatNumber,
  isBlankText,
  parseNumberCell,
  parseStar,
  parseStrictNumber,
  STARTS_WITH_NUMBER,
  writeStar,
  type StarDocument,
} from './star';
import { readBox } from './box';
import type { Particle } from './types';

export interface ReadCboxOptions {
  /** Box size used when a file has no _Width/_Height columns. */
  boxSize?: number;
}

/** Reads a .cbox file into centre-based picks, score = _Confidence. */
export function readCbox(text: string | StarDocument, fileName: string, opts: ReadCboxOptions = {}): Particle[] {
  if (typeof text === 'string' && isBlankText(text)) return [];
  if (typeof text === 'string' && STARTS_WITH_NUMBER.test(firstContentLine(text)))
    return readBox(text, fileName, { ...opts, scoreColumn: 4 });
  const doc = typeof text === 'string' ? parseStar(text, fileName) : text;
  const cryolo = findBlock(doc, 'cryolo');
  const found = findLoopWith(cryolo ?? doc, ['CoordinateX', 'CoordinateY']);
  if (!found) {
    if (cryolo && cryolo.loops.length === 0) return [];
    throw new CoordinateFileError('no data_cryolo table with _CoordinateX and _CoordinateY', fileName);
  }
  const loop = found.loop;
  const ix = columnIndex(loop, 'CoordinateX');
  const iy = columnIndex(loop, 'CoordinateY');
  const iw = columnIndex(loop, 'Width');
  const ih = columnIndex(loop, 'Height');
  const ic = columnIndex(loop, 'Confidence');
  // crYOLO's filament mode writes each filament's segment boxes under a _filamentid
  // (cryolo/CoordsIO.py write_cbox_file), as its helicon .box files hold them (box.ts): not single particles.
  if (columnIndex(loop, 'filamentid') >= 0)
    throw new CoordinateFileError(
      'filament coordinates (crYOLO filament mode, _filamentid) are not read: this program picks single particles',
      fileName,
      loop.line,
    );
  // A tomogram's picks carry a slice (_CoordinateZ a number; a micrograph's is <NA>).
  const iz = columnIndex(loop, 'CoordinateZ');
  const sliced = iz >= 0 ? loop.rows.findIndex((row) => parseStrictNumber(row[iz]) !== undefined) : -1;
  if (sliced >= 0)
    throw new CoordinateFileError(
      '3D coordinates of a tomogram (_CoordinateZ) are not read: this program picks 2D micrographs',
      fileName,
      loop.rowLines[sliced],
    );
  if ((iw < 0 || ih < 0) && opts.boxSize === undefined) {
    throw new MissingBoxSizeError('the table has no _Width/_Height columns', fileName, loop.line);
  }
  return loop.rows.map((row, r) => {
    const line = loop.rowLines[r];
    const w = iw >= 0 ? parseNumberCell(row[iw], fileName, line, '_Width') : (opts.boxSize as number);
    const h = ih >= 0 ? parseNumberCell(row[ih], fileName, line, '_Height') : (opts.boxSize as number);
    const p: Particle = {
      x: finiteCoordinate(parseNumberCell(row[ix], fileName, line, '_CoordinateX') + w / 2, fileName, line, 'x centre'),
      y: finiteCoordinate(parseNumberCell(row[iy], fileName, line, '_CoordinateY') + h / 2, fileName, line, 'y centre'),
    };
    const c = ic >= 0 ? parseStrictNumber(row[ic]) : undefined;
    if (c !== undefined) p.score = c;
    return p;
  });
}

const CBOX_COLUMNS = [
  'CoordinateX',
  'CoordinateY',
  'CoordinateZ',
  'Width',
  'Height',
  'Depth',
  'EstWidth',
  'EstHeight',
  'Confidence',
  'NumBoxes',
  'Angle',
];
const NA = '<NA>';

/** Writes picks as a crYOLO 2D .cbox; picks without a score get confidence 1. */
export function writeCbox(picks: Particle[], boxSize: number): string {
  if (!(boxSize > 0) || !Number.isFinite(boxSize)) throw new RangeError(`box size must be a positive number, got ${boxSize}`);
  const size = formatNumber(boxSize);
  const rows = picks.map((p) => [
    formatNumber(p.x - boxSize / 2),
    formatNumber(p.y - boxSize / 2),
    NA,
    size,
    size,
    NA,
    size,
    size,
    formatNumber(p.score ?? 1),
    NA,
    NA,
  ]);
  return writeStar(
    [
      { name: 'global', pairs: [['cbox_format_version', '1.0']] },
      { name: 'cryolo', loops: [{ columns: CBOX_COLUMNS, rows }] },
    ],
    CBOX_WRITER_NOTE,
  );
}

/** The comment our writer puts in a .cbox: its confidences are our scores, kept picks whatever their value. */
const CBOX_WRITER_NOTE = '# written in crYOLO .cbox layout';

/**
 * crYOLO's default confidence threshold (crYOLO docs, "Picking": -t, default 0.3). crYOLO writes
 * every detection to its CBOX/ folder, also those under the threshold; STAR/ and EMAN/ hold the kept ones.
 */
export const CRYOLO_DEFAULT_THRESHOLD = 0.3;

/** How many picks of a .cbox crYOLO itself would not have kept at its default threshold (0 for files this program wrote). */
export function belowCryoloThreshold(text: string, picks: readonly Particle[]): number {
  if (text.includes(CBOX_WRITER_NOTE)) return 0;
  return picks.filter((p) => p.score !== undefined && p.score < CRYOLO_DEFAULT_THRESHOLD).length;
}
