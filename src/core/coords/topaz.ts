// Topaz particle coordinate tables.
//
// Format (Topaz README and tutorials, github.com/tbepler/topaz; written by `topaz extract`,
// topaz/utils/files.py write_table):
//   image_name<TAB>x_coord<TAB>y_coord<TAB>score
// one row per particle, many micrographs per file. image_name is the micrograph file name
// without extension; x_coord, y_coord are the particle CENTRE in pixels (of the image Topaz
// was given: scale back by the downsampling factor before reading here if the micrographs were
// binned, e.g. with `topaz convert --up-scale`); same axes as RELION's _rlnCoordinateX/Y.
// score: the log-likelihood ratio Topaz ranks picks by (any real number).
import { micrographBase } from './names';
import { formatNumber, isBlankText } from './star';
import { parseTextTable, picksFromTable } from './csv';
import type { Particle } from './types';

/**
 * Reads a Topaz table into picks grouped by image_name (whitespace or tab separated). A table
 * without an image_name column (one micrograph per file) is grouped under `defaultMicrograph`.
 */
export function readTopaz(text: string, fileName: string, defaultMicrograph?: string): Map<string, Particle[]> {
  if (isBlankText(text)) return new Map();
  const groups = picksFromTable(parseTextTable(text, fileName, 'whitespace'), fileName, defaultMicrograph);
  // A header without rows (what writeTopaz gives a micrograph where nothing was picked): the file's own micrograph, no picks.
  if (!groups.size && defaultMicrograph !== undefined) groups.set(defaultMicrograph, []);
  return groups;
}

/** Writes the picks of one micrograph as a Topaz table; picks without a score get 0. */
export function writeTopaz(picks: Particle[], micrographName: string): string {
  // Columns are tab-separated, as Topaz writes them: a name may hold spaces (readTopaz splits
  // such a table at tabs) but not a tab or a line break, and an empty name would drop a column.
  const name = (micrographBase(micrographName) || 'micrograph').replace(/[\t\r\n]/g, '_');
  const lines = ['image_name\tx_coord\ty_coord\tscore'];
  for (const p of picks) lines.push(`${name}\t${formatNumber(p.x)}\t${formatNumber(p.y)}\t${formatNumber(p.score ?? 0)}`);
  return lines.join('\n') + '\n';
}
