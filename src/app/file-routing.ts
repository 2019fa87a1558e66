// Sorting dropped files into micrographs and coordinate files, and matching coordinate files
// to micrographs by name (pure; the DOM folder walk lives in drop.ts).

export type FileKind = 'micrograph' | 'coordinates' | 'other';

const MICROGRAPH_EXT = ['.mrc', '.mrcs', '.tif', '.tiff', '.png', '.jpg', '.jpeg'];
const COORD_EXT = ['.star', '.box', '.cbox', '.txt', '.csv'];

export function extensionOf(name: string): string {
  const base = baseName(name);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot).toLowerCase() : '';
}

export function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i >= 0 ? path.slice(i + 1) : path;
}

export function stemOf(name: string): string {
  const base = baseName(name);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

export function classifyFile(name: string): FileKind {
  const ext = extensionOf(name);
  if (MICROGRAPH_EXT.includes(ext)) return 'micrograph';
  if (COORD_EXT.includes(ext)) return 'coordinates';
  return 'other';
}

// Suffixes pickers and people append to the micrograph name (RELION "_autopick",
// "_manualpick", crYOLO/Topaz outputs, our demo "_truth").
const COORD_SUFFIXES = ['_autopick', '_manualpick', '_manual', '_truth', '_gt', '_picks', '_pick', '_coords', '_coordinates', '_particles'];

function canonical(stem: string): string {
  return stem.toLowerCase();
}

/**
 * The micrograph a coordinate file belongs to, or undefined. Tries, in order: the same stem;
 * the stem without a known suffix; the longest micrograph stem the coordinate stem starts with.
 */
export function matchCoordinateFile(coordName: string, micrographNames: readonly string[]): string | undefined {
  const byStem = new Map<string, string>();
  for (const m of micrographNames) byStem.set(canonical(stemOf(m)), m);
  const stem = canonical(stemOf(coordName));
  const exact = byStem.get(stem);
  if (exact) return exact;
  for (const suffix of COORD_SUFFIXES) {
    if (stem.endsWith(suffix)) {
      const hit = byStem.get(stem.slice(0, -suffix.length));
      if (hit) return hit;
    }
  }
  let best: string | undefined;
  let bestLen = 0;
  for (const [s, m] of byStem) {
    if (s.length > bestLen && stem.startsWith(s) && /^[_\-.]/.test(stem.slice(s.length))) {
      best = m;
      bestLen = s.length;
    }
  }
  return best;
}
