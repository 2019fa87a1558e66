// Workbench actions that involve the engine or storage: loading files, picking, re-picking
// on parameter changes, batches, backend switches, session restore. Components call these;
// the numeric work happens in the workers, reached only through engine-bridge.ts.
import { matchMicrograph, readCoordinates, type Particle } from '../core/coords';
import { fileKind } from '../core/file-kinds';
import { detectorKey, type PickParams } from '../core/params';
import type { BackendChoice, PickResult, Progress, RenderedView, RenderRequest } from '../../workers/engine-api';
import { engine, type BatchHandle, type Described } from './engine-bridge';
import { errorMessage, isCancelled } from './error-text';
import { PRIORITY, type Priority } from './lane';
import * as persist from './persist';
import { createAutosave } from './autosave';
import { addManual } from './picks-merge';
import { evictions } from './pool-plan';
import { parseSampleIndex } from './samples';
import { applySnapshot, toSnapshot, useWorkbench, type MicImages, type MicStatus, type MicrographEntry } from './store';
import { urlOptions } from './url-options';

export interface InputFile {
  name: string;
  blob: Blob;
}

export interface AddOptions {
  /** How coordinate files in this drop are used (default: the toolbar's choice). */
  coordinatesAs?: 'truth' | 'picks';
  /** Parameters for a micrograph of this name (demo data knows its particle diameter). */
  paramsFor?: (name: string) => Partial<PickParams> | undefined;
}

const store = useWorkbench.getState;

/** Coordinate groups read from files but not yet matched to a loaded micrograph. */
interface PendingCoordinates {
  file: string;
  micrograph: string;
  picks: Particle[];
  as: 'truth' | 'picks';
}
let pendingCoordinates: PendingCoordinates[] = [];
const paramTimers = new Map<string, ReturnType<typeof setTimeout>>();
let batchHandle: BatchHandle | undefined;
let keyCounter = 0;
/** What autosave may still write: a full quota stops file storage first, the session last. */
const storage = { session: true, files: true };

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

function samePickParams(a: PickParams | undefined, b: PickParams): boolean {
  return !!a && (Object.keys(b) as (keyof PickParams)[]).every((k) => a[k] === b[k]);
}

const MISSING_FILE = 'the file is not stored in this browser; drop it again to reopen it (picks and edits are kept)';

// ---------------------------------------------------------------- engine lifecycle

/** Starts (or restarts) the worker pool on a backend; micrographs reopen on demand. */
export async function startEngine(choice: BackendChoice, workers?: number): Promise<void> {
  cancelBatch();
  store().set({ engineReady: false, backendError: undefined, backendInfo: undefined, backendChoice: choice, workersChoice: workers });
  try {
    const info = await engine.start({ backend: choice, workers });
    store().set({ backendInfo: info, engineReady: true, backendError: info.modelError ? `models not loaded: ${info.modelError}` : undefined });
    void showCurrent();
  } catch (e) {
    if (!isCancelled(e)) store().set({ backendError: errorMessage(e) });
  }
}

export function switchBackend(choice: BackendChoice): Promise<void> {
  return startEngine(choice, store().workersChoice);
}

export function setWorkers(workers: number | undefined): Promise<void> {
  return startEngine(store().backendChoice, workers);
}

/** Whether picking can run (pool started and models loaded). */
function canPick(): boolean {
  const s = store();
  return s.engineReady && !s.backendInfo?.modelError;
}

// ---------------------------------------------------------------- opening and viewing

function applyDescribed(key: string, d: Described): void {
  const m = mic(key);
  if (!m) return;
  const images: MicImages = {};
  if (d.thumbnail) images.thumbnail = d.thumbnail;
  if (d.display) images.display = d.display;
  if (images.thumbnail || images.display) store().setImages(key, images);
  const status: MicStatus = m.status === 'queued' || m.status === 'opening' ? (m.pickedWith ? 'picked' : 'ready') : m.status;
  store().updateMic(key, { info: d.info, status, error: status === 'error' ? m.error : undefined });
}

