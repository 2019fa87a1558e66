// Workbench actions that involve the engine or storage: loading files, picking, re-picking
// on parameter changes, backend switches, session restore. Components call these; the numeric
// work happens in the worker.
import type { PickParams } from '../core/params';
import type { BackendChoice } from '../../workers/engine-api';
import { engine, errorMessage } from './engine-bridge';
import { classifyFile, matchCoordinateFile } from './file-routing';
import { parseCoordinates } from './coords-io';
import * as persist from './persist';
import { addManual } from './picks-merge';
import { applySnapshot, toSnapshot, useWorkbench, type MicrographEntry } from './store';

export interface InputFile {
  name: string;
  blob: Blob;
}

const store = useWorkbench.getState;

/** Runtime bookkeeping that is not UI state. */
const blobs = new Map<string, Blob>();
const engineIds = new Map<string, Promise<string | undefined>>();
/** Parameters the detector map currently in the worker was computed with. */
const detectedWith = new Map<string, Pick<PickParams, 'diameter' | 'negativeStain'>>();
const activeDetect = new Map<string, number>();
const paramTimers = new Map<string, ReturnType<typeof setTimeout>>();
let pendingCoordinates: InputFile[] = [];
let keyCounter = 0;
/** Settles once the first engine start finished (either way); opening waits for it. */
let markEngineStarted: () => void = () => {};
const engineStarted = new Promise<void>((resolve) => (markEngineStarted = resolve));
let persistenceOn = true;

