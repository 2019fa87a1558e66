// Files: micrographs and coordinate files coming in (dropped, opened or the bundled demo data),
// stored for the next visit, removed; coordinate files become ground truth or picks to edit.
import {
  baseName,
  defaultBoxSize,
  isMicrographsStar,
  micrographBase,
  micrographMatcher,
  readCoordinates,
  sameMicrographMatcher,
} from '../../core/coords';
import type { Particle } from '../../core/coords/types';
import { MissingBoxSizeError } from '../../core/errors';
import { crowdedMessage, outsideMessage, outsideMicrograph } from '../../core/coords/bounds';
import { fileKind } from '../../core/file-kinds';
import type { PickParams } from '../../core/params';
import type { GreyImage } from '../../../workers/engine-api';
import { engine } from '../engine-bridge';
import { errorMessage } from '../error-text';
import * as persist from '../persist';
import { diameterInPx } from '../diameter';
import type { TrackedFields } from '../history';
import { compareNames } from '../list-order';
import { replaceAuto } from '../picks-merge';
import { parseSampleIndex } from '../samples';
import { failedToOpen, type CoordinateGroup, type MicrographEntry, type MicStatus, type WaitingCoordinates } from '../store';
import { burstNotice, mic, refusedReadOnly, someNames, storage, store } from './context';
import { forgetPicking } from './picking';
import { forgetViews, queueThumbnail, showCurrent } from './viewing';

export interface InputFile {
  name: string;
  blob: Blob;
}

export type CoordinatesUse = WaitingCoordinates['as'];

export interface AddOptions {
  /** How coordinate files in this drop are used (default: the user is asked). */
  coordinatesAs?: CoordinatesUse;
  /** Parameters for a micrograph of this name (demo data knows its particle diameter). */
  paramsFor?: (name: string) => Partial<PickParams> | undefined;
  /** The bundled demo data. */
  demo?: boolean;
}

/** Waiting coordinate groups already said to wait. */
const announced = new WeakSet<WaitingCoordinates>();
/** Groups of the files being added now (the others were read before, or restored with the session). */
const justRead = new WeakSet<WaitingCoordinates>();
let keyCounter = 0;

