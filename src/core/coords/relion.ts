// RELION STAR files that carry particle positions or micrograph lists.
//
// Conventions (RELION source, src/autopicker.cpp and src/metadata_label.h; RELION docs,
// relion.readthedocs.io "Conventions & File formats"):
// - _rlnCoordinateX/_rlnCoordinateY: the particle CENTRE in pixels of the micrograph as
//   stored in the MRC file, x along a row, y down the rows (file order), no flip. Particle uses
//   the same frame, so nothing is converted.
// - Autopick coordinate file `<mic>_autopick.star`: one unnamed `data_` block with a loop of
//   _rlnCoordinateX, _rlnCoordinateY, _rlnClassNumber (reference index + 1; 0 as a dummy where
//   there is no reference, e.g. LoG/helical picking), _rlnAutopickFigureOfMerit, _rlnAnglePsi
//   (degrees; -999 where no in-plane angle is known).
// - RELION 4/5 list file (autopick.star / manualpick.star): block `data_coordinate_files` with
//   _rlnMicrographName and _rlnMicrographCoordinates (the per-micrograph coordinate file).
// - Particles STAR: RELION 3.1+ `data_optics` + `data_particles`; RELION 3.0 one unnamed block.
//   The particle centre in micrograph pixels is Coordinate - Origin, with _rlnOriginX/Y in
//   pixels (3.0) or _rlnOriginXAngst/YAngst in Angstrom (3.1+, divided by the pixel size).
// - Micrographs STAR: `data_optics` (_rlnMicrographPixelSize, or _rlnImagePixelSize) +
//   `data_micrographs`; RELION 3.0: one unnamed block, pixel size from
//   _rlnDetectorPixelSize (um) * 1e4 / _rlnMagnification.
import { CoordinateFileError } from '../errors';
import {
  columnIndex,
  findBlock,
  findLoopsWith,
  findLoopWith,
  finiteCoordinate,
  formatNumber,
  isBlankText,
  parseNumberCell,
  parseStar,
  parseStrictNumber,
  writeStar,
  type StarBlock,
  type StarDocument,
  type StarLoop,
} from './star';
import type { Particle } from './types';

/** RELION's "no in-plane angle" value for _rlnAnglePsi. */
export const RELION_UNKNOWN_PSI = -999;
/** _rlnClassNumber written when no class is known (RELION's dummy value for reference-free picks). */
export const RELION_DEFAULT_CLASS = 0;

const X = 'rlnCoordinateX';
const Y = 'rlnCoordinateY';
const MIC = 'rlnMicrographName';

/** A column's number in one row, or undefined when the column is absent or the cell is not a number. */
function optionalNumber(row: string[], col: number): number | undefined {
  return col >= 0 ? parseStrictNumber(row[col]) : undefined;
}

/**
 * The values RELION and crYOLO write where a pick has no score, class or angle (RELION's manual
 * picks carry a figure of merit of -999, crYOLO's STAR files -9999): no value, not a real one.
 */
const UNKNOWN_VALUES = new Set([-999, -9999]);
function unlessUnknown(v: number | undefined): number | undefined {
  return v !== undefined && UNKNOWN_VALUES.has(v) ? undefined : v;
}

function picksFromLoop(loop: StarLoop, fileName: string, shift?: (row: string[], line: number) => [number, number]): Particle[] {
  const ix = columnIndex(loop, X);
  const iy = columnIndex(loop, Y);
  const iClass = columnIndex(loop, 'rlnClassNumber');
  const iFom = columnIndex(loop, 'rlnAutopickFigureOfMerit');
  const iPsi = columnIndex(loop, 'rlnAnglePsi');
  return loop.rows.map((row, r) => {
    const line = loop.rowLines[r];
    let x = parseNumberCell(row[ix], fileName, line, '_' + X);
    let y = parseNumberCell(row[iy], fileName, line, '_' + Y);
    if (shift) {
      const [dx, dy] = shift(row, line);
      x = finiteCoordinate(x - dx, fileName, line, 'x centre (coordinate - origin)');
      y = finiteCoordinate(y - dy, fileName, line, 'y centre (coordinate - origin)');
    }
    const p: Particle = { x, y };
    const score = unlessUnknown(optionalNumber(row, iFom));
    const cls = unlessUnknown(optionalNumber(row, iClass));
    const psi = unlessUnknown(optionalNumber(row, iPsi));
    if (score !== undefined) p.score = score;
    if (cls !== undefined) p.classNumber = cls;
    if (psi !== undefined) p.psi = psi;
    return p;
  });
}