async function describe(key: string, display: boolean, priority: Priority): Promise<void> {
  const m = mic(key);
  if (!m || !engine.isRegistered(key)) return;
  if (m.status === 'queued') store().updateMic(key, { status: 'opening' });
  try {
    applyDescribed(key, await engine.describe(key, { display, priority }));
  } catch (e) {
    if (!isCancelled(e)) fail(key, e);
    else if (mic(key)?.status === 'opening') store().updateMic(key, { status: 'queued' });
  }
}

// Thumbnails are made in the background, as many at a time as there are workers.
const thumbnails = { queue: [] as string[], active: 0 };

function queueThumbnail(key: string): void {
  thumbnails.queue.push(key);
  pumpThumbnails();
}

function pumpThumbnails(): void {
  while (thumbnails.active < Math.max(1, engine.workers) && thumbnails.queue.length) {
    const key = thumbnails.queue.shift()!;
    const m = mic(key);
    if (!m || store().images[key]?.thumbnail || !engine.isRegistered(key)) continue;
    thumbnails.active++;
    void describe(key, key === store().currentKey, PRIORITY.background).finally(() => {
      thumbnails.active--;
      pumpThumbnails();
    });
  }
}

/** Whole-image displays and maps kept on the main thread (the rest are fetched again when shown). */
const KEEP_VIEWS = 4;
let recentViews: string[] = [];

function keepRecentView(key: string): void {
  recentViews = [...recentViews.filter((k) => k !== key), key];
  const drop = evictions(
    recentViews.map((k) => ({ key: k, bytes: 1 })),
    KEEP_VIEWS,
    new Set([key]),
  );
  for (const k of drop) {
    store().setImages(k, { display: undefined });
    store().setHeatmap(k, undefined);
  }
  recentViews = recentViews.filter((k) => !drop.includes(k));
}

/** Brings the current micrograph on screen: its worker keeps it open, its display and map come back. */
export async function showCurrent(): Promise<void> {
  const key = store().currentKey;
  if (!key) return;
  engine.pin([key]);
  keepRecentView(key);
  const m = mic(key);
  if (!m || !engine.isRegistered(key) || (m.status === 'error' && !m.info)) return;
  if (!store().images[key]?.display) await describe(key, true, PRIORITY.interactive);
  await refreshHeatmap(key);
}

/** A full-detail region of a micrograph for the viewer; undefined when it cannot be had now. */
export async function renderDetail(key: string, req: RenderRequest): Promise<RenderedView | undefined> {
  if (!engine.isRegistered(key)) return undefined;
  try {
    return await engine.render(key, req);
  } catch {
    return undefined; // the whole-image display stays on screen
  }
}

async function refreshHeatmap(key: string): Promise<void> {
  const m = mic(key);
  if (!m?.pickedWith) return;
  const want = detectorKey(m.params);
  if (store().heatmaps[key]?.detectorKey === want) return;
  const map = await engine.map(key, m.params).catch(() => undefined);
  if (map && mic(key)) store().setHeatmap(key, { ...map, detectorKey: want });
}

// ---------------------------------------------------------------- picking

function mapWanted(key: string, params: PickParams): boolean {
  return key === store().currentKey && store().heatmaps[key]?.detectorKey !== detectorKey(params);
}

function showProgress(key: string, p: Progress): void {
  store().updateMic(key, { status: 'detecting', progress: p.fraction, progressStage: p.stage });
}

function applyPickResult(key: string, params: PickParams, r: PickResult): void {
  const m = mic(key);
  if (!m) return;
  if (r.map) store().setHeatmap(key, { ...r.map, detectorKey: detectorKey(params) });
  if (r.unclassified > 0) {
    store().updateMic(key, { auto: r.picks, timings: r.timings }); // a preview: the exact pick follows
    return;
  }
  store().updateMic(key, {
    auto: r.picks,
    pickedWith: params,
    status: 'picked',
    error: undefined,
    progress: undefined,
    progressStage: undefined,
    timings: r.timings,
  });
}