function newKey(): string {
  keyCounter++;
  return `${Date.now().toString(36)}-${keyCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

async function storeFile(key: string, name: string, blob: Blob): Promise<void> {
  if (!storage.session || !storage.files || store().readOnly) return;
  try {
    if (!(await persist.hasRoomFor(blob.size)))
      throw new DOMException('not enough room left for the micrograph files', 'QuotaExceededError');
    await persist.saveFile(key, name, blob);
  } catch (e) {
    storage.files = false;
    store().set({ storageWarning: persist.storageProblem(e, 'files') });
  }
}

/** Keeps a micrograph's list thumbnail with its stored file (best effort: a reload without it opens the file again). */
export function storeThumbnail(key: string, image: GreyImage): void {
  if (!storage.session || !storage.files || store().readOnly) return;
  void persist.saveThumbnail(key, image).catch(() => undefined);
}

/** Adds micrographs and coordinate files (any order, any mix). A bad file only affects its own row. */
export async function addFiles(files: InputFile[], opts: AddOptions = {}): Promise<void> {
  if (refusedReadOnly()) return;
  const others: string[] = [];
  const coordinates: InputFile[] = [];
  const micrographs: InputFile[] = [];
  for (const f of files) {
    const kind = fileKind(f.name);
    if (kind === 'coordinates') coordinates.push(f);
    else if (kind === 'other') others.push(f.name);
    else micrographs.push(f);
  }
  // In name order (numbers by value), as a folder lists them: a browser gives them in the disk's order.
  micrographs.sort((a, b) => compareNames(a.name, b.name));
  // The session's names by base name, kept up to date as files are added: one lookup a file, not a scan.
  const byBase = new Map(store().micrographs.map((m) => [micrographBase(m.name).toLowerCase(), m.name]));
  const outcome = micrographs.map((f) => ({ name: f.name, added: addMicrographFile(f, opts, byBase) }));
  const loaded = outcome.filter((o) => o.added === 'loaded').map((o) => o.name);
  if (loaded.length)
    store().notify(
      `${loaded.length === 1 ? `${loaded[0]} is` : `${loaded.length} files are`} already loaded; skipped${loaded.length > 1 ? `: ${someNames(loaded)}` : ''}.`,
    );
  const namesakes = outcome.flatMap((o) => (typeof o.added === 'object' ? [`${o.name} (beside ${o.added.namesake})`] : []));
  if (namesakes.length)
    store().notify(
      `Skipped ${someNames(namesakes, '; ')}: the same name but for the extension (or the case). Coordinate files are named after a ` +
        'micrograph without its extension, as RELION, crYOLO and EMAN name them, so exports and coordinates dropped would not tell the two apart. Remove the one loaded to load the other.',
      'error',
    );
  if (others.length) store().notify(`Ignored ${others.length} file(s) that are neither micrographs nor coordinates: ${someNames(others)}`);
  // Read first, so that a file that is no coordinate table is said at once, not after a question about it.
  const read = (await Promise.all(coordinates.map(readCoordinateFile)))
    .filter((r) => r !== undefined)
    .map(withoutMisplaced)
    .filter((r) => r.groups.length);
  const groups = read.flatMap((r) => r.groups);
  if (groups.length && opts.coordinatesAs) useCoordinates(groups, opts.coordinatesAs, !!opts.demo);
  else if (groups.length) {
    // Kept with the session until answered: a reload while the question is open asks it again.
    store().set({ undecidedCoordinates: [...store().undecidedCoordinates, ...groups] });
    await decideCoordinates(groups);
  }
  assignCoordinates();
}

/** Asks how to use these coordinates (still undecided) and uses them so; they are undecided no longer either way. */
async function decideCoordinates(groups: readonly CoordinateGroup[]): Promise<void> {
  const as = await askCoordinatesUse([...new Set(groups.map((g) => g.file))]);
  store().set({ undecidedCoordinates: store().undecidedCoordinates.filter((g) => !groups.includes(g)) });
  if (as) useCoordinates(groups, as, false);
}

/** Asks again about the coordinates whose question a reload left unanswered (a restored session). */
export async function askUndecidedCoordinates(): Promise<void> {
  const groups = store().undecidedCoordinates;
  if (!groups.length) return;
  await decideCoordinates(groups);
  assignCoordinates();
}

/** Puts coordinate groups in the waiting list as truth or picks; assignCoordinates gives them to their micrographs. */
function useCoordinates(read: readonly CoordinateGroup[], as: CoordinatesUse, quiet: boolean): void {
  const groups = read.map((g) => ({ ...g, as, quiet }));
  // A file dropped again replaces its earlier copy still waiting for its micrograph.
  const again = (w: WaitingCoordinates) => groups.some((g) => g.file === w.file && g.micrograph === w.micrograph);
  for (const g of groups) justRead.add(g);
  store().set({ waitingCoordinates: [...store().waitingCoordinates.filter((w) => !again(w)), ...groups] });
}

/**
 * Adds a micrograph file to the session: 'added'; 'loaded' when a file of that name is loaded
 * already, or the namesake when one of the same base name is (mic_01.png beside mic_01.mrc):
 * skipped.
 */
function addMicrographFile(f: InputFile, opts: AddOptions, byBase: Map<string, string>): 'added' | 'loaded' | { namesake: string } {
  const existing = store().micrographs.find((m) => m.name === f.name);
  if (existing && engine.isRegistered(existing.key) && !failedToOpen(existing)) return 'loaded';
  const base = micrographBase(f.name).toLowerCase();
  const namesake = existing ? undefined : byBase.get(base);
  if (namesake !== undefined) return { namesake };
  byBase.set(base, f.name);
  // A new file, the file of a restored micrograph whose bytes were not stored (picks and edits
  // stay), or a file that failed to open dropped again (mended, or whole this time).
  const key = existing?.key ?? newKey();
  engine.register(key, f.name, f.blob);
  if (existing) {
    const status: MicStatus = existing.pickedWith ? 'picked' : 'queued';
    // A file that never opened was never picked: it starts from the settings a new one would
    // (settings for all, learned from reviews, were not set on it while it had failed).
    const params = failedToOpen(existing) ? { ...store().defaultParams, diameter: existing.params.diameter } : existing.params;
    store().updateMic(key, { error: undefined, status, params, info: existing.status === 'error' ? undefined : existing.info });
  } else {
    store().addMicrograph(key, f.name, opts.demo);
    const m = mic(key)!;
    const patch = opts.paramsFor?.(f.name);
    const px = diameterInPx(store().diameter, undefined);
    store().updateMic(key, { params: { ...m.params, ...(px !== undefined ? { diameter: px } : {}), ...patch } });
  }
  void storeFile(key, f.name, f.blob);
  if (key === store().currentKey) void showCurrent();
  queueThumbnail(key, true);
  return 'added';
}

/** Removes a micrograph from the session: its row, its picks, its stored file. The caller confirms when it holds edits. */
export async function removeMicrograph(key: string): Promise<void> {
  if (refusedReadOnly()) return;
  const m = mic(key);
  if (!m) return;
  forgetPicking(key);
  forgetViews(key);
  engine.unregister(key); // cancels its pick too
  store().removeMicrograph(key);
  try {
    await persist.deleteFile(key);
  } catch {
    // the row is gone; an orphan file is cleared with the next new session
  }
}

// The question asked when coordinate files arrive: ground truth (to score picks against) or
// picks to edit. One question at a time; the dialog (CoordinatePrompt) answers it.
let promptChain: Promise<unknown> = Promise.resolve();
let answerPrompt: ((as: CoordinatesUse | undefined) => void) | undefined;

function askCoordinatesUse(files: string[]): Promise<CoordinatesUse | undefined> {
  const asked = promptChain.then(
    () =>
      new Promise<CoordinatesUse | undefined>((resolve) => {
        answerPrompt = resolve;
        store().set({ coordinatePrompt: { files } });
      }),
  );
  promptChain = asked;
  return asked;
}

/** The user's answer: how to use the coordinate files just dropped (undefined: not at all). */
export function answerCoordinatePrompt(as: CoordinatesUse | undefined): void {
  store().set({ coordinatePrompt: undefined });
  answerPrompt?.(as);
  answerPrompt = undefined;
}

/** A coordinate file's picks by the micrograph they name; a bad file is reported (undefined) and nothing else changes. */
async function readCoordinateFile(f: InputFile): Promise<{ file: string; groups: CoordinateGroup[] } | undefined> {
  const groupsOf = (read: Map<string, Particle[]>) =>
    // A file of one micrograph is keyed by its own name as readCoordinates gives it (baseName: trimmed, no folders); a table's rows by theirs.
    [...read].map(([micrograph, picks]) => ({
      file: f.name,
      micrograph,
      picks,
      ...(micrograph !== baseName(f.name) ? { fromTable: true } : {}),
    }));
  try {
    const text = await f.blob.text();
    try {
      return { file: f.name, groups: groupsOf(readCoordinates(text, f.name)) };
    } catch (e) {
      if (isMicrographsStar(text, f.name))
        throw new Error(
          `${f.name} is a RELION micrographs STAR, not coordinates: choose it in the Export panel ("RELION micrographs STAR") to lay the export out as a picking job of that project.`,
        );
      if (!(e instanceof MissingBoxSizeError)) throw e;
      // No box size in the file: its corners are kept, and made centres with the box our writers
      // (and crYOLO's) use, the particle diameter of the micrograph it is for, once that is known
      // (centred): with the diameter in Å each micrograph has its own, known when it is opened.
      // Read with a box of 2 px (centres = corners + 1), which is taken off again. Lines that give
      // their own size do not move with it (read with 4 px too): a file of both kinds is refused.
      const sized = [...readCoordinates(text, f.name, { boxSize: 4 }).values()].flat();
      const read = groupsOf(readCoordinates(text, f.name, { boxSize: 2 }));
      const moved = read.flatMap((g) => g.picks).filter((p, i) => p.x !== sized[i].x);
      if (moved.length !== sized.length)
        throw new Error(
          `${f.name}: ${sized.length - moved.length} of its ${sized.length} lines give a box size and the others do not; give every line its box size (or none).`,
        );
      const groups = read.map((g) => ({
        ...g,
        picks: g.picks.map((p) => ({ ...p, x: p.x - 1, y: p.y - 1 })),
        boxCorners: true,
      }));
      return { file: f.name, groups };
    }
  } catch (e) {
    store().notify(errorMessage(e), 'error');
    return undefined;
  }
}

/**
 * The loaded micrograph a coordinate group is for: a file named after one (`mic_01_topaz-run3.txt`
 * is mic_01.mrc's, coords/names.ts micrographMatcher), or, for a table's row, the one of the same
 * base name only (a particles STAR's stack_0001_2.mrc is not stack_0001.mrc's), as the CLI matches them.
 */
function groupMatcher(): (g: CoordinateGroup) => string | undefined {
  const names = store().micrographs.map((m) => m.name);
  const byFile = micrographMatcher(names);
  const byRow = sameMicrographMatcher(names);
  return (g) => (g.fromTable ? byRow : byFile)(g.micrograph);
}

/**
 * The file without its groups that lie beyond an opened micrograph they are for (another
 * binning), each refused and said before the user is asked how to use the file.
 */
function withoutMisplaced<R extends { groups: CoordinateGroup[] }>(r: R): R {
  const match = groupMatcher();
  const groups = r.groups.filter((g) => {
    const target = match(g);
    const m = target === undefined ? undefined : store().micrographs.find((x) => x.name === target);
    if (!m?.info) return true; // checked when its micrograph is opened (applyCoordinates)
    const placed = centred(g, m);
    const why = outsideFileMessage(placed, m, m.info.width, m.info.height);
    if (why) store().notify(why, 'error');
    // Said, not refused: a user may have labelled only that corner.
    const crowded = !why && crowdedMessage(placed.picks, m.name, m.info.width, m.info.height);
    if (crowded) store().notify(`${g.file}: ${crowded}`);
    return !why;
  });
  return { ...r, groups };
}

/**
 * Coordinates beyond a particle radius outside the micrograph: a file written for another binning
 * or another micrograph.
 */
function outsideFileMessage(
  g: Pick<WaitingCoordinates, 'file' | 'picks'>,
  m: MicrographEntry,
  width: number,
  height: number,
): string | undefined {
  const why = outsideMessage(g.picks, m.name, width, height, m.params.diameter / 2);
  return why && `${g.file}: ${why} Not loaded; nothing else changed.`;
}

/** The group without the points just past the micrograph's edge (within a radius: let through above), said when there are any. */
function insideOnly(g: WaitingCoordinates, m: MicrographEntry, width: number, height: number): WaitingCoordinates {
  const past = outsideMicrograph(g.picks, width, height);
  if (!past.length) return g;
  if (!g.quiet)
    store().notify(`${g.file}: ${past.length} of its ${g.picks.length} coordinates lie just past the edge of ${m.name} and were left out.`);
  const drop = new Set(past);
  return { ...g, picks: g.picks.filter((p) => !drop.has(p)) };
}

/**
 * What to say of a coordinate file with no coordinates in it (RELION writes one for a micrograph
 * where nothing was picked): it never replaces picks or ground truth the micrograph has, since
 * an empty file dropped by mistake would silently wipe them; on a micrograph without ground
 * truth it is loaded as ground truth holding no particles.
 */
function emptyFileMessage(g: WaitingCoordinates, m: MicrographEntry): string | undefined {
  if (g.picks.length) return undefined;
  if (g.as === 'picks') return `${g.file} holds no coordinates: ${m.name} keeps its picks (a shift-drag box rejects picks).`;
  if (m.truth?.length)
    return `${g.file} holds no coordinates: ${m.name} keeps its ground truth (${m.truth.length} particles from ${m.truthName}).`;
  return `${g.file} holds no coordinates: ${m.name}'s ground truth is that it holds no particles.`;
}