function pickFromPairs(b: StarBlock, fileName: string): Particle {
  const value = (key: string) => parseNumberCell(b.pairs.get(key) as string, fileName, b.line, '_' + key);
  const p: Particle = { x: value(X), y: value(Y) };
  const score = unlessUnknown(parseStrictNumber(b.pairs.get('rlnAutopickFigureOfMerit') ?? ''));
  if (score !== undefined) p.score = score;
  return p;
}

function parsed(text: string | StarDocument, fileName: string): StarDocument {
  return typeof text === 'string' ? parseStar(text, fileName) : text;
}

/** Reads a per-micrograph coordinate STAR (`<mic>_autopick.star`, `_manualpick.star`, RELION 3.0 to 5). */
export function readRelionCoordinates(text: string | StarDocument, fileName: string): Particle[] {
  // MetaDataTable::write writes nothing at all for an empty table, so no picks = an empty file.
  if (typeof text === 'string' && isBlankText(text)) return [];
  const doc = parsed(text, fileName);
  const found = findLoopsWith(doc, [X, Y]);
  // One pick may be written as key-value pairs (`_rlnCoordinateX 100`), as STAR libraries write a
  // one-row table; relion_preprocess extracts it.
  const single = doc.blocks.filter((b) => b.pairs.has(X) && b.pairs.has(Y));
  if (!found.length && single.length) return single.map((b) => pickFromPairs(b, fileName));
  if (!found.length) {
    // A coordinate file for a micrograph with no picks may have no table at all.
    if (doc.blocks.every((b) => b.loops.length === 0)) return [];
    throw new CoordinateFileError('no table with _rlnCoordinateX and _rlnCoordinateY', fileName);
  }
  // Every table with coordinates (two files joined with cat give two data blocks), in file order.
  return found.flatMap(({ loop }) => picksFromLoop(loop, fileName));
}

/**
 * Writes a coordinate STAR the way RELION's autopicker does. Class, figure of merit and psi
 * columns are written when any pick carries one of them; missing values get RELION's defaults
 * (class 0, psi -999, figure of merit -999).
 */
export function writeRelionCoordinates(picks: Particle[]): string {
  const extra = picks.some((p) => p.score !== undefined || p.classNumber !== undefined || p.psi !== undefined);
  const columns = extra ? [X, Y, 'rlnClassNumber', 'rlnAutopickFigureOfMerit', 'rlnAnglePsi'] : [X, Y];
  const rows = picks.map((p) => {
    const r = [formatNumber(p.x), formatNumber(p.y)];
    if (extra) {
      r.push(
        String(Math.round(p.classNumber ?? RELION_DEFAULT_CLASS)),
        formatNumber(p.score ?? -999),
        formatNumber(p.psi ?? RELION_UNKNOWN_PSI),
      );
    }
    return r;
  });
  return writeStar([{ name: '', loops: [{ columns, rows }] }]);
}

export interface CoordinateListEntry {
  micrographName: string;
  coordinateFile: string;
}

/** Reads RELION 4/5's list of coordinate files (`data_coordinate_files`). */
export function readRelionCoordinateList(text: string | StarDocument, fileName: string): CoordinateListEntry[] {
  const doc = parsed(text, fileName);
  const found = findLoopWith(findBlock(doc, 'coordinate_files') ?? doc, [MIC, 'rlnMicrographCoordinates']);
  if (!found)
    throw new CoordinateFileError('no table with _rlnMicrographName and _rlnMicrographCoordinates (data_coordinate_files)', fileName);
  const im = columnIndex(found.loop, MIC);
  const ic = columnIndex(found.loop, 'rlnMicrographCoordinates');
  return found.loop.rows.map((row) => ({ micrographName: row[im], coordinateFile: row[ic] }));
}

