// CSV coordinate tables (and the header-table reader Topaz files share).
//
// What cryoSPARC accepts: its "Import Particle Stack" job documents the particle metadata as a
// RELION .star file (guide.cryosparc.com, "Job: Import Particle Stack"), so for cryoSPARC the
// RELION `star` export is the dependable route. This CSV is the plain table many tools and
// scripts read (cryosparc-tools/pandas, spreadsheets):
//   micrograph_name,x,y,score     (header line, one particle per line)
// x, y: particle CENTRE in pixels of the original micrograph, x along a row, y down the rows
// (same frame as RELION's _rlnCoordinateX/Y). micrograph_name: the micrograph's file name.
// On reading, the usual aliases are accepted (see COLUMN_ALIASES), in any order, with extra
// columns ignored; fields may be quoted as in RFC 4180.
import { CoordinateFileError } from '../errors';
import { formatNumber, isBlankText, parseStrictNumber } from './star';
import type { Particle } from './types';

export interface TextTable {
  header: string[];
  rows: string[][];
  /** 1-based line of each row. */
  rowLines: number[];
  headerLine: number;
}

/** Splits one CSV line (RFC 4180 quotes, doubled quotes inside). Returns null on an unclosed quote. */
export function splitCsvLine(line: string, delimiter: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let v = '';
      let j = i + 1;
      for (;;) {
        const k = line.indexOf('"', j);
        if (k < 0) return null;
        v += line.slice(j, k);
        if (line[k + 1] === '"') {
          v += '"';
          j = k + 2;
          continue;
        }
        j = k + 1;
        break;
      }
      const next = line.indexOf(delimiter, j);
      out.push(v + (next < 0 ? line.slice(j) : line.slice(j, next)).trim());
      if (next < 0) return out;
      i = next + delimiter.length;
    } else {
      const next = line.indexOf(delimiter, i);
      out.push((next < 0 ? line.slice(i) : line.slice(i, next)).trim());
      if (next < 0) return out;
      i = next + delimiter.length;
    }
  }
}

/** True for a header whose names are separated by single tabs and hold no spaces: the
 * `image_name<TAB>x_coord<TAB>...` Topaz writes (pandas to_csv with sep='\t'). */
function isTabSeparatedHeader(line: string): boolean {
  const names = line.split('\t');
  return names.length > 1 && names.every((n) => /^\S+$/.test(n.trim()));
}

/**
 * Reads a table with a header line. `delimiter` 'whitespace' splits on runs of spaces/tabs
 * (Topaz); otherwise a single character. Blank lines and lines starting with # are skipped,
 * except in a whitespace table under a tab-separated header: there rows are split at tabs, so
 * a micrograph name may hold spaces, and a row of a micrograph named `#...` is a row when it
 * has the header's number of fields.
 */
export function parseTextTable(text: string, fileName: string, delimiter: string | 'whitespace'): TextTable {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  let header: string[] | undefined;
  let headerLine = 0;
  let tabs = false;
  const rows: string[][] = [];
  const rowLines: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (t === '') continue;
    let cells: string[] | null;
    const byTab = tabs ? t.split('\t').map((c) => c.trim()) : undefined;
    if (byTab && header && byTab.length === header.length) cells = byTab;
    else if (t.startsWith('#')) continue;
    else cells = delimiter === 'whitespace' ? t.split(/\s+/) : splitCsvLine(t, delimiter);
    if (cells === null) throw new CoordinateFileError('a quoted field is not closed on this line', fileName, i + 1);
    if (!header) {
      header = cells;
      headerLine = i + 1;
      tabs = delimiter === 'whitespace' && isTabSeparatedHeader(t);
      continue;
    }
    if (cells.length !== header.length) {
      throw new CoordinateFileError(`row has ${cells.length} fields but the header has ${header.length}`, fileName, i + 1);
    }
    rows.push(cells);
    rowLines.push(i + 1);
  }
  if (!header) throw new CoordinateFileError('the file is empty: no header line', fileName);
  return { header, rows, rowLines, headerLine };
}

