// Reads a folder of coordinate files (or one file) into picks per micrograph, one file per
// micrograph: what `drpnet eval` scores and `drpnet train-*` and `fine-tune` learn from.
// `drpnet pick --format star,box` writes each micrograph's picks twice; read both and every
// pick counts twice.
import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import {
  COORDINATE_FORMAT_IDS,
  coordinateFormatOfExtension,
  coordinateFormatFromName,
  detectCoordinateFormat,
  isCoordinateFileName,
  isCoordinateList,
  isMicrographsStar,
  baseName,
  micrographKey,
  micrographMatchKey,
  micrographMatcher,
  readCoordinates,
  type CoordinateFormat,
  type Particle,
} from '../core/coords';
import { belowCryoloThreshold, CRYOLO_DEFAULT_THRESHOLD } from '../core/coords/cbox';
import { isBlankText } from '../core/coords/star';
import { CoordinateFileError, MissingBoxSizeError, UnknownColumnsError } from '../core/errors';
import { UsageError } from './args';
import { byName, countAccepted, describeFileSystemError, isFolderEntry, notRegularReason, someOf, whyNotAFile } from './files';

/**
 * Which file a micrograph's picks are read from when a folder holds several: files of one
 * micrograph (RELION .star first, the default of `drpnet pick`, then crYOLO .cbox and EMAN
 * .box) before tables of many (Topaz, CSV), which may be merged exports of other runs. Every
 * format of the table (coords/formats.ts) is in it: one not named here is read last.
 */
const PREFERRED: readonly CoordinateFormat[] = ['star', 'cbox', 'box', 'topaz', 'csv'];
export const READ_PREFERENCE: readonly CoordinateFormat[] = [...PREFERRED, ...COORDINATE_FORMAT_IDS.filter((f) => !PREFERRED.includes(f))];

/** What readCoordinateFolder takes, for help texts. */
export const COORDINATE_SOURCES_SHORT = 'a folder, one file, or a RELION job folder';

export interface FolderOptions {
  /** Formats to read, most preferred first (default READ_PREFERENCE); files of others are ignored. */
  formats?: readonly CoordinateFormat[];
  /** Box size for .box/.cbox rows that give only the corner. */
  boxSize?: number;
  /** How the folder was given ("--picks"), for messages. */
  label: string;
  /** Whether the command has a --format option that chooses the format read (eval's --picks). */
  formatOption?: boolean;
  /**
   * The micrographs the coordinates are for, when known: a file named after one micrograph is
   * then also matched by the longest micrograph name it starts with, as the workbench matches
   * (`mic_01_topaz-run3.txt` -> `mic_01.mrc`), where that is unambiguous (matchByPrefix).
   */
  micrographs?: readonly string[];
}

export interface FolderContents {
  /** Picks by micrograph key, case ignored (micrographMatchKey), each micrograph's from one file's format. */
  picks: Map<string, Particle[]>;
  /** Each key's micrograph as the files name it (micrographKey, case kept), for messages. */
  names: Map<string, string>;
  /** The file each micrograph's picks were read from, by the same key. */
  files: Map<string, string>;
  /** One line on what was read: "read star (12 micrographs)". */
  summary: string;
  /** Skipped entries and skipped duplicates, one line each. */
  warnings: string[];
  /** Coordinate files that could not be read, `<file>: <why>`: the rest is still read. */
  failed: string[];
  /** The micrograph keys of those files, named after their micrograph: they must not be scored as picking nothing. */
  failedKeys: Set<string>;
}

interface Candidate {
  format: CoordinateFormat;
  file: string;
  picks: Particle[];
}

const count = (n: number) => `${n} micrograph${n === 1 ? '' : 's'}`;

async function listFolder(dir: string, label: string): Promise<Dirent[]> {
  try {
    return await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new UsageError(`${label} ${describeFileSystemError(e, dir)}`);
  }
}

/** RELION's bookkeeping files in a job folder (3.1 to 5), named like coordinate files but holding none: never read. */
const RELION_JOB_FILE = /^((RELION_OUTPUT_NODES|coords_suffix_.+|job|job_pipeline|default_pipeline)\.star|note\.txt)$/i;
/** How far below a folder without coordinate files of its own they are looked for (job/Raw/day/...). */
const MAX_DEPTH = 4;