/** Writes RELION 4/5's list of coordinate files, as its autopick job writes autopick.star. */
export function writeRelionCoordinateList(entries: CoordinateListEntry[]): string {
  return writeStar([
    {
      name: 'coordinate_files',
      loops: [{ columns: [MIC, 'rlnMicrographCoordinates'], rows: entries.map((e) => [e.micrographName, e.coordinateFile]) }],
    },
  ]);
}

/** Pixel size (A/px) of each optics group in a `data_optics` block, from the named columns in order of preference. */
function opticsPixelSizes(doc: StarDocument, columns: string[]): Map<number, number> {
  const out = new Map<number, number>();
  const optics = findBlock(doc, 'optics');
  const loop = optics?.loops.find((l) => columnIndex(l, 'rlnOpticsGroup') >= 0);
  if (!loop) return out;
  const ig = columnIndex(loop, 'rlnOpticsGroup');
  for (const row of loop.rows) {
    const g = parseStrictNumber(row[ig]);
    if (g === undefined) continue;
    for (const c of columns) {
      const v = optionalNumber(row, columnIndex(loop, c));
      if (v !== undefined && v > 0) {
        out.set(g, v);
        break;
      }
    }
  }
  return out;
}

/** The loop holding particles or micrographs: the named block (3.1+) or the first loop with these columns (3.0). */
function mainLoop(doc: StarDocument, blockName: string, columns: string[]): { block?: StarBlock; loop: StarLoop } | undefined {
  const named = findBlock(doc, blockName);
  return (named && findLoopWith(named, columns)) ?? findLoopWith(doc, columns);
}

export interface ReadParticlesOptions {
  /** Subtract _rlnOriginX/Y (px) or _rlnOriginX/YAngst (A) so picks are the refined centres. Default true. */
  applyOrigins?: boolean;
}

/**
 * Reads a RELION particles STAR (3.0 unnamed block, or 3.1+ data_optics + data_particles) as
 * picks grouped by _rlnMicrographName (the name as written in the file), in file order.
 * Origins in Angstrom are divided by the optics group's _rlnMicrographPixelSize, else
 * _rlnMicrographOriginalPixelSize, else _rlnImagePixelSize. A particles STAR does not give the
 * micrograph's pixel size: the movie's differs from it where super-resolution movies were binned
 * in motion correction, the particles' where they were extracted rescaled. Either way the centre
 * is off by the origin's size in pixels times (1 - the ratio), a few pixels for refined origins.
 */
export function readRelionParticles(
  text: string | StarDocument,
  fileName: string,
  opts: ReadParticlesOptions = {},
): Map<string, Particle[]> {
  const doc = parsed(text, fileName);
  const found = findLoopsWith(doc, [MIC, X, Y]);
  if (!found.length) throw new CoordinateFileError('no table with _rlnMicrographName, _rlnCoordinateX and _rlnCoordinateY', fileName);
  // Coordinates that belong to no named micrograph would be lost without a word.
  const unnamed = findLoopsWith(doc, [X, Y]).find(({ loop }) => columnIndex(loop, MIC) < 0);
  if (unnamed)
    throw new CoordinateFileError(
      'this table has coordinates without _rlnMicrographName, beside particle tables that have it',
      fileName,
      unnamed.loop.line,
    );
  const sizes = opticsPixelSizes(doc, ['rlnMicrographPixelSize', 'rlnMicrographOriginalPixelSize', 'rlnImagePixelSize']);
  const out = new Map<string, Particle[]>();
  // Every particle table (each data block with its own columns), in file order.
  for (const { loop } of found) {
    const im = columnIndex(loop, MIC);
    const picks = picksFromLoop(loop, fileName, (opts.applyOrigins ?? true) ? originShift(loop, sizes, fileName) : undefined);
    loop.rows.forEach((row, r) => {
      const name = row[im];
      const list = out.get(name);
      if (list) list.push(picks[r]);
      else out.set(name, [picks[r]]);
    });
  }
  return out;
}