const useLabel = (as: CoordinatesUse): string => (as === 'truth' ? 'ground truth' : 'picks');

/** A group of box corners (its file gave no box size) as centres, with boxes of the micrograph's particle diameter. */
function centred<G extends Pick<WaitingCoordinates, 'picks' | 'boxCorners'>>(g: G, m: MicrographEntry): G {
  if (!g.boxCorners) return g;
  const half = defaultBoxSize(m.params.diameter) / 2;
  return { ...g, boxCorners: undefined, picks: g.picks.map((p) => ({ ...p, x: p.x + half, y: p.y + half })) };
}

/** Gives one coordinate group to its micrograph, as truth or as manual picks; false when it was refused or changed nothing. */
function applyCoordinates(
  waiting: WaitingCoordinates,
  m: MicrographEntry,
  size: { width: number; height: number },
  pass: { step: string; unreviewed: string[] },
): boolean {
  const group = centred(waiting, m);
  if (waiting.boxCorners && !waiting.quiet)
    store().notify(
      `${waiting.file} gives no box size: read with boxes of ${defaultBoxSize(m.params.diameter)} px, the particle diameter of ${m.name}.`,
    );
  const outside = outsideFileMessage(group, m, size.width, size.height);
  if (outside) {
    store().notify(outside, 'error');
    return false;
  }
  const g = insideOnly(group, m, size.width, size.height);
  const empty = emptyFileMessage(g, m);
  if (empty) {
    if (!g.quiet) store().notify(empty);
    if (g.as === 'picks' || m.truth?.length) return false;
  }
  if (g.as === 'truth') {
    if (g.quiet) store().updateMic(m.key, { truth: g.picks, truthName: g.file });
    else store().change('load coordinates', { [m.key]: { truth: g.picks, truthName: g.file } }, { mergeKey: pass.step });
    return true;
  }
  const picks = g.picks.map((p) => ({
    id: store().newManualId(),
    x: p.x,
    y: p.y,
    ...(p.score !== undefined ? { score: p.score } : {}),
  }));
  const edits = replaceAuto(m.edits, picks, g.file, m.params.diameter);
  const twice = picks.length - (edits.manual.length - m.edits.manual.length);
  if (twice)
    store().notify(
      `${g.file}: ${twice} of its ${picks.length} picks were on ${m.name} already (within a particle radius) and were not added twice.`,
    );
  // Where the loaded picks take the place of the checked ones (the automatic picks set aside, or
  // picks added), the micrograph is reviewed no longer: they are nobody's checked picks yet.
  const unreview = !!m.reviewed && (!m.edits.autoSetAside || edits.manual.length > m.edits.manual.length);
  if (unreview) pass.unreviewed.push(m.name);
  store().change('load coordinates', { [m.key]: { edits, ...(unreview ? { reviewed: false } : {}) } }, { mergeKey: pass.step });
  return true;
}

