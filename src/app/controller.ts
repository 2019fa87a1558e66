// Workbench actions that involve the engine or storage: loading files, picking (on arrival, on
// parameter changes, in batches), undo with the re-picks it needs, backend switches, session
// restore and the hand-over between tabs. Components call these; the numeric work happens in
// the workers, reached only through engine-bridge.ts.
import { matchMicrograph, readCoordinates, type Particle } from '../core/coords';
import { fileKind } from '../core/file-kinds';
import { detectorKey, type PickParams } from '../core/params';
import { lowpassSigmaPx } from '../core/preprocess/display';
import { DISPLAY_SIDE, type BackendChoice, type PickResult, type Progress, type RenderedView, type RenderRequest } from '../../workers/engine-api';
import { engine, type BatchHandle, type Described } from './engine-bridge';
import { errorMessage, isCancelled } from './error-text';
import { PRIORITY, type Priority } from './lane';
import * as persist from './persist';
import { createAutosave } from './autosave';
import { clampDiameterPx, convertSetting, diameterInPx, unitLabel } from './diameter';
import type { TrackedFields } from './history';
import { addManual } from './picks-merge';
import { evictions } from './pool-plan';
import { progressTracker } from './progress';
import { parseSampleIndex } from './samples';
import { applySnapshot, toSnapshot, useWorkbench, type DiameterSetting, type DiameterUnit, type MicImages, type MicStatus, type MicrographEntry } from './store';
import { announce, claimSession, onTabMessage, releaseSession, waitForSession } from './tab-lock';
import { urlOptions } from './url-options';

export interface InputFile {
  name: string;
  blob: Blob;
}

export type CoordinatesUse = 'truth' | 'picks';

export interface AddOptions {
  /** How coordinate files in this drop are used (default: the user is asked). */
  coordinatesAs?: CoordinatesUse;
  /** Parameters for a micrograph of this name (demo data knows its particle diameter). */
  paramsFor?: (name: string) => Partial<PickParams> | undefined;
  /** The bundled demo data. */
  demo?: boolean;
}

const store = useWorkbench.getState;

/** Coordinate groups read from files but not yet matched to a loaded micrograph. */
interface PendingCoordinates {
  file: string;
  micrograph: string;
  picks: Particle[];
  as: CoordinatesUse;
  /** Loaded by the program (demo truth), not by the user: not an undo step. */
  quiet: boolean;
}
let pendingCoordinates: PendingCoordinates[] = [];
const paramTimers = new Map<string, ReturnType<typeof setTimeout>>();
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

/** True (and says so) when this tab may only look. */
function refusedReadOnly(): boolean {
  const why = store().readOnly;
  if (why) store().notify(`Not done: ${why}`, 'error');
  return !!why;
}

const MISSING_FILE = 'the file is not stored in this browser; drop it again to reopen it (picks and edits are kept)';

// ---------------------------------------------------------------- engine lifecycle

const BACKEND_NAME: Record<BackendChoice, string> = { auto: 'The automatic backend', webgpu: 'WebGPU', wasm: 'WASM', cpu: 'The CPU backend' };

/**
 * Starts (or restarts) the worker pool on a backend; micrographs reopen on demand. A forced
 * backend that cannot start gives way to WASM, and the user is told why.
 */
export async function startEngine(choice: BackendChoice, workers?: number): Promise<void> {
  cancelBatch();
  store().set({ engineReady: false, backendError: undefined, backendNote: undefined, backendInfo: undefined, backendChoice: choice, workersChoice: workers });
  let note: string | undefined;
  try {
    let info;
    try {
      info = await engine.start({ backend: choice, workers });
    } catch (e) {
      if (isCancelled(e) || choice === 'wasm') throw e;
      note = `${BACKEND_NAME[choice]} could not start (${errorMessage(e)}); picking runs on WASM instead.`;
      store().notify(note, 'error');
      info = await engine.start({ backend: 'wasm', workers });
    }
    store().set({ backendInfo: info, engineReady: true, backendNote: note, backendError: info.modelError ? `models not loaded: ${info.modelError}` : undefined });
    if (info.modelError) store().notify(`The picking models could not be loaded: ${info.modelError}`, 'error');
    // Micrographs whose opening met the engine down are opened now; with picking on arrival,
    // those never picked (a restart cancels what was waiting) are picked.
    const later = [...thumbnails.later];
    thumbnails.later.clear();
    for (const k of later) queueThumbnail(k);
    void showCurrent();
    if (store().autoPick) ensurePicked(store().micrographs.filter((m) => !m.pickedWith && m.info && !later.includes(m.key)).map((m) => m.key));
    pumpPicks();
  } catch (e) {
    if (!isCancelled(e)) {
      store().set({ backendError: errorMessage(e), backendNote: note });
      store().notify(`The engine could not start: ${errorMessage(e)}`, 'error');
    }
  }
}

