// Generic STAR reader/writer, tolerant of the dialect cryo-EM programs write.
//
// Facts (STAR: Hall 1991, J. Chem. Inf. Comput. Sci. 31:326; RELION's MetaDataTable reader/writer,
// src/metadata_table.cpp; crYOLO's .cbox files):
// - A file is a sequence of `data_<name>` blocks; the name may be empty (`data_`, RELION 3.0 and
//   RELION's per-micrograph coordinate files). RELION 3.1+ names blocks data_optics,
//   data_micrographs, data_particles, data_coordinate_files, ...
// - A block holds key-value pairs (`_rlnJobTypeLabel value`) and `loop_` tables: a list of
//   `_column` names followed by rows of whitespace-separated values, one row per line.
// - RELION writes `_rlnCoordinateX #1`: the `#N` is a comment giving the column index; any `#`
//   that starts a token outside quotes starts a comment to the end of the line.
// - Values may be quoted with '...' or "..." (a quote closes only when followed by whitespace or
//   the end of the line). Empty lines end nothing; a loop ends at the next `_key`, `loop_` or
//   `data_`, or at the end of the file.
// Deliberate limits: semicolon text fields and `save_`/`global_` frames are not used by any
// coordinate file and are reported as errors rather than misread.
import { CoordinateFileError } from '../errors';

export interface StarLoop {
  /** Column names without the leading underscore, in file order (e.g. "rlnCoordinateX"). */
  columns: string[];
  /** Raw string values, one array per row, rows.length x columns.length. */
  rows: string[][];
  /** 1-based line number of each row in the file, for error messages. */
  rowLines: number[];
  /** 1-based line of the `loop_` keyword. */
  line: number;
}

export interface StarBlock {
  /** Block name after `data_` ("" for an unnamed block). */
  name: string;
  /** Key-value pairs, keys without the leading underscore. */
  pairs: Map<string, string>;
  loops: StarLoop[];
  /** 1-based line of the `data_` keyword. */
  line: number;
}

export interface StarDocument {
  blocks: StarBlock[];
}

/** Splits one line into tokens, honouring quotes and `#` comments. Returns null on an unterminated quote. */
export function tokenizeStarLine(line: string): string[] | null {
  const tokens: string[] = [];
  let i = 0;
  const n = line.length;
  const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v' || c === '\f';
  while (i < n) {
    while (i < n && isSpace(line[i])) i++;
    if (i >= n) break;
    const c = line[i];
    if (c === '#') break;
    if (c === '"' || c === "'") {
      // STAR quoting: the closing quote must be followed by whitespace or the end of the line.
      let j = i + 1;
      for (;;) {
        const k = line.indexOf(c, j);
        if (k < 0) return null;
        if (k + 1 >= n || isSpace(line[k + 1])) {
          tokens.push(line.slice(i + 1, k));
          i = k + 1;
          break;
        }
        j = k + 1;
      }
      continue;
    }
    let j = i;
    while (j < n && !isSpace(line[j])) j++;
    tokens.push(line.slice(i, j));
    i = j;
  }
  return tokens;
}

const lower = (s: string) => s.toLowerCase();

/** True for a file with nothing but whitespace (and a BOM): RELION writes such a file for a micrograph without picks. */
export function isBlankText(text: string): boolean {
  return text.replace(/^\uFEFF/, '').trim() === '';
}

/** The first line of a text file that is neither blank nor a `#` comment, trimmed ('' when there is none). */
export function firstContentLine(text: string): string {
  for (const l of text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/)) {
    const t = l.trim();
    if (t !== '' && !t.startsWith('#')) return t;
  }
  return '';
}

/** Whether a line of a table starts with a number (a row of .box, old .cbox or a headerless table). */
export const STARTS_WITH_NUMBER = /^[+-]?[\d.]/;