/**
 * Picks one micrograph with its parameters; the detector runs only when its map is not kept.
 * A preview skips the classifier on candidates it has not seen (EngineApi.pick).
 */
export async function pickMicrograph(key: string, opts: { preview?: boolean } = {}): Promise<void> {
  const m = mic(key);
  if (!m) return;
  if (!engine.isRegistered(key)) {
    store().updateMic(key, { error: `${m.name}: ${MISSING_FILE}` });
    return;
  }
  const params = m.params;
  try {
    const r = await engine.pick(key, params, {
      priority: PRIORITY.interactive,
      mapWanted: mapWanted(key, params),
      onProgress: (p) => showProgress(key, p),
      onOpened: (d) => applyDescribed(key, d),
      preview: opts.preview,
    });
    if (r) applyPickResult(key, params, r);
  } catch (e) {
    if (!isCancelled(e)) fail(key, e);
  }
}

/** Quiet time after the last peak-parameter edit before the exact re-pick classifies new candidates. */
const EXACT_DELAY_MS = 250;

/**
 * Called on every parameter edit. A micrograph that has picks re-picks: for peak parameters at
 * once as a preview on the kept map (circles follow a slider live; requests coalesce in the
 * bridge), then exactly after EXACT_DELAY_MS of quiet; for parameters that re-run the
 * detector, after `delayMs` of quiet.
 */
export function changeParams(key: string, patch: Partial<PickParams>, delayMs = 0): void {
  store().setParams(key, patch);
  const m = mic(key);
  if (!m || !(m.pickedWith || m.status === 'detecting' || m.status === 'picking')) return;
  const t = paramTimers.get(key);
  if (t !== undefined) clearTimeout(t);
  if (delayMs <= 0) void pickMicrograph(key, { preview: true });
  paramTimers.set(
    key,
    setTimeout(
      () => {
        paramTimers.delete(key);
        const now = mic(key);
        if (now && !samePickParams(now.pickedWith, now.params)) void pickMicrograph(key);
      },
      delayMs <= 0 ? EXACT_DELAY_MS : delayMs,
    ),
  );
}

/** Picks every micrograph not yet picked with its current parameters, on all workers. */
export function pickAll(): void {
  if (batchHandle) return;
  const items = store().micrographs.filter((m) => engine.isRegistered(m.key) && !(m.status === 'error' && !m.info) && !samePickParams(m.pickedWith, m.params));
  if (!items.length) {
    store().notify('Every micrograph is already picked with its current parameters.');
    return;
  }
  const before = new Map(items.map((m) => [m.key, m.status] as const));
  const paramsOf = new Map(items.map((m) => [m.key, m.params] as const));
  const total = items.length;
  let done = 0;
  let failed = 0;
  const tick = (): void => {
    const b = store().batch;
    if (b) store().set({ batch: { ...b, done, failed } });
  };
  store().set({ batch: { done: 0, failed: 0, total } });
  const handle = engine.batch(
    items.map((m) => ({ key: m.key, params: m.params })),
    {
      onStart: (key) => store().updateMic(key, { status: 'picking', error: undefined }),
      onProgress: showProgress,
      onOpened: applyDescribed,
      mapWanted: (key) => mapWanted(key, paramsOf.get(key)!),
      onDone: (key, r) => {
        applyPickResult(key, paramsOf.get(key)!, r);
        done++;
        tick();
      },
      onError: (key, e) => {
        fail(key, e);
        done++;
        failed++;
        tick();
      },
      onSkipped: (key) => {
        const m = mic(key);
        if (m && (m.status === 'picking' || m.status === 'detecting')) store().updateMic(key, { status: before.get(key) ?? 'ready', progress: undefined });
      },
    },
  );
  batchHandle = handle;
  void handle.done.finally(() => {
    if (batchHandle === handle) batchHandle = undefined;
    store().set({ batch: undefined });
  });
}

/** Stops a batch: finished micrographs keep their picks, the rest go back to where they were. */
export function cancelBatch(): void {
  if (!batchHandle) return;
  const b = store().batch;
  if (b) store().set({ batch: { ...b, cancelling: true } });
  batchHandle.cancel();
}