/** Accepted header names for each field (compared case-insensitively). */
export const COLUMN_ALIASES = {
  micrograph: ['micrograph_name', 'micrograph', 'image_name', 'micrograph_path', 'rlnmicrographname', 'filename', 'image'],
  x: ['x', 'x_coord', 'center_x', 'x_center', 'xcoord', 'coordinate_x', 'rlncoordinatex'],
  y: ['y', 'y_coord', 'center_y', 'y_center', 'ycoord', 'coordinate_y', 'rlncoordinatey'],
  score: ['score', 'confidence', 'fom', 'figure_of_merit', 'rlnautopickfigureofmerit'],
} as const;

export function findColumn(header: string[], aliases: readonly string[]): number {
  const h = header.map((c) => c.trim().replace(/^_/, '').toLowerCase());
  for (const a of aliases) {
    const i = h.indexOf(a);
    if (i >= 0) return i;
  }
  return -1;
}

/**
 * Turns a header table into picks grouped by micrograph. Rows without a micrograph column are
 * grouped under `defaultMicrograph`.
 */
export function picksFromTable(table: TextTable, fileName: string, defaultMicrograph: string | undefined): Map<string, Particle[]> {
  const im = findColumn(table.header, COLUMN_ALIASES.micrograph);
  const ix = findColumn(table.header, COLUMN_ALIASES.x);
  const iy = findColumn(table.header, COLUMN_ALIASES.y);
  const is = findColumn(table.header, COLUMN_ALIASES.score);
  if (ix < 0 || iy < 0) {
    throw new CoordinateFileError(
      `the header (${table.header.join(', ')}) has no x and y columns (e.g. "x_coord", "y_coord")`,
      fileName,
      table.headerLine,
    );
  }
  if (im < 0 && defaultMicrograph === undefined) {
    throw new CoordinateFileError('the header has no micrograph column (e.g. "micrograph_name")', fileName, table.headerLine);
  }
  const out = new Map<string, Particle[]>();
  table.rows.forEach((row, r) => {
    const line = table.rowLines[r];
    const num = (k: number, what: string) => {
      const v = parseStrictNumber(row[k]);
      if (v === undefined) throw new CoordinateFileError(`${what} "${row[k]}" is not a number`, fileName, line);
      return v;
    };
    const p: Particle = { x: num(ix, 'x'), y: num(iy, 'y') };
    if (is >= 0 && row[is] !== '') p.score = num(is, 'score');
    const name = im >= 0 ? row[im] : (defaultMicrograph as string);
    if (name === '') throw new CoordinateFileError('empty micrograph name', fileName, line);
    const list = out.get(name);
    if (list) list.push(p);
    else out.set(name, [p]);
  });
  return out;
}

/** Reads a CSV (comma, or tab/semicolon when the header uses them) into picks by micrograph. */
export function readCsv(text: string, fileName: string, defaultMicrograph?: string): Map<string, Particle[]> {
  if (isBlankText(text)) return new Map();
  const firstLine =
    text
      .replace(/^\uFEFF/, '')
      .split(/\r\n|\n|\r/)
      .find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? '';
  const delimiter = firstLine.includes(',') ? ',' : firstLine.includes('\t') ? '\t' : firstLine.includes(';') ? ';' : ',';
  return picksFromTable(parseTextTable(text, fileName, delimiter), fileName, defaultMicrograph);
}

function csvField(v: string): string {
  // A leading # is quoted too: the reader skips lines that start with # as comments.
  return /[",\r\n]/.test(v) || v.startsWith('#') || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Writes picks of one micrograph as `micrograph_name,x,y,score` (score empty when unknown). */
export function writeCsv(picks: Particle[], micrographName: string): string {
  const name = csvField(micrographName);
  const lines = ['micrograph_name,x,y,score'];
  for (const p of picks)
    lines.push(`${name},${formatNumber(p.x)},${formatNumber(p.y)},${p.score === undefined ? '' : formatNumber(p.score)}`);
  return lines.join('\n') + '\n';
}