/**
 * Reads every coordinate file in `dir`, or `dir` itself when it is one file. A folder that gives
 * no picks of its own (a RELION job folder: its coordinates mirror the micrographs' folders
 * below it; crYOLO's output: CBOX/, STAR/, EMAN/) is read in its subfolders instead; one that
 * gives some is read alone, and subfolders holding more are named in a warning.
 * RELION's job files (the list of coordinate files, micrographs STARs such as
 * micrographs_selected.star, job.star, note.txt, RELION_OUTPUT_NODES.star, coords_suffix_*.star)
 * are passed over. What is not a coordinate file (a folder or named pipe
 * with such a name, a text file that is no coordinate table) is skipped with a warning; a
 * coordinate file that cannot be read fails alone. Where a micrograph has files of several
 * formats, the most preferred one is read and the others are named in a warning; two files of
 * one format for one micrograph are refused (UsageError): which one is meant cannot be known.
 */
export async function readCoordinateFolder(dir: string, opts: FolderOptions): Promise<FolderContents> {
  const order = opts.formats ?? READ_PREFERENCE;
  const warnings: string[] = [];
  const failed: string[] = [];
  const failedKeys = new Set<string>();
  /** Keys of files that name one micrograph by their own name (not a table's rows). */
  const fileNamed = new Set<string>();
  const fail = (file: string, why: string) => {
    failed.push(why);
    failedKeys.add(micrographMatchKey(file));
  };
  const ignored = new Map<CoordinateFormat, number>();
  const byKey = new Map<string, Candidate[]>();
  const names = new Map<string, string>();
  const lists: string[] = [];
  /** How many detections under crYOLO's default threshold each .cbox file holds (said only for the files read). */
  const belowByFile = new Map<string, number>();

  /** Reads one file; `named` when it is the file the option gave, not one found in a folder. */
  const readFile = async (file: string, named = false): Promise<void> => {
    const st = await fs.stat(file).catch(() => undefined);
    if (!st) return fail(file, `${file}: ${await whyNotAFile(file)}`);
    if (!st.isFile()) {
      warnings.push(`skipped ${file}: ${notRegularReason(st)}`);
      return;
    }
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      return fail(file, describeFileSystemError(e, file));
    }
    let format: CoordinateFormat;
    try {
      format = isBlankText(text) ? (coordinateFormatOfExtension(file) as CoordinateFormat) : detectCoordinateFormat(text, file);
    } catch (e) {
      if (!(e instanceof CoordinateFileError)) throw e;
      // A table of numbers whose meaning is not known (centres or corners?) is a coordinate file
      // that cannot be read: it fails, so that its micrograph is not scored as nothing picked.
      if (e instanceof UnknownColumnsError) return fail(file, e.message);
      // Only a .txt/.tsv is told by its text: one that is no coordinate table is a stray note.
      warnings.push(`skipped ${e.message}`);
      return;
    }
    if (!order.includes(format)) {
      ignored.set(format, (ignored.get(format) ?? 0) + 1);
      return;
    }
    let groups: Map<string, Particle[]>;
    try {
      // A coordinate file that cannot be parsed (a row with a value too many) fails: skipped,
      // its micrograph would be scored, or trained on, as holding no particles.
      if (format === 'star' && isCoordinateList(text, file)) {
        lists.push(file);
        return;
      }
      // A picking job's micrographs_selected.star, a motion-correction job's list: micrographs, no coordinates.
      if (format === 'star' && isMicrographsStar(text, file)) {
        if (named) fail(file, `${file}: a RELION micrographs STAR, which names micrographs and holds no coordinates`);
        return;
      }
      groups = readCoordinates(text, file, { boxSize: opts.boxSize });
      const below = format === 'cbox' ? belowCryoloThreshold(text, [...groups.values()].flat()) : 0;
      if (below) belowByFile.set(file, below);
    } catch (e) {
      if (!(e instanceof CoordinateFileError)) throw e;
      // The readers ask for "the box size" in general; here it is an option.
      return fail(file, e instanceof MissingBoxSizeError && opts.boxSize === undefined ? `${e.message} (--box-size PX)` : e.message);
    }
    for (const [mic, picks] of groups) {
      const key = micrographMatchKey(mic);
      if (!names.has(key)) names.set(key, micrographKey(mic));
      if (mic === baseName(file)) fileNamed.add(key);
      const list = byKey.get(key) ?? [];
      const same = list.find((c) => c.file === file);
      if (same) same.picks = [...same.picks, ...picks];
      else list.push({ format, file, picks });
      byKey.set(key, list);
    }
  };
  /**
   * Reads a folder's coordinate files and returns its subfolders (links to folders included, as
   * RELION links Movies/). Below the named folder only files whose name decides their format
   * (.star, .box, .cbox) are read: the text tables there are pickers' summaries (crYOLO's DISTR/).
   */
  const readFolder = async (folder: string, below: boolean): Promise<string[]> => {
    let listed: Dirent[];
    try {
      listed = await listFolder(folder, opts.label);
    } catch (e) {
      if (!below) throw e;
      warnings.push(`skipped ${(e as Error).message}`); // a subfolder that cannot be listed stops nothing else
      return [];
    }
    const all = listed.sort(byName);
    for (const d of all)
      if (isCoordinateFileName(d.name) && !RELION_JOB_FILE.test(d.name) && (!below || coordinateFormatFromName(d.name)))
        await readFile(path.join(folder, d.name));
    const subfolders: string[] = [];
    for (const d of all) if (!d.name.startsWith('.') && (await isFolderEntry(folder, d))) subfolders.push(path.join(folder, d.name));
    return subfolders;
  };
  // The depth limit also ends a loop of links.
  const readTree = async (folder: string, depth: number): Promise<void> => {
    const subfolders = await readFolder(folder, true);
    if (depth < MAX_DEPTH) for (const sub of subfolders) await readTree(sub, depth + 1);
  };

  if ((await fs.stat(dir).catch(() => undefined))?.isFile()) await readFile(dir, true);
  else {
    const subfolders = await readFolder(dir, false);
    if (!byKey.size) for (const sub of subfolders) await readTree(sub, 1);
    else
      for (const sub of subfolders) {
        const held = await countAccepted(sub, (n) => !!coordinateFormatFromName(n) && !RELION_JOB_FILE.test(n));
        if (held)
          warnings.push(
            `${opts.label}: ${sub} holds ${held} coordinate file(s), not read: subfolders are read only when the folder itself gives no picks`,
          );
      }
  }
  if (!byKey.size && lists.length)
    warnings.push(
      `${opts.label}: ${someOf(lists)}: a RELION list of coordinate files, which holds none itself; give the folder that holds the files it names`,
    );

  if (opts.micrographs) {
    const matched = matchByPrefix(byKey, fileNamed, names, failedKeys, opts.micrographs);
    if (matched.length) warnings.push(`${opts.label}: ${someOf(matched)}: matched to a micrograph by the start of the name only`);
  }

  const picks = new Map<string, Particle[]>();
  const files = new Map<string, string>();
  const used = new Map<CoordinateFormat, number>();
  /** crYOLO .cbox files read that hold detections under its default threshold, and how many. */
  const unsure = { files: [] as string[], picks: 0 };
  /** "used star, skipped box" -> the skipped files. */
  const duplicates = new Map<string, string[]>();
  for (const [key, candidates] of byKey) {
    const best = order.find((f) => candidates.some((c) => c.format === f)) as CoordinateFormat;
    const chosen = candidates.filter((c) => c.format === best);
    if (chosen.length > 1) {
      throw new UsageError(
        `${opts.label} ${dir}: ${names.get(key)} has ${best} coordinates in two files, ${chosen[0].file} and ${chosen[1].file}; keep one of them in the folder`,
      );
    }
    picks.set(key, chosen[0].picks);
    files.set(key, chosen[0].file);
    // A .cbox passed over for crYOLO's STAR/ or EMAN/ file of the micrograph was not read as picks.
    const below = belowByFile.get(chosen[0].file);
    if (below) {
      unsure.files.push(chosen[0].file);
      unsure.picks += below;
    }
    used.set(best, (used.get(best) ?? 0) + 1);
    const skipped = candidates.filter((c) => c.format !== best);
    if (skipped.length) {
      const what = `used ${best}, skipped ${[...new Set(skipped.map((c) => c.format))].join(', ')}`;
      duplicates.set(what, [...(duplicates.get(what) ?? []), ...skipped.map((c) => path.basename(c.file))]);
    }
  }
  if (unsure.picks)
    warnings.push(
      `${opts.label}: ${someOf(unsure.files)}: ${unsure.picks} detection(s) under crYOLO's default confidence threshold (${CRYOLO_DEFAULT_THRESHOLD}), read as picks: crYOLO writes every detection to CBOX/; its STAR/ and EMAN/ folders hold only those it kept`,
    );
  if (duplicates.size) {
    const n = [...byKey.values()].filter((c) => c.length > 1).length;
    const parts = [...duplicates].map(([what, files]) => `${what} (${someOf(files)})`);
    warnings.push(
      `${opts.label} ${dir}: ${n} micrograph(s) have coordinates in several formats: ${parts.join('; ')}; ${opts.formatOption ? '--format chooses' : 'to use another, keep only its files in the folder'}`,
    );
  }
  const read = order.filter((f) => used.has(f)).map((f) => `${f} (${count(used.get(f) as number)})`);
  const other = [...ignored].map(([f, n]) => `${n} ${f} file${n === 1 ? '' : 's'}`);
  const summary = `${opts.label} ${dir}: read ${read.length ? read.join(', ') : 'nothing'}${other.length ? `; ignored ${other.join(', ')} (not in --format)` : ''}`;
  return { picks, names, files, summary, warnings, failed, failedKeys };
}