/** Copies the current micrograph's parameters to all and picks every micrograph with them. */
export function applyParamsToAll(): void {
  const s = store();
  const cur = s.micrographs.find((m) => m.key === s.currentKey);
  if (!cur) return;
  for (const m of s.micrographs) if (m.key !== cur.key) s.updateMic(m.key, { params: { ...cur.params } });
  pickAll();
}

// ---------------------------------------------------------------- files

async function storeFile(key: string, name: string, blob: Blob): Promise<void> {
  if (!storage.session || !storage.files) return;
  try {
    if (!(await persist.hasRoomFor(blob.size))) throw new DOMException('not enough room left for the micrograph files', 'QuotaExceededError');
    await persist.saveFile(key, name, blob);
  } catch (e) {
    storage.files = false;
    store().set({ storageWarning: persist.storageProblem(e, 'files') });
  }
}

/** Adds micrographs and coordinate files (any order, any mix). A bad file only affects its own row. */
export async function addFiles(files: InputFile[], opts: AddOptions = {}): Promise<void> {
  const others: string[] = [];
  const as = opts.coordinatesAs ?? store().loadCoordinatesAs;
  for (const f of files) {
    const kind = fileKind(f.name);
    if (kind === 'coordinates') await readCoordinateFile(f, as);
    else if (kind === 'other') others.push(f.name);
    else addMicrographFile(f, opts);
  }
  if (others.length) store().notify(`Ignored ${others.length} file(s) that are neither micrographs nor coordinates: ${others.slice(0, 3).join(', ')}${others.length > 3 ? ', ...' : ''}`);
  assignCoordinates();
}

function addMicrographFile(f: InputFile, opts: AddOptions): void {
  const existing = store().micrographs.find((m) => m.name === f.name);
  if (existing && engine.isRegistered(existing.key)) {
    store().notify(`${f.name} is already loaded; skipped.`);
    return;
  }
  // A new file, or the file of a restored micrograph whose bytes were not stored: picks and edits stay.
  const key = existing?.key ?? newKey();
  engine.register(key, f.name, f.blob);
  if (existing) {
    const status: MicStatus = existing.pickedWith ? 'picked' : 'queued';
    store().updateMic(key, { error: undefined, status, info: existing.status === 'error' ? undefined : existing.info });
  } else {
    store().addMicrograph(key, f.name);
    const patch = opts.paramsFor?.(f.name);
    if (patch) store().updateMic(key, { params: { ...mic(key)!.params, ...patch } });
  }
  void storeFile(key, f.name, f.blob);
  if (key === store().currentKey) void showCurrent();
  queueThumbnail(key);
}

/** Reads a coordinate file into pending groups; a bad file is reported and nothing else changes. */
async function readCoordinateFile(f: InputFile, as: 'truth' | 'picks'): Promise<void> {
  try {
    for (const [micrograph, picks] of readCoordinates(await f.blob.text(), f.name)) pendingCoordinates.push({ file: f.name, micrograph, picks, as });
  } catch (e) {
    store().notify(errorMessage(e));
  }
}

/** Gives each pending coordinate group to the micrograph of its name, as truth or as manual picks. */
function assignCoordinates(): void {
  const names = store().micrographs.map((m) => m.name);
  const still: PendingCoordinates[] = [];
  for (const g of pendingCoordinates) {
    const target = matchMicrograph(g.micrograph, names);
    const m = target && store().micrographs.find((x) => x.name === target);
    if (!m) {
      still.push(g);
      continue;
    }
    if (g.as === 'truth') {
      store().updateMic(m.key, { truth: g.picks, truthName: g.file });
    } else {
      let edits = m.edits;
      for (const p of g.picks) edits = addManual(edits, p.x, p.y, store().newManualId());
      store().commitEdits(m.key, edits);
    }
  }
  pendingCoordinates = still;
  if (still.length) {
    const files = [...new Set(still.map((g) => g.file))];
    store().notify(`No micrograph matches ${files.slice(0, 3).join(', ')}${files.length > 3 ? ', ...' : ''}; it will be used when a micrograph of that name is added.`);
  }
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
        store().notify(`Could not load the demo file ${name}: ${errorMessage(e)}`);
      }
    }
  }
  await addFiles(files, {
    coordinatesAs: 'truth',
    paramsFor: (name) => (diameters.has(name) ? { diameter: diameters.get(name)! } : undefined),
  });
}