/** The origin of each row of a particle table in micrograph pixels (_rlnOriginX/Y, or
 * _rlnOriginX/YAngst over the optics group's pixel size), or undefined without origins. */
function originShift(
  loop: StarLoop,
  sizes: Map<number, number>,
  fileName: string,
): ((row: string[], line: number) => [number, number]) | undefined {
  const oxPx = columnIndex(loop, 'rlnOriginX');
  const oyPx = columnIndex(loop, 'rlnOriginY');
  const oxA = columnIndex(loop, 'rlnOriginXAngst');
  const oyA = columnIndex(loop, 'rlnOriginYAngst');
  const ig = columnIndex(loop, 'rlnOpticsGroup');
  if (oxA >= 0 && oyA >= 0) {
    return (row, line) => {
      const g = ig >= 0 ? parseStrictNumber(row[ig]) : sizes.size === 1 ? [...sizes.keys()][0] : undefined;
      const px = g !== undefined ? sizes.get(g) : undefined;
      if (px === undefined)
        throw new CoordinateFileError(
          "origins are in Angstrom but no pixel size was found for this particle's optics group",
          fileName,
          line,
        );
      return [
        parseNumberCell(row[oxA], fileName, line, '_rlnOriginXAngst') / px,
        parseNumberCell(row[oyA], fileName, line, '_rlnOriginYAngst') / px,
      ];
    };
  }
  if (oxPx >= 0 && oyPx >= 0)
    return (row, line) => [
      parseNumberCell(row[oxPx], fileName, line, '_rlnOriginX'),
      parseNumberCell(row[oyPx], fileName, line, '_rlnOriginY'),
    ];
  return undefined;
}

export interface MicrographEntry {
  name: string;
  /** Angstrom per pixel of the micrograph, when the file says. */
  pixelSize?: number;
  opticsGroup?: number;
}

/** Reads a RELION micrographs STAR (3.1+ with data_optics, or 3.0 single block). */
export function readRelionMicrographs(text: string | StarDocument, fileName: string): MicrographEntry[] {
  const doc = parsed(text, fileName);
  const found = mainLoop(doc, 'micrographs', [MIC]);
  if (!found && findLoopWith(doc, ['rlnMicrographMovieName']))
    throw new CoordinateFileError(
      'this lists movies (_rlnMicrographMovieName), not micrographs: give the micrographs STAR of a motion-correction job (MotionCorr/jobNNN/corrected_micrographs.star) or of CTF estimation',
      fileName,
    );
  if (!found) throw new CoordinateFileError('no table with _rlnMicrographName', fileName);
  const loop = found.loop;
  const im = columnIndex(loop, MIC);
  const ig = columnIndex(loop, 'rlnOpticsGroup');
  const iDet = columnIndex(loop, 'rlnDetectorPixelSize');
  const iMag = columnIndex(loop, 'rlnMagnification');
  const iPx = columnIndex(loop, 'rlnMicrographPixelSize');
  const sizes = opticsPixelSizes(doc, ['rlnMicrographPixelSize', 'rlnImagePixelSize', 'rlnMicrographOriginalPixelSize']);
  return loop.rows.map((row) => {
    const e: MicrographEntry = { name: row[im] };
    const g = optionalNumber(row, ig);
    if (g !== undefined) e.opticsGroup = g;
    let px = optionalNumber(row, iPx) ?? (g !== undefined ? sizes.get(g) : undefined);
    if (px === undefined && sizes.size === 1 && ig < 0) px = [...sizes.values()][0];
    if (px === undefined) {
      // RELION 3.0: detector pixel size in micrometres over magnification.
      const det = optionalNumber(row, iDet);
      const mag = optionalNumber(row, iMag);
      if (det !== undefined && mag !== undefined && mag > 0) px = (det * 1e4) / mag;
    }
    if (px !== undefined && px > 0) e.pixelSize = px;
    return e;
  });
}