export function switchBackend(choice: BackendChoice): Promise<void> {
  return startEngine(choice, store().workersChoice);
}

export function setWorkers(workers: number | undefined): Promise<void> {
  return startEngine(store().backendChoice, workers);
}

/** Whether picking can run (pool started and models loaded, and this tab edits). */
function canPick(): boolean {
  const s = store();
  return s.engineReady && !s.backendInfo?.modelError && !s.readOnly;
}

// ---------------------------------------------------------------- opening and viewing

/** The session diameter in this micrograph's pixels, once its header is known (demo data keeps its own). */
function arrivalDiameter(key: string): void {
  const m = mic(key);
  if (!m || m.demo || !m.info) return;
  const setting = store().diameter;
  const px = diameterInPx(setting, m.info.pixelSize);
  if (px !== undefined) {
    if (px !== m.params.diameter || m.diameterNote) store().updateMic(key, { params: { ...m.params, diameter: px }, diameterNote: undefined });
    return;
  }
  store().updateMic(key, { diameterNote: `no pixel size in the header: ${setting.value} Å cannot be converted; picked at ${m.params.diameter} px (enter the diameter in px to change it)` });
}

function applyDescribed(key: string, d: Described): void {
  const m = mic(key);
  if (!m) return;
  const images: MicImages = {};
  if (d.thumbnail) images.thumbnail = d.thumbnail;
  if (d.display) images.display = d.display;
  if (images.thumbnail || images.display) store().setImages(key, { ...images, ...(images.display ? { displayLowpass: 0 } : {}) });
  const status: MicStatus = m.status === 'queued' || m.status === 'opening' ? (m.pickedWith ? 'picked' : 'ready') : m.status;
  const first = !m.info;
  store().updateMic(key, { info: d.info, status, error: status === 'error' ? m.error : undefined });
  if (first && !m.pickedWith) arrivalDiameter(key);
}

/** Opens a micrograph for its header and images; false when the engine was not running (try again once it is). */
async function describe(key: string, display: boolean, priority: Priority): Promise<boolean> {
  const m = mic(key);
  if (!m || !engine.isRegistered(key)) return true;
  if (m.status === 'queued') store().updateMic(key, { status: 'opening' });
  try {
    applyDescribed(key, await engine.describe(key, { display, priority }));
    return true;
  } catch (e) {
    // A pool that failed to start (a forced backend giving way to WASM) is not the file's fault.
    const engineDown = isCancelled(e) || !store().engineReady;
    if (!engineDown) fail(key, e);
    else if (mic(key)?.status === 'opening') store().updateMic(key, { status: 'queued' });
    return !engineDown;
  }
}

// Thumbnails are made in the background, as many at a time as there are workers. A micrograph
// that arrived is picked once its header is read (its pixel size converts the diameter).
const thumbnails = { queue: [] as string[], active: 0, arrivals: new Set<string>(), later: new Set<string>() };

function queueThumbnail(key: string, arrival = false): void {
  if (arrival) thumbnails.arrivals.add(key);
  thumbnails.queue.push(key);
  pumpThumbnails();
}

function arrived(key: string): void {
  if (!thumbnails.arrivals.delete(key)) return;
  const m = mic(key);
  if (m && store().autoPick && !m.pickedWith && m.status !== 'error') ensurePicked([key]);
}