function newKey(): string {
  keyCounter++;
  return `${Date.now().toString(36)}-${keyCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

function mic(key: string): MicrographEntry | undefined {
  return store().micrographs.find((m) => m.key === key);
}

function fail(key: string, e: unknown): void {
  store().updateMic(key, { status: 'error', error: errorMessage(e), progress: undefined });
}

// Opening is serialised: the worker decodes one file at a time anyway, and this bounds memory.
let openChain: Promise<unknown> = Promise.resolve();

function ensureOpen(key: string): Promise<string | undefined> {
  const known = engineIds.get(key);
  if (known) return known;
  const p = (openChain = openChain.then(() => openNow(key))) as Promise<string | undefined>;
  engineIds.set(key, p);
  return p;
}

async function openNow(key: string): Promise<string | undefined> {
  const m = mic(key);
  const blob = blobs.get(key);
  if (!m) return undefined;
  if (!blob) {
    fail(key, new Error(`${m.name}: the file is no longer available in this browser; drop it again to reopen it`));
    return undefined;
  }
  await engineStarted;
  const wasPicked = mic(key)?.status === 'picked';
  if (!wasPicked) store().updateMic(key, { status: 'opening', error: undefined });
  try {
    const buffer = await blob.arrayBuffer();
    const r = await engine.open(m.name, buffer);
    if (!mic(key)) {
      void engine.close(r.id); // removed (new session) while opening
      return undefined;
    }
    store().setImages(key, { thumbnail: r.thumbnail, display: r.display });
    store().updateMic(key, {
      status: wasPicked ? 'picked' : 'ready',
      info: { width: r.width, height: r.height, pixelSize: r.pixelSize, frames: r.frames, note: r.note, displayScale: r.displayScale },
    });
    return r.id;
  } catch (e) {
    fail(key, e);
    engineIds.delete(key);
    return undefined;
  }
}

function needsDetect(key: string, params: PickParams): boolean {
  const d = detectedWith.get(key);
  return !d || d.diameter !== params.diameter || d.negativeStain !== params.negativeStain;
}

/** Preprocess + FCRN (when needed), then peaks/classifier. */
export async function pickMicrograph(key: string, forceDetect = false): Promise<void> {
  const id = await ensureOpen(key);
  const m = mic(key);
  if (!id || !m) return;
  const params = m.params;
  try {
    if (forceDetect || needsDetect(key, params)) {
      const previous = activeDetect.get(key);
      if (previous !== undefined) void engine.cancel(previous);
      store().updateMic(key, { status: 'detecting', progress: 0, error: undefined });
      const { jobId, result } = engine.detect(id, params, (p) => {
        if (activeDetect.get(key) === jobId) store().updateMic(key, { progress: p.fraction, progressStage: p.stage });
      });
      activeDetect.set(key, jobId);
      const det = await result;
      if (activeDetect.get(key) !== jobId) return; // superseded by a newer detect
      activeDetect.delete(key);
      detectedWith.set(key, { diameter: params.diameter, negativeStain: params.negativeStain });
      store().setHeatmap(key, { map: det.map, width: det.mapWidth, height: det.mapHeight, scale: det.scale });
      store().updateMic(key, { timings: { ...det.timings } });
    }
    await repickNow(key);
  } catch (e) {
    if (isCancelled(e)) return;
    fail(key, e);
  }
}

function isCancelled(e: unknown): boolean {
  return (e as { code?: string } | null)?.code === 'cancelled' || /cancel/i.test(errorMessage(e));
}

async function repickNow(key: string): Promise<void> {
  const id = await ensureOpen(key);
  const m = mic(key);
  if (!id || !m) return;
  const params = m.params;
  store().updateMic(key, { status: 'picking', progress: undefined });
  const r = await engine.repick(id, params);
  if (!r) return; // a newer request for this micrograph will deliver
  const now = mic(key);
  store().updateMic(key, { auto: r.picks, status: 'picked', error: undefined, timings: { ...(now?.timings ?? {}), ...r.timings } });
}

/** Called on every parameter edit; the engine sees only the settled value. */
export function changeParams(key: string, patch: Partial<PickParams>, delayMs = 120): void {
  store().setParams(key, patch);
  const m = mic(key);
  if (!m || m.status === 'queued' || m.status === 'error') return;
  const t = paramTimers.get(key);
  if (t !== undefined) clearTimeout(t);
  paramTimers.set(
    key,
    setTimeout(() => {
      paramTimers.delete(key);
      void pickMicrograph(key);
    }, delayMs),
  );
}

export async function pickAll(onlyUnpicked = false): Promise<void> {
  const keys = store()
    .micrographs.filter((m) => m.status !== 'error' && (!onlyUnpicked || m.status !== 'picked'))
    .map((m) => m.key);
  store().set({ batch: { done: 0, total: keys.length } });
  let done = 0;
  for (const key of keys) {
    await pickMicrograph(key);
    done++;
    store().set({ batch: { done, total: keys.length } });
  }
  store().set({ batch: undefined });
}

/** Copies the current micrograph's parameters to all and re-picks those already picked. */
export async function applyParamsToAll(): Promise<void> {
  const s = store();
  const cur = s.micrographs.find((m) => m.key === s.currentKey);
  if (!cur) return;
  for (const m of s.micrographs) if (m.key !== cur.key) s.updateMic(m.key, { params: { ...cur.params } });
  const picked = store().micrographs.filter((m) => m.status === 'picked' || m.status === 'ready');
  store().set({ batch: { done: 0, total: picked.length } });
  let done = 0;
  for (const m of picked) {
    await pickMicrograph(m.key);
    store().set({ batch: { done: ++done, total: picked.length } });
  }
  store().set({ batch: undefined });
}

async function storeFile(key: string, name: string, blob: Blob): Promise<void> {
  if (!persistenceOn) return;
  try {
    await persist.saveFile(key, name, blob);
  } catch (e) {
    persistenceOn = false;
    store().set({ storageWarning: persist.storageProblem(e) });
  }
}

/** Adds micrographs and coordinate files (any order, any mix). */
export async function addFiles(files: InputFile[]): Promise<void> {
  const others: string[] = [];
  const opened: string[] = [];
  for (const f of files) {
    const kind = classifyFile(f.name);
    if (kind === 'coordinates') pendingCoordinates.push(f);
    else if (kind === 'other') others.push(f.name);
    else {
      if (store().micrographs.some((m) => m.name === f.name)) {
        store().notify(`${f.name} is already loaded; skipped.`);
        continue;
      }
      const key = newKey();
      blobs.set(key, f.blob);
      store().addMicrograph(key, f.name);
      void storeFile(key, f.name, f.blob);
      opened.push(key);
    }
  }
  if (others.length) store().notify(`Ignored ${others.length} file(s) that are neither micrographs nor coordinates: ${others.slice(0, 3).join(', ')}${others.length > 3 ? ', ...' : ''}`);
  await assignCoordinates();
  await Promise.all(opened.map((k) => ensureOpen(k)));
}

async function assignCoordinates(): Promise<void> {
  const names = store().micrographs.map((m) => m.name);
  const still: InputFile[] = [];
  for (const f of pendingCoordinates) {
    const target = matchCoordinateFile(f.name, names);
    if (!target) {
      still.push(f);
      continue;
    }
    const m = store().micrographs.find((x) => x.name === target)!;
    try {
      const picks = parseCoordinates(await f.blob.text(), f.name);
      if (store().loadCoordinatesAs === 'truth') {
        store().updateMic(m.key, { truth: picks, truthName: f.name });
      } else {
        let edits = m.edits;
        for (const p of picks) edits = addManual(edits, p.x, p.y, store().newManualId());
        store().commitEdits(m.key, edits);
        if (m.status === 'queued' || m.status === 'ready') store().updateMic(m.key, { status: 'picked' });
      }
    } catch (e) {
      store().notify(errorMessage(e));
    }
  }
  pendingCoordinates = still;
  if (still.length) {
    store().notify(
      `No micrograph matches ${still.map((f) => f.name).slice(0, 3).join(', ')}${still.length > 3 ? ', ...' : ''}; it will be used when a micrograph of that name is added.`,
    );
  }
}

interface SampleEntry {
  micrograph: string;
  truth?: string;
}

/** Loads the bundled demo micrographs listed in public/samples/index.json. */
export async function loadSamples(): Promise<void> {
  const base = `${import.meta.env.BASE_URL}samples/`;
  let list: SampleEntry[];
  try {
    const res = await fetch(`${base}index.json`);
    if (!res.ok) return;
    list = (await res.json()) as SampleEntry[];
  } catch {
    return; // no demo data bundled
  }
  const files: InputFile[] = [];
  for (const s of list) {
    for (const name of [s.micrograph, s.truth]) {
      if (!name) continue;
      try {
        const r = await fetch(base + name);
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        files.push({ name, blob: await r.blob() });
      } catch (e) {
        store().notify(`Could not load the demo file ${name}: ${errorMessage(e)}`);
      }
    }
  }
  const as = store().loadCoordinatesAs;
  store().set({ loadCoordinatesAs: 'truth' }); // demo coordinate files are ground truth
  await addFiles(files);
  store().set({ loadCoordinatesAs: as });
}

export async function startEngine(choice: BackendChoice, restart = false): Promise<void> {
  store().set({ engineReady: false, backendError: undefined, backendChoice: choice });
  try {
    const info = await engine.init(choice, restart);
    store().set({ backendInfo: info, engineReady: true });
  } catch (e) {
    store().set({ backendError: errorMessage(e), backendInfo: undefined });
  }
  markEngineStarted();
}

/** Restarts the worker on another backend and reopens every micrograph in it. */
export async function switchBackend(choice: BackendChoice): Promise<void> {
  engineIds.clear();
  detectedWith.clear();
  activeDetect.clear();
  for (const m of store().micrographs) store().setHeatmap(m.key, undefined);
  await startEngine(choice, true);
  for (const m of store().micrographs) if (m.status !== 'error' || blobs.has(m.key)) void ensureOpen(m.key);
}

const autosave = persist.debounced(
  () => (persistenceOn ? persist.saveSession(toSnapshot(store())) : Promise.resolve()),
  600,
  (e) => {
    persistenceOn = false;
    store().set({ storageWarning: persist.storageProblem(e) });
  },
);

/** Restores the previous session (files included), then starts autosaving. Returns false when there was none. */
export async function restoreSession(): Promise<boolean> {
  let restored = false;
  try {
    const snap = await persist.loadSession();
    if (snap && snap.micrographs.length) {
      applySnapshot(snap);
      for (const m of snap.micrographs) {
        const f = await persist.loadFile(m.key);
        if (f) blobs.set(m.key, f.blob);
      }
      restored = true;
    }
  } catch (e) {
    persistenceOn = false;
    store().set({ storageWarning: persist.storageProblem(e) });
  }
  void persist.requestPersistence();
  useWorkbench.subscribe((s, prev) => {
    if (s.micrographs !== prev.micrographs || s.currentKey !== prev.currentKey || s.defaultParams !== prev.defaultParams || s.showHeatmap !== prev.showHeatmap || s.contrastLow !== prev.contrastLow || s.contrastHigh !== prev.contrastHigh || s.heatmapOpacity !== prev.heatmapOpacity) {
      autosave.schedule();
    }
  });
  addEventListener('pagehide', () => void autosave.flush());
  return restored;
}

/** Clears everything (memory, worker state, IndexedDB). The caller confirms first. */
export async function newSession(): Promise<void> {
  // Opens still in flight are not awaited: openNow closes what it opens for a removed micrograph.
  for (const idp of engineIds.values()) void idp.then((id) => (id ? engine.close(id) : undefined));
  for (const t of paramTimers.values()) clearTimeout(t);
  paramTimers.clear();
  engineIds.clear();
  detectedWith.clear();
  activeDetect.clear();
  blobs.clear();
  pendingCoordinates = [];
  store().reset();
  try {
    await persist.clearAll();
    persistenceOn = true;
  } catch (e) {
    store().set({ storageWarning: persist.storageProblem(e) });
  }
}

let booting: Promise<void> | undefined;

/** First start: restore the saved session (or load the demo data), start the engine. Idempotent. */
export function boot(): Promise<void> {
  booting ??= (async () => {
    const restored = await restoreSession();
    await startEngine(store().backendChoice);
    if (restored) for (const m of store().micrographs) void ensureOpen(m.key);
    else await loadSamples();
  })();
  return booting;
}