/** Parses STAR text. Errors name the file and the line. */
export function parseStar(text: string, fileName: string): StarDocument {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const blocks: StarBlock[] = [];
  let block: StarBlock | undefined;
  let loop: StarLoop | undefined;
  let inHeader = false; // collecting a loop's column names
  const fail = (msg: string, line: number): never => {
    throw new CoordinateFileError(msg, fileName, line);
  };

  for (let li = 0; li < lines.length; li++) {
    const lineNo = li + 1;
    const raw = lines[li];
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (trimmed.startsWith(';')) fail('multi-line ";" text fields are not supported in coordinate files', lineNo);
    const tokens = tokenizeStarLine(raw);
    if (tokens === null) fail('a quoted value is not closed on this line', lineNo);
    const toks = tokens as string[];
    if (toks.length === 0) continue;
    const first = toks[0];
    // Keywords and names are recognised on the raw text, so a quoted "_x" or "data_x" stays a value.
    const quoted = trimmed[0] === '"' || trimmed[0] === "'";
    const firstLower = quoted ? '' : lower(first);

    if (firstLower.startsWith('data_')) {
      if (toks.length > 1) fail(`unexpected text after "${first}"`, lineNo);
      if (loop && loop.columns.length === 0) fail('loop_ has no columns', loop.line);
      block = { name: first.slice(5), pairs: new Map(), loops: [], line: lineNo };
      blocks.push(block);
      loop = undefined;
      inHeader = false;
      continue;
    }
    if (firstLower.startsWith('save_') || firstLower === 'global_' || firstLower === 'stop_') {
      fail(`"${first}" frames are not supported in coordinate files`, lineNo);
    }
    if (!block) fail(`"${first}" appears before any data_ block; a STAR file starts with data_`, lineNo);
    const b = block as StarBlock;

    if (firstLower === 'loop_') {
      if (toks.length > 1) fail('unexpected text after loop_', lineNo);
      loop = { columns: [], rows: [], rowLines: [], line: lineNo };
      b.loops.push(loop);
      inHeader = true;
      continue;
    }

    if (!quoted && first.startsWith('_')) {
      const name = first.slice(1);
      if (name === '') fail('empty column or key name "_"', lineNo);
      if (loop && inHeader) {
        // `_name #N` or `_name`; anything else after a column name is not STAR.
        if (toks.length > 1) fail(`unexpected text after column name "${first}"`, lineNo);
        if (loop.columns.some((c) => lower(c) === lower(name))) fail(`column "${first}" appears twice in one loop`, lineNo);
        loop.columns.push(name);
        continue;
      }
      // A key-value pair; it also ends any loop whose rows were being read.
      if (loop && loop.columns.length === 0) fail('loop_ has no columns', loop.line);
      loop = undefined;
      inHeader = false;
      if (toks.length < 2) fail(`key "${first}" has no value on its line`, lineNo);
      if (toks.length > 2) fail(`key "${first}" has more than one value`, lineNo);
      b.pairs.set(name, toks[1]);
      continue;
    }

    // A data row.
    if (!loop) fail(`value "${first}" is outside any loop_ table or key`, lineNo);
    const lp = loop as StarLoop;
    if (lp.columns.length === 0) fail('loop_ has no columns before its first row', lineNo);
    inHeader = false;
    if (toks.length !== lp.columns.length) {
      fail(`row has ${toks.length} value${toks.length === 1 ? '' : 's'} but the table has ${lp.columns.length} columns`, lineNo);
    }
    lp.rows.push(toks);
    lp.rowLines.push(lineNo);
  }
  if (loop && loop.columns.length === 0) fail('loop_ has no columns', loop.line);
  if (blocks.length === 0) throw new CoordinateFileError('no data_ block found: this is not a STAR file', fileName);
  return { blocks };
}

/** The block with this name (case-insensitive; "" for the unnamed block). */
export function findBlock(doc: StarDocument, name: string): StarBlock | undefined {
  return doc.blocks.find((b) => lower(b.name) === lower(name));
}