function pumpThumbnails(): void {
  while (thumbnails.active < Math.max(1, engine.workers) && thumbnails.queue.length) {
    const key = thumbnails.queue.shift()!;
    const m = mic(key);
    if (!m || !engine.isRegistered(key)) continue;
    if (store().images[key]?.thumbnail && m.info) {
      arrived(key);
      continue;
    }
    thumbnails.active++;
    void describe(key, key === store().currentKey, PRIORITY.background).then((done) => {
      thumbnails.active--;
      if (done) arrived(key);
      else thumbnails.later.add(key);
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

/** The display low-pass of a micrograph as a Gaussian sigma in its original pixels (0: off). */
export function lowpassSigmaOf(m: MicrographEntry | undefined): number {
  const res = store().lowpass;
  if (!m || !(res > 0)) return 0;
  return lowpassSigmaPx(res, m.info?.pixelSize ?? 1);
}

/** The whole-image display again, through the low-pass filter now chosen. */
async function refreshDisplay(key: string): Promise<void> {
  const m = mic(key);
  if (!m?.info || !engine.isRegistered(key)) return;
  const sigma = lowpassSigmaOf(m);
  if ((store().images[key]?.displayLowpass ?? -1) === sigma) return;
  try {
    const v = await engine.render(key, { x0: 0, y0: 0, x1: m.info.width, y1: m.info.height, maxSide: DISPLAY_SIDE, lowpassSigma: sigma || undefined });
    if (mic(key) && lowpassSigmaOf(mic(key)) === sigma) store().setImages(key, { display: v, displayLowpass: sigma });
  } catch {
    // the display on screen stays
  }
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
  await refreshDisplay(key);
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

/** Progress of one pick, shown as one figure that never goes back (progress.ts). */
function progressShower(key: string): (p: Progress) => void {
  const track = progressTracker();
  return (p) => store().updateMic(key, { status: 'detecting', progress: track(p.stage, p.fraction), progressStage: p.stage });
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
  if (!m || refusedReadOnly()) return;
  if (!engine.isRegistered(key)) {
    store().updateMic(key, { error: `${m.name}: ${MISSING_FILE}` });
    return;
  }
  const params = m.params;
  try {
    const r = await engine.pick(key, params, {
      priority: PRIORITY.interactive,
      mapWanted: mapWanted(key, params),
      onProgress: progressShower(key),
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

/** Re-picks a micrograph whose parameters changed: at once as a preview, exactly after `delayMs` (or EXACT_DELAY_MS) of quiet. */
function repickSoon(key: string, delayMs: number): void {
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

function isPickedOrPicking(m: MicrographEntry): boolean {
  return !!(m.pickedWith || m.status === 'detecting' || m.status === 'picking');
}

/**
 * Called on every parameter edit. A micrograph that has picks re-picks: for peak parameters at
 * once as a preview on the kept map (circles follow a slider live; requests coalesce in the
 * bridge), then exactly after EXACT_DELAY_MS of quiet; for parameters that re-run the
 * detector, after `delayMs` of quiet.
 */
export function changeParams(key: string, patch: Partial<PickParams>, delayMs = 0): void {
  const before = mic(key)?.params;
  store().setParams(key, patch);
  const m = mic(key);
  if (!m || m.params === before || !isPickedOrPicking(m)) return;
  repickSoon(key, delayMs);
}

/** Re-picks what an undo, a redo or a change of many micrographs left stale: the one on screen at once, the others in the background. */
function repickStale(keys: readonly string[]): void {
  const stale = keys.map(mic).filter((m): m is MicrographEntry => !!m && (isPickedOrPicking(m) || store().autoPick) && !samePickParams(m.pickedWith, m.params));
  const current = stale.find((m) => m.key === store().currentKey);
  if (current && current.pickedWith && detectorKey(current.pickedWith) === detectorKey(current.params)) repickSoon(current.key, 0);
  ensurePicked(stale.filter((m) => m !== current || !current.pickedWith || detectorKey(current.pickedWith) !== detectorKey(current.params)).map((m) => m.key));
}

export function undo(): void {
  repickStale(store().undo());
}

export function redo(): void {
  repickStale(store().redo());
}

// Background picking: micrographs that arrived, were changed together or asked for with "Pick
// all" wait here and are picked on all workers. Keys that come while a batch runs are picked
// by the next one; the progress bar counts them all.
let batchHandle: BatchHandle | undefined;
const waiting = new Set<string>();
/** The keys of the batch running now. */
let batchKeys = new Set<string>();
const counts = { done: 0, failed: 0 };

function needsPick(m: MicrographEntry | undefined): m is MicrographEntry {
  return !!m && engine.isRegistered(m.key) && !(m.status === 'error' && !m.info) && !samePickParams(m.pickedWith, m.params);
}

/** Picks these micrographs in the background when they are not picked with their parameters yet. */
export function ensurePicked(keys: readonly string[]): void {
  if (store().readOnly) return;
  const fresh = keys.filter((k) => !waiting.has(k) && !batchKeys.has(k) && needsPick(mic(k)));
  for (const k of keys) waiting.add(k);
  const b = store().batch;
  if (b && batchHandle && fresh.length) store().set({ batch: { ...b, total: b.total + fresh.length } });
  pumpPicks();
}

function pumpPicks(): void {
  if (batchHandle || !waiting.size || !canPick()) return;
  const current = store().currentKey;
  const items = [...waiting].map(mic).filter(needsPick);
  waiting.clear();
  items.sort((a, b) => Number(b.key === current) - Number(a.key === current));
  if (!items.length) {
    store().set({ batch: undefined });
    return;
  }
  runBatch(items);
}

function runBatch(items: MicrographEntry[]): void {
  const before = new Map(items.map((m) => [m.key, m.status] as const));
  const paramsOf = new Map(items.map((m) => [m.key, m.params] as const));
  const progress = new Map(items.map((m) => [m.key, progressShower(m.key)] as const));
  const prev = store().batch;
  if (!prev) {
    counts.done = 0;
    counts.failed = 0;
  }
  const tick = (): void => {
    const b = store().batch;
    if (b) store().set({ batch: { ...b, done: counts.done, failed: counts.failed } });
  };
  store().set({ batch: { done: counts.done, failed: counts.failed, total: counts.done + counts.failed + items.length } });
  const handle = engine.batch(
    items.map((m) => ({ key: m.key, params: m.params })),
    {
      onStart: (key) => store().updateMic(key, { status: 'picking', error: undefined }),
      onProgress: (key, p) => progress.get(key)?.(p),
      onOpened: applyDescribed,
      mapWanted: (key) => mapWanted(key, paramsOf.get(key)!),
      onDone: (key, r) => {
        applyPickResult(key, paramsOf.get(key)!, r);
        counts.done++;
        tick();
        // Changed while it was picked: pick it again with what it has now.
        if (needsPick(mic(key))) waiting.add(key);
      },
      onError: (key, e) => {
        fail(key, e);
        counts.done++;
        counts.failed++;
        tick();
      },
      onSkipped: (key) => {
        const m = mic(key);
        if (m && (m.status === 'picking' || m.status === 'detecting')) store().updateMic(key, { status: before.get(key) ?? 'ready', progress: undefined });
      },
    },
  );
  batchHandle = handle;
  batchKeys = new Set(items.map((m) => m.key));
  void handle.done.finally(() => {
    if (batchHandle !== handle) return;
    batchHandle = undefined;
    batchKeys = new Set();
    if (store().batch?.cancelling) {
      waiting.clear();
      store().set({ batch: undefined });
      return;
    }
    pumpPicks();
    if (!batchHandle) store().set({ batch: undefined });
  });
}

/** Picks every micrograph not yet picked with its current parameters, on all workers. */
export function pickAll(): void {
  if (refusedReadOnly()) return;
  const items = store().micrographs.filter(needsPick);
  if (!items.length) {
    store().notify('Every micrograph is already picked with its current parameters.');
    return;
  }
  ensurePicked(items.map((m) => m.key));
}

/** Stops background picking: finished micrographs keep their picks, the rest go back to where they were. */
export function cancelBatch(): void {
  waiting.clear();
  if (!batchHandle) {
    if (store().batch) store().set({ batch: undefined });
    return;
  }
  const b = store().batch;
  if (b) store().set({ batch: { ...b, cancelling: true } });
  batchHandle.cancel();
}

/** Changes several micrographs at once (one undo step) and re-picks them. */
function changeMany(label: string, patches: Record<string, Partial<TrackedFields>>, mergeKey?: string): void {
  if (store().change(label, patches, { mergeKey })) repickStale(Object.keys(patches));
}

/**
 * Copies the current micrograph's parameters to every other one (each keeps its diameter, which
 * the session sets) and picks them again; one undo step.
 */
export function applyParamsToAll(): void {
  const s = store();
  const cur = s.micrographs.find((m) => m.key === s.currentKey);
  if (!cur || refusedReadOnly()) return;
  const patches: Record<string, Partial<TrackedFields>> = {};
  for (const m of s.micrographs) if (m.key !== cur.key) patches[m.key] = { params: { ...cur.params, diameter: m.params.diameter } };
  changeMany('apply parameters to all', patches);
}

/** Sets one parameter on every micrograph (the score histogram's cutoff); a drag is one undo step. */
export function setParamForAll(name: keyof PickParams, value: number | boolean): void {
  const s = store();
  if (refusedReadOnly()) return;
  const patches: Record<string, Partial<TrackedFields>> = {};
  for (const m of s.micrographs) patches[m.key] = { params: { ...m.params, [name]: value } };
  const before = new Map(s.micrographs.map((m) => [m.key, m.params]));
  if (!s.change(`${String(name)} for all`, patches, { mergeKey: `all:${String(name)}` })) return;
  // The one on screen follows at once; the others after a short quiet (a drag sends many).
  const current = s.currentKey;
  if (current && mic(current) !== undefined && mic(current)!.params !== before.get(current) && isPickedOrPicking(mic(current)!)) repickSoon(current, 0);
  const t = paramTimers.get('*all*');
  if (t !== undefined) clearTimeout(t);
  paramTimers.set(
    '*all*',
    setTimeout(() => {
      paramTimers.delete('*all*');
      ensurePicked(store().micrographs.filter((m) => m.key !== store().currentKey && isPickedOrPicking(m)).map((m) => m.key));
    }, EXACT_DELAY_MS),
  );
}

// ---------------------------------------------------------------- the session's diameter

/** A pixel size to convert the session diameter with when the unit changes: the current micrograph's, else any. */
function knownPixelSize(): number | undefined {
  const s = store();
  const cur = s.micrographs.find((m) => m.key === s.currentKey);
  return cur?.info?.pixelSize ?? s.micrographs.find((m) => m.info?.pixelSize)?.info?.pixelSize;
}

/**
 * The session diameter: every micrograph (but the demo data, which keeps its own) takes it in
 * its own pixels and is picked again; new micrographs inherit it. One undo step.
 */
export function setSessionDiameter(setting: DiameterSetting): void {
  if (refusedReadOnly()) return;
  const s = store();
  const patches: Record<string, Partial<TrackedFields>> = {};
  for (const m of s.micrographs) {
    if (m.demo || !m.info) continue;
    const px = diameterInPx(setting, m.info.pixelSize);
    if (px !== undefined) patches[m.key] = { params: { ...m.params, diameter: px } };
  }
  const px = setting.unit === 'px' ? clampDiameterPx(setting.value) : undefined;
  if (!s.change('particle diameter', patches, { session: { diameter: setting } })) return;
  if (px !== undefined) s.set({ defaultParams: { ...s.defaultParams, diameter: px } });
  for (const m of store().micrographs) if (!m.demo && m.info) arrivalDiameter(m.key);
  repickStale(Object.keys(patches));
}

/** Shows the session diameter in another unit: the same size, converted with a known pixel size. */
export function setDiameterUnit(unit: DiameterUnit): void {
  const s = store();
  if (s.diameter.unit === unit || refusedReadOnly()) return;
  const pixelSize = knownPixelSize();
  if (!pixelSize) s.notify(`No micrograph with a pixel size is loaded yet: enter the diameter in ${unitLabel(unit)}; each micrograph converts it with its own header.`);
  s.change('diameter unit', {}, { session: { diameter: convertSetting(s.diameter, unit, pixelSize) } });
}

// ---------------------------------------------------------------- review flags

export function toggleFlag(key: string | undefined, flag: 'reviewed' | 'excluded'): void {
  const m = key ? mic(key) : undefined;
  if (!m) return;
  store().change(flag === 'reviewed' ? 'mark reviewed' : 'exclude from export', { [m.key]: { [flag]: !m[flag] } });
}

/** Goes to the next micrograph not marked reviewed (after the current one, wrapping round). */
export function nextUnreviewed(): void {
  const s = store();
  const list = s.micrographs;
  const i = list.findIndex((m) => m.key === s.currentKey);
  for (let d = 1; d <= list.length; d++) {
    const m = list[(i + d + list.length) % list.length];
    if (!m.reviewed) {
      if (m.key !== s.currentKey) s.setCurrent(m.key);
      return;
    }
  }
  s.notify('Every micrograph is marked reviewed.');
}

// ---------------------------------------------------------------- files

async function storeFile(key: string, name: string, blob: Blob): Promise<void> {
  if (!storage.session || !storage.files || store().readOnly) return;
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
  if (refusedReadOnly()) return;
  const others: string[] = [];
  const coordinates: InputFile[] = [];
  for (const f of files) {
    const kind = fileKind(f.name);
    if (kind === 'coordinates') coordinates.push(f);
    else if (kind === 'other') others.push(f.name);
    else addMicrographFile(f, opts);
  }
  if (others.length) store().notify(`Ignored ${others.length} file(s) that are neither micrographs nor coordinates: ${others.slice(0, 3).join(', ')}${others.length > 3 ? ', ...' : ''}`);
  if (coordinates.length) {
    const as = opts.coordinatesAs ?? (await askCoordinatesUse(coordinates.map((f) => f.name)));
    if (as) for (const f of coordinates) await readCoordinateFile(f, as, !!opts.demo);
  }
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
    const m = mic(key)!;
    const patch = opts.paramsFor?.(f.name);
    const px = diameterInPx(store().diameter, undefined);
    store().updateMic(key, { params: { ...m.params, ...(px !== undefined ? { diameter: px } : {}), ...patch }, demo: opts.demo || undefined });
  }
  void storeFile(key, f.name, f.blob);
  if (key === store().currentKey) void showCurrent();
  queueThumbnail(key, true);
}

/** Removes a micrograph from the session: its row, its picks, its stored file. The caller confirms when it holds edits. */
export async function removeMicrograph(key: string): Promise<void> {
  if (refusedReadOnly()) return;
  const m = mic(key);
  if (!m) return;
  waiting.delete(key);
  thumbnails.queue = thumbnails.queue.filter((k) => k !== key);
  thumbnails.arrivals.delete(key);
  const t = paramTimers.get(key);
  if (t !== undefined) clearTimeout(t);
  paramTimers.delete(key);
  recentViews = recentViews.filter((k) => k !== key);
  engine.cancel(key);
  engine.unregister(key);
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

/** Reads a coordinate file into pending groups; a bad file is reported and nothing else changes. */
async function readCoordinateFile(f: InputFile, as: CoordinatesUse, quiet: boolean): Promise<void> {
  try {
    for (const [micrograph, picks] of readCoordinates(await f.blob.text(), f.name)) pendingCoordinates.push({ file: f.name, micrograph, picks, as, quiet });
  } catch (e) {
    store().notify(errorMessage(e), 'error');
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
      if (g.quiet) store().updateMic(m.key, { truth: g.picks, truthName: g.file });
      else store().change('load ground truth', { [m.key]: { truth: g.picks, truthName: g.file } });
    } else {
      let edits = m.edits;
      for (const p of g.picks) edits = addManual(edits, p.x, p.y, store().newManualId(), p.score);
      store().commitEdits(m.key, edits);
    }
  }
  pendingCoordinates = still;
  if (still.length) {
    const files = [...new Set(still.map((g) => g.file))];
    store().notify(`No micrograph matches ${files.slice(0, 3).join(', ')}${files.length > 3 ? ', ...' : ''}; it will be used when a micrograph of that name is added.`);
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

// ---------------------------------------------------------------- session

/** Quiet time before autosave writes (short: a reload right after an edit should find it). */
const AUTOSAVE_DELAY_MS = 250;

const autosave = createAutosave(
  async () => {
    if (!storage.session || store().readOnly) return;
    await persist.saveSession(toSnapshot(store()));
    announce({ type: 'saved' });
  },
  AUTOSAVE_DELAY_MS,
  {
    onError: (e) => {
      storage.session = false;
      store().set({ storageWarning: persist.storageProblem(e), saveState: 'off' });
    },
    onPending: (pending) => {
      if (storage.session) store().set({ saveState: pending ? 'saving' : 'saved' });
    },
  },
);

/** Registers the stored files of the micrographs in the snapshot that are not registered yet. */
async function registerStoredFiles(micrographs: readonly MicrographEntry[]): Promise<void> {
  for (const m of micrographs) {
    if (engine.isRegistered(m.key)) continue;
    const f = await persist.loadFile(m.key);
    if (f) engine.register(m.key, f.name, f.blob);
    else if (m.status !== 'error') store().updateMic(m.key, { error: `${m.name}: ${MISSING_FILE}` });
  }
}

/** Restores the previous session (files included). Returns false when there was none. */
async function restoreSession(): Promise<boolean> {
  try {
    const snap = await persist.loadSession();
    if (!snap || !snap.micrographs.length) return false;
    applySnapshot(snap);
    await registerStoredFiles(store().micrographs);
    return true;
  } catch (e) {
    storage.session = false;
    store().set({ storageWarning: persist.storageProblem(e), saveState: 'off' });
    return false;
  }
}

function startAutosave(): void {
  void persist.requestPersistence();
  useWorkbench.subscribe((s, prev) => {
    if (s.readOnly) return;
    if (
      s.micrographs !== prev.micrographs ||
      s.currentKey !== prev.currentKey ||
      s.defaultParams !== prev.defaultParams ||
      s.diameter !== prev.diameter ||
      s.autoPick !== prev.autoPick ||
      s.showPicks !== prev.showPicks ||
      s.lowpass !== prev.lowpass ||
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
}

/** Clears everything (memory, worker state, IndexedDB). The caller confirms first. */
export async function newSession(): Promise<void> {
  if (refusedReadOnly()) return;
  cancelBatch();
  for (const t of paramTimers.values()) clearTimeout(t);
  paramTimers.clear();
  for (const m of store().micrographs) engine.unregister(m.key);
  thumbnails.queue = [];
  thumbnails.arrivals.clear();
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

// ---------------------------------------------------------------- two tabs

export const READ_ONLY_ELSEWHERE = 'this session is open for editing in another tab; this tab only shows it';
export const READ_ONLY_MOVED = 'this session was taken over by another tab; this tab only shows it';

/** A tab that only looks follows what the editing tab saves. */
async function mirrorSavedSession(): Promise<void> {
  const snap = await persist.loadSession().catch(() => undefined);
  if (!snap || !store().readOnly) return;
  const { currentKey, readOnly } = store();
  const known = new Set(store().micrographs.map((m) => m.key));
  applySnapshot(snap);
  const keys = new Set(store().micrographs.map((m) => m.key));
  store().set({ readOnly, currentKey: currentKey && keys.has(currentKey) ? currentKey : store().currentKey });
  for (const k of known) if (!keys.has(k)) engine.unregister(k);
  await registerStoredFiles(store().micrographs);
  for (const m of store().micrographs) if (!known.has(m.key)) queueThumbnail(m.key);
}

/** The editing tab, asked by another to hand over: saves, stops its work and only looks from now on. */
async function handOver(): Promise<void> {
  if (store().readOnly) return;
  cancelBatch();
  for (const t of paramTimers.values()) clearTimeout(t);
  paramTimers.clear();
  await autosave.flush();
  store().set({ readOnly: READ_ONLY_MOVED });
  releaseSession();
}

/** Takes the session over from the tab that edits it: that tab saves and lets go, then this one reloads and edits. */
export async function takeOver(): Promise<void> {
  store().set({ takingOver: true });
  await waitForSession();
  location.reload();
}

let booting: Promise<void> | undefined;

/** First start: claim or watch the session, restore it (or load the demo data), start the engine. Idempotent. */
export function boot(): Promise<void> {
  booting ??= (async () => {
    const owner = await claimSession();
    if (!owner) store().set({ readOnly: READ_ONLY_ELSEWHERE });
    onTabMessage((msg) => {
      if (msg.type === 'takeover') void handOver();
      else if (msg.type === 'saved' && store().readOnly) void mirrorSavedSession();
    });
    const restored = await restoreSession();
    if (owner) startAutosave();
    const url = urlOptions(location.search);
    const started = startEngine(url.backend ?? store().backendChoice, url.workers ?? store().workersChoice);
    useWorkbench.subscribe((s, prev) => {
      if (s.currentKey !== prev.currentKey) void showCurrent();
      else if (s.lowpass !== prev.lowpass && s.currentKey) void refreshDisplay(s.currentKey);
    });
    if (restored) {
      // Micrographs that were waiting to be picked when the page closed are picked now.
      for (const m of store().micrographs) queueThumbnail(m.key, !m.pickedWith);
      void showCurrent();
    } else if (owner) {
      await loadSamples();
      await started;
    }
  })();
  return booting;
}
