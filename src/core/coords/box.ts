// EMAN .box coordinate files.
//
// Format (EMAN1/EMAN2 boxer, e2boxer.py; read the same way by RELION's particle extraction,
// src/preprocessing.cpp, and written the same way by crYOLO, cryolo/CoordsIO.py):
//   x_lowerleft <TAB> y_lowerleft <TAB> box_width <TAB> box_height   (one box per line)
// The first two numbers are the box's corner, not the particle centre:
//   x_box = x_centre - width/2, y_box = y_centre - height/2, and back: centre = corner + size/2.
// Axes: the same pixel frame as RELION's _rlnCoordinateX/Y (x along a row, y down the rows in
// file order); RELION and crYOLO apply no y flip when they convert .box <-> .star, and neither
// do we. Extra columns (EMAN2 helix markers, crYOLO's confidence) are ignored on reading.
import { CoordinateFileError, MissingBoxSizeError } from '../errors';
import { finiteCoordinate, formatNumber, parseStrictNumber } from './star';
import type { Particle } from './types';

export interface ReadBoxOptions {
  /** Box size for rows that give only the corner (two columns). */
  boxSize?: number;
  /** A column (0-based) read as each pick's score where it is a number: crYOLO's old .cbox has its confidence fifth. */
  scoreColumn?: number;
}

/** crYOLO's filament ("helicon") box files: their rows are segment centres, not corners, under these headers. */
const HELICON_HEADER = /^#\s*segment length\b/i;

/** Reads a .box file into centre-based picks. */
export function readBox(text: string, fileName: string, opts: ReadBoxOptions = {}): Particle[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const picks: Particle[] = [];
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (HELICON_HEADER.test(t))
      throw new CoordinateFileError(
        'filament coordinates (crYOLO helicon format) are not read: this program picks single particles',
        fileName,
        i + 1,
      );
    if (t === '' || t.startsWith('#')) continue;
    const line = i + 1;
    // Commas separate the numbers of a comma-separated line; between digits on a line whose numbers
    // are separated by spaces or tabs they are decimal commas ("100,5<TAB>200,5"), which split
    // into more cells would silently move every pick.
    if (/\d,\d/.test(t) && /[\d.]\s+[-+.\d]/.test(t))
      throw new CoordinateFileError('a number with a decimal comma ("100,5"): write decimals with a point', fileName, line);
    const cells = t.split(/[\s,]+/);
    const num = (k: number, what: string): number => {
      const v = parseStrictNumber(cells[k]);
      if (v === undefined) throw new CoordinateFileError(`${what} "${cells[k]}" is not a number`, fileName, line);
      return v;
    };
    if (cells.length < 2) throw new CoordinateFileError('a box line needs x, y, width and height', fileName, line);
    const x = num(0, 'x');
    const y = num(1, 'y');
    let w: number;
    let h: number;
    // crYOLO's box manager keeps a tomogram's boxes as x, y, slice, width, height (its 3D version
    // of CoordsIO.py's EMAN1 reader): the slice would be read as the width.
    if (cells.length === 5 && cells[3] === cells[4] && cells[2] !== cells[3])
      throw new CoordinateFileError(
        "five numbers whose last two are the box's size: crYOLO writes a tomogram's boxes so (x, y, slice, width, height), which this program does not read",
        fileName,
        line,
      );
    if (cells.length >= 4) {
      w = num(2, 'box width');
      h = num(3, 'box height');
    } else if (cells.length === 3) {
      // crYOLO writes a tomogram's picks as three numbers, x, y, z of the centre (cryolo/CoordsIO.py
      // write_eman_boxfile3d): read as a corner and a box size, each would move by half the z.
      throw new CoordinateFileError(
        "three numbers on a line: an EMAN box line holds x, y (the corner), width and height; crYOLO writes a tomogram's x, y, z centres so, which this program does not read",
        fileName,
        line,
      );
    } else if (opts.boxSize !== undefined) {
      w = h = opts.boxSize;
    } else {
      throw new MissingBoxSizeError('the line has no box size', fileName, line);
    }
    if (!(w > 0) || !(h > 0)) throw new CoordinateFileError(`box size ${w} x ${h} must be positive`, fileName, line);
    const p: Particle = {
      x: finiteCoordinate(x + w / 2, fileName, line, 'x centre'),
      y: finiteCoordinate(y + h / 2, fileName, line, 'y centre'),
    };
    const score =
      opts.scoreColumn !== undefined && cells.length > opts.scoreColumn ? parseStrictNumber(cells[opts.scoreColumn]) : undefined;
    if (score !== undefined) p.score = score;
    picks.push(p);
  }
  return picks;
}

/** Writes picks as a tab-separated .box file with square boxes of `boxSize` pixels. */
export function writeBox(picks: Particle[], boxSize: number): string {
  if (!(boxSize > 0) || !Number.isFinite(boxSize)) throw new RangeError(`box size must be a positive number, got ${boxSize}`);
  const size = formatNumber(boxSize);
  // Whole-pixel corners, as e2boxer writes them: RELION 3.1's extraction drops a corner's
  // decimals (a centre up to 1 px off); a rounded corner is at most half a pixel off.
  const corner = (c: number) => String(Math.round(c - boxSize / 2));
  return picks.map((p) => `${corner(p.x)}\t${corner(p.y)}\t${size}\t${size}\n`).join('');
}