// ---------------------------------------------------------------- session

/** Quiet time before autosave writes (short: a reload right after an edit should find it). */
const AUTOSAVE_DELAY_MS = 250;

const autosave = createAutosave(() => (storage.session ? persist.saveSession(toSnapshot(store())) : Promise.resolve()), AUTOSAVE_DELAY_MS, {
  onError: (e) => {
    storage.session = false;
    store().set({ storageWarning: persist.storageProblem(e), saveState: 'off' });
  },
  onPending: (pending) => {
    if (storage.session) store().set({ saveState: pending ? 'saving' : 'saved' });
  },
});

/** Restores the previous session (files included), then starts autosaving. Returns false when there was none. */
export async function restoreSession(): Promise<boolean> {
  let restored = false;
  try {
    const snap = await persist.loadSession();
    if (snap && snap.micrographs.length) {
      applySnapshot(snap);
      for (const m of snap.micrographs) {
        const f = await persist.loadFile(m.key);
        if (f) engine.register(m.key, f.name, f.blob);
        else if (m.status !== 'error') store().updateMic(m.key, { error: `${m.name}: ${MISSING_FILE}` });
      }
      restored = true;
    }
  } catch (e) {
    storage.session = false;
    store().set({ storageWarning: persist.storageProblem(e), saveState: 'off' });
  }
  void persist.requestPersistence();
  useWorkbench.subscribe((s, prev) => {
    if (
      s.micrographs !== prev.micrographs ||
      s.currentKey !== prev.currentKey ||
      s.defaultParams !== prev.defaultParams ||
      s.showHeatmap !== prev.showHeatmap ||
      s.contrastLow !== prev.contrastLow ||
      s.contrastHigh !== prev.contrastHigh ||
      s.heatmapOpacity !== prev.heatmapOpacity ||
      s.backendChoice !== prev.backendChoice ||
      s.workersChoice !== prev.workersChoice
    ) {
      autosave.schedule();
    }
  });
  addEventListener('pagehide', () => void autosave.flush());
  addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') void autosave.flush();
  });
  return restored;
}

/** Clears everything (memory, worker state, IndexedDB). The caller confirms first. */
export async function newSession(): Promise<void> {
  cancelBatch();
  for (const t of paramTimers.values()) clearTimeout(t);
  paramTimers.clear();
  for (const m of store().micrographs) engine.unregister(m.key);
  thumbnails.queue = [];
  recentViews = [];
  pendingCoordinates = [];
  store().reset();
  try {
    await persist.clearAll();
    storage.session = true;
    storage.files = true;
    store().set({ storageWarning: undefined, saveState: 'saved' });
  } catch (e) {
    store().set({ storageWarning: persist.storageProblem(e) });
  }
}

let booting: Promise<void> | undefined;

/** First start: restore the saved session (or load the demo data), start the engine. Idempotent. */
export function boot(): Promise<void> {
  booting ??= (async () => {
    const restored = await restoreSession();
    const url = urlOptions(location.search);
    const started = startEngine(url.backend ?? store().backendChoice, url.workers ?? store().workersChoice);
    useWorkbench.subscribe((s, prev) => {
      if (s.currentKey !== prev.currentKey) void showCurrent();
    });
    if (restored) {
      for (const m of store().micrographs) queueThumbnail(m.key);
      void showCurrent();
    } else {
      await loadSamples();
      // First start: the demo shows picks at once when the engine can pick.
      await started;
      const first = store().currentKey;
      if (first && canPick()) void pickMicrograph(first);
    }
  })();
  return booting;
}