let passes = 0;

// One notice for the coordinate files that waited and were loaded as their micrographs opened:
// after a reload these open one by one, and a notice each covered the micrograph list.
const noteArrived = burstNotice(
  (lines) =>
    `Loaded what waited for its micrograph: ${someNames(lines, '; ')}${lines.length > 3 ? ` (${lines.length} files in all)` : ''}.`,
  { tone: 'info', quietMs: 2000 },
);

/**
 * Gives each pending coordinate group to the micrograph of its name, as truth or as manual picks,
 * once that micrograph's size is known (called again when a micrograph is first opened).
 */
export function assignCoordinates(): void {
  const waiting = store().waitingCoordinates;
  // Called as each micrograph first opens: nothing waiting (most often) builds no matcher.
  if (!waiting.length) return;
  const match = groupMatcher();
  const still: WaitingCoordinates[] = [];
  const unopened: WaitingCoordinates[] = [];
  const arrived: string[] = [];
  // What one pass loads is one undo step.
  const pass = { step: `load coordinates ${++passes}`, unreviewed: [] as string[] };
  for (const g of waiting) {
    const target = match(g);
    const m = target && store().micrographs.find((x) => x.name === target);
    if (!m) still.push(g);
    else if (!m.info) unopened.push(g);
    // Said when it waited (dropped before, or kept with the session): the user may have forgotten it.
    else if (applyCoordinates(g, m, m.info, pass) && !g.quiet && (announced.has(g) || !justRead.has(g)))
      arrived.push(`${g.file} (${useLabel(g.as)}) on ${m.name}`);
  }
  for (const line of arrived) noteArrived(line);
  if (pass.unreviewed.length) {
    const one = pass.unreviewed.length === 1;
    store().notify(
      `${someNames(pass.unreviewed)} ${one ? 'was' : 'were'} marked reviewed: the loaded picks replace the ones checked there, so ${one ? 'it is' : 'they are'} no longer marked reviewed; check and mark ${one ? 'it' : 'them'} again, or Ctrl+Z.`,
      'error',
    );
  }
  store().set({ waitingCoordinates: [...still, ...unopened] });
  // Said once per file read (again after a reload, as a reminder), not at every micrograph opened.
  const fresh = still.filter((g) => !announced.has(g));
  for (const g of fresh) announced.add(g);
  if (fresh.length) {
    const files = [...new Set(fresh.map((g) => g.file))];
    store().notify(
      `No micrograph matches ${someNames(files)}; it will be used when a micrograph of that name is added (it is kept with the session).`,
    );
  }
}