/**
 * Gives a micrograph the coordinates of a file whose name starts with the micrograph's and goes
 * on (`mic_01_topaz-run3.txt` -> `mic_01.mrc`), as the workbench does (coords/names.ts
 * micrographMatcher), and returns `file -> micrograph` for each. Only where it cannot be another
 * micrograph's: the file names one micrograph (a table's rows name theirs), the micrograph has
 * no file of its own name, and no other file starts with its name (`mic_1_2.star` beside
 * `mic_1.star`, with only mic_1 given, is mic_1_2's: left alone).
 */
function matchByPrefix(
  byKey: Map<string, Candidate[]>,
  fileNamed: ReadonlySet<string>,
  names: Map<string, string>,
  failedKeys: Set<string>,
  micrographs: readonly string[],
): string[] {
  const match = micrographMatcher(micrographs);
  const given = new Set(micrographs.map((m) => micrographMatchKey(m)));
  // A file that could not be read leaves its micrograph out, whichever way it was named.
  for (const key of [...failedKeys]) {
    const mic = given.has(key) ? undefined : match(key);
    if (mic && !byKey.has(micrographMatchKey(mic))) failedKeys.add(micrographMatchKey(mic));
  }
  const claims = new Map<string, { key: string; mic: string }[]>();
  for (const key of byKey.keys()) {
    if (given.has(key) || !fileNamed.has(key)) continue;
    const mic = match(names.get(key) ?? key);
    const target = mic && micrographMatchKey(mic);
    if (!target || !mic || byKey.has(target)) continue;
    claims.set(target, [...(claims.get(target) ?? []), { key, mic }]);
  }
  const matched: string[] = [];
  for (const [target, list] of claims) {
    if (list.length > 1) continue; // two runs' files for one micrograph: which one is meant cannot be known
    const { key, mic } = list[0];
    matched.push(`${names.get(key) ?? key} -> ${micrographKey(mic)}`);
    byKey.set(target, byKey.get(key) as Candidate[]);
    byKey.delete(key);
    names.set(target, micrographKey(mic));
    names.delete(key);
  }
  return matched;
}

/**
 * A warning naming the micrographs `truth` labels that are none of `micrographs` (labels for
 * micrographs not given, or named otherwise), which training leaves unused; undefined when every label is used.
 */
export function unusedTruthMessage(truth: FolderContents, micrographs: readonly string[], label: string): string | undefined {
  const given = new Set(micrographs.map((f) => micrographMatchKey(f)));
  const unused = [...truth.picks.keys()].filter((k) => !given.has(k));
  if (!unused.length) return undefined;
  // One particles.star may label a whole data set: micrographs are named, not files.
  return `${label}: labels of ${unused.length} micrograph(s) not given are not used: ${someOf(unused.map((k) => truth.names.get(k) ?? k))}`;
}