/** Index of a column (case-insensitive, with or without the leading underscore), or -1. */
export function columnIndex(loop: StarLoop, name: string): number {
  const want = lower(name.replace(/^_/, ''));
  return loop.columns.findIndex((c) => lower(c) === want);
}

/** Every loop (in file order, over all blocks or one block) that has all these columns. */
export function findLoopsWith(where: StarDocument | StarBlock, columns: string[]): { block: StarBlock; loop: StarLoop }[] {
  const blocks = 'blocks' in where ? where.blocks : [where];
  return blocks.flatMap((block) =>
    block.loops.filter((loop) => columns.every((c) => columnIndex(loop, c) >= 0)).map((loop) => ({ block, loop })),
  );
}

/** The first loop (in file order, over all blocks or one block) that has all these columns. */
export function findLoopWith(where: StarDocument | StarBlock, columns: string[]): { block?: StarBlock; loop: StarLoop } | undefined {
  return findLoopsWith(where, columns)[0];
}

/** Parses a required number from a table cell; the error names the line and column. */
export function parseNumberCell(value: string, fileName: string, line: number, column: string): number {
  const x = parseStrictNumber(value);
  if (x === undefined) throw new CoordinateFileError(`"${value}" in column ${column} is not a number`, fileName, line);
  return x;
}

/** A coordinate computed from cells (corner + size / 2, coordinate - origin) that overflowed is an error, not a pick at infinity. */
export function finiteCoordinate(v: number, fileName: string, line: number, what: string): number {
  if (!Number.isFinite(v)) throw new CoordinateFileError(`the ${what} works out to ${v}, out of range`, fileName, line);
  return v;
}

/** A finite number, or undefined for anything else ("", "nan", "<NA>", "1.2.3", ...). */
export function parseStrictNumber(value: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value.trim())) return undefined;
  const x = Number(value);
  return Number.isFinite(x) ? x : undefined;
}

/** Shortest text of x rounded to `digits` significant digits ("3712.45", "100", "0.5"). */
export function formatNumber(x: number, digits = 6): string {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write ${x} to a coordinate file`);
  const r = Number(x.toPrecision(digits));
  return Object.is(r, -0) ? '0' : String(r);
}

/** Quotes a value when STAR would otherwise misread it. */
export function quoteStarValue(v: string): string {
  const needs = v === '' || /\s/.test(v) || /^[_#$;'"]/.test(v) || /^(data_|loop_|save_|global_|stop_)/i.test(v);
  if (!needs) return v;
  if (!v.includes('"')) return `"${v}"`;
  if (!v.includes("'")) return `'${v}'`;
  throw new RangeError(`value ${v} cannot be quoted in STAR`);
}

export interface StarBlockOut {
  name: string;
  pairs?: Array<[string, string]>;
  loops?: Array<{ columns: string[]; rows: string[][] }>;
}

/**
 * Writes blocks the way RELION does: a `# version` comment line, `data_name`, `loop_`, columns
 * with their `#N` index, one row per line, a blank line after each table.
 */
export function writeStar(blocks: StarBlockOut[], versionComment = '# version 30001'): string {
  const out: string[] = [];
  for (const b of blocks) {
    out.push('', versionComment, '', `data_${b.name}`, '');
    for (const [k, v] of b.pairs ?? []) out.push(`_${k} ${quoteStarValue(v)}`);
    if (b.pairs?.length) out.push('');
    for (const l of b.loops ?? []) {
      out.push('loop_');
      l.columns.forEach((c, i) => out.push(`_${c} #${i + 1}`));
      for (const row of l.rows) {
        if (row.length !== l.columns.length) throw new RangeError('STAR row length does not match its columns');
        out.push(row.map(quoteStarValue).join('\t'));
      }
      out.push('');
    }
  }
  return out.join('\n') + '\n';
}