/** Unloads ground truth from these micrographs (one undo step). */
export function unloadTruth(keys: readonly string[]): void {
  const patches: Record<string, Partial<TrackedFields>> = {};
  for (const k of keys) patches[k] = { truth: undefined, truthName: undefined };
  store().change('unload ground truth', patches);
}

/** Loads the bundled demo micrographs listed in public/samples/index.json (their coordinates as ground truth). */
export async function loadSamples(): Promise<void> {
  const base = `${import.meta.env.BASE_URL}samples/`;
  let list;
  try {
    const res = await fetch(`${base}index.json`);
    if (!res.ok) return;
    list = parseSampleIndex(await res.json());
  } catch {
    return; // no demo data bundled
  }
  const files: InputFile[] = [];
  const diameters = new Map<string, number>();
  for (const s of list) {
    if (s.diameter) diameters.set(s.micrograph, s.diameter);
    for (const name of [s.micrograph, s.truth]) {
      if (!name) continue;
      try {
        const r = await fetch(base + name);
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        files.push({ name, blob: await r.blob() });
      } catch (e) {
        store().notify(`Could not load the demo file ${name}: ${errorMessage(e)}`, 'error');
      }
    }
  }
  await addFiles(files, {
    coordinatesAs: 'truth',
    demo: true,
    paramsFor: (name) => (diameters.has(name) ? { diameter: diameters.get(name)! } : undefined),
  });
}
