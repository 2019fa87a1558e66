// Picking: one micrograph on request, again as its parameters change (a live preview, then the
// exact pick), undo and redo with the re-picks they need, changes to many micrographs at once,
// and background picking on all workers.
import { detectorKey, differOnlyIn, samePickParams, type PickParams } from '../../core/params';
import { withCutoff } from '../../core/pipeline';
import type { PickResult, Progress } from '../../../workers/engine-api';
import { engine, type BatchHandle } from '../engine-bridge';
import { isCancelled } from '../error-text';
import { PRIORITY } from '../lane';
import type { TrackedFields } from '../history';
import { progressTracker } from '../progress';
import {
  currentMic,
  failedToOpen,
  unreviewedMicrographs,
  waitsForPixelSize,
  workMicrographs,
  type ChangeOptions,
  type MicrographEntry,
} from '../store';
import { fail, MISSING_FILE, mic, pickedUpToDate, picksBehindParams, refusedReadOnly, sameModels, store } from './context';
import { canPick } from './engine-lifecycle';
import { applyDescribed, storeHeatmap } from './viewing';
import { bringAutoBack } from '../picks-merge';

const paramTimers = new Map<string, ReturnType<typeof setTimeout>>();

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
  // Picked with parameters it no longer has, where the picks it shows are up to date with the
  // ones it has (an undo gave a reviewed micrograph back its checked picks while this ran): they
  // stay. Its status is put back by whoever ends last (pickMicrograph's finally, or here for a batch).
  if (!samePickParams(params, m.params) && pickedUpToDate(m)) {
    if (!interactive.has(key) && (m.status === 'detecting' || m.status === 'picking'))
      store().updateMic(key, { status: 'picked', progress: undefined, progressStage: undefined });
    return;
  }
  if (r.map) storeHeatmap(key, { ...r.map, detectorKey: detectorKey(params) });
  if (r.unclassified > 0) {
    store().updateMic(key, { auto: r.picks, calibration: r.calibration, timings: r.timings, preview: true }); // the exact pick follows
    return;
  }
  store().updateMic(key, {
    auto: r.picks,
    preview: undefined,
    repickStopped: undefined,
    pickedWith: params,
    pickedBy: r.models,
    calibration: r.calibration,
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
  interactive.set(key, (interactive.get(key) ?? 0) + 1);
  try {
    const r = await engine.pick(key, params, {
      priority: PRIORITY.interactive,
      mapWanted: mapWanted(key, params),
      onProgress: progressShower(key),
      onOpened: (d) => applyDescribed(key, d),
      preview: opts.preview,
    });
    if (!r) return;
    applyPickResult(key, params, r);
    // Its parameters changed (an undo, a new value) while this pick ran: what it shows is for the
    // old ones, and nothing else may be coming, so pick again with the parameters it has now.
    const now = mic(key);
    if (now && !samePickParams(params, now.params) && !pickedUpToDate(now)) repickSoon(key, 0);
  } catch (e) {
    if (!isCancelled(e)) fail(key, e);
  } finally {
    const n = interactive.get(key)! - 1;
    if (n) interactive.set(key, n);
    else {
      interactive.delete(key);
      // The last pick asked for ended without a result (cancelled): its progress would say 'picking' for ever.
      const now = mic(key);
      if (now && (now.status === 'detecting' || now.status === 'picking') && !batchKeys.has(key))
        store().updateMic(key, { status: now.pickedWith ? 'picked' : 'ready', progress: undefined, progressStage: undefined });
    }
  }
}

/**
 * A micrograph whose parameters differ from its picks' in the classifier cutoff alone takes the
 * new cutoff on the candidates it holds, at once and without a worker (a cutoff set on every
 * micrograph re-picked each one, reopening those a worker had let go: 30-40 s for 29 micrographs
 * in a tester's session). False where it must be picked again.
 */
function recutInPlace(m: MicrographEntry | undefined): boolean {
  if (!m?.pickedWith || !differOnlyIn(m.pickedWith, m.params, 'cutoff')) return false;
  const recut = atOwnCutoff(m);
  if (recut) store().updateMic(m.key, recut);
  return !!recut;
}

/**
 * A micrograph's candidates at its own cutoff, and the parameters its picks are then of; undefined
 * where they must be picked again instead (a preview, picks by other models, picks that do not say
 * which candidates a screen dropped).
 */
function atOwnCutoff(m: MicrographEntry): Pick<MicrographEntry, 'auto' | 'pickedWith'> | undefined {
  const made = m.pickedWith;
  if (!made || m.preview || (!m.reviewed && !sameModels(m.pickedBy, store().backendInfo?.models))) return undefined;
  const auto = withCutoff(m.auto, m.params.cutoff, made.useClassifier);
  return auto && { auto, pickedWith: { ...made, cutoff: m.params.cutoff } };
}

/**
 * A micrograph whose re-pick Cancel stopped takes a new cutoff on the candidates it holds and
 * stays stopped: its picks are then those of its old other parameters at the new cutoff (what
 * picking with them would give), and the change Cancel stopped still waits for Pick all.
 */
function recutStopped(m: MicrographEntry): void {
  const recut = m.pickedWith && m.pickedWith.cutoff !== m.params.cutoff ? atOwnCutoff(m) : undefined;
  if (recut) store().updateMic(m.key, recut);
}

/** Picks of the micrograph on screen asked for and not yet answered, by micrograph. */
const interactive = new Map<string, number>();

/** Whether the picks a micrograph shows are about to change: a pick of it asked for or running, or its exact pick after a preview still to come. */
export function picksInProgress(key: string): boolean {
  const m = mic(key);
  if (!m) return false;
  // A preview's exact pick comes only where picking can go on (not in a tab that only looks, nor with the engine down or after a failure).
  const exactToCome = !!m.preview && m.status !== 'error' && needsPick(m) && canPick();
  return interactive.has(key) || paramTimers.has(key) || exactToCome || m.status === 'detecting' || m.status === 'picking';
}

/** Quiet time after the last peak-parameter edit before the exact re-pick classifies new candidates. */
const EXACT_DELAY_MS = 250;

/** Re-picks a micrograph whose parameters changed: at once as a preview, exactly after `delayMs` (or EXACT_DELAY_MS) of quiet. */
function repickSoon(key: string, delayMs: number): void {
  const t = paramTimers.get(key);
  if (t !== undefined) clearTimeout(t);
  if (recutInPlace(mic(key))) return;
  if (delayMs <= 0) void pickMicrograph(key, { preview: true });
  paramTimers.set(
    key,
    setTimeout(
      () => {
        paramTimers.delete(key);
        const now = mic(key);
        if (now && picksBehindParams(now)) void pickMicrograph(key);
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
  const wasReviewed = !!mic(key)?.reviewed;
  store().setParams(key, patch);
  const m = mic(key);
  if (m && m.params !== before) sayLaterDefaults();
  if (m && wasReviewed && !m.reviewed)
    store().notify(
      `${m.name} was marked reviewed: a parameter change picks it again, so it is no longer marked reviewed; check it and mark it again (r), or Ctrl+Z.`,
      'error',
    );
  if (!m || m.params === before || !isPickedOrPicking(m)) return;
  repickSoon(key, delayMs);
}

let laterDefaultsSaid = false;

/** Said once a session: a parameter set on one micrograph is where micrographs added later start (a tester expected otherwise). */
function sayLaterDefaults(): void {
  if (laterDefaultsSaid) return;
  laterDefaultsSaid = true;
  store().notify(
    'A parameter set on one micrograph is set on it alone; micrographs added from now on start from the parameters set last. "Apply to all…" sets them on the others.',
  );
}

/** Re-picks what an undo, a redo or a change of many micrographs left stale: the one on screen at once, the others in the background. */
export function repickStale(keys: readonly string[]): void {
  const stale = keys
    .map(mic)
    .filter((m): m is MicrographEntry => !!m && (isPickedOrPicking(m) || store().autoPick) && picksBehindParams(m));
  const current = stale.find((m) => m.key === store().currentKey);
  if (current && current.pickedWith && detectorKey(current.pickedWith) === detectorKey(current.params)) repickSoon(current.key, 0);
  ensurePicked(
    stale
      .filter((m) => m !== current || !current.pickedWith || detectorKey(current.pickedWith) !== detectorKey(current.params))
      .map((m) => m.key),
  );
}

/** Drops the pending re-pick of a micrograph that leaves the session and takes it off the waiting list. */
export function forgetPicking(key: string): void {
  dropArrival(key);
  waiting.delete(key);
  const t = paramTimers.get(key);
  if (t !== undefined) clearTimeout(t);
  paramTimers.delete(key);
}

/** Drops every pending re-pick (the background batch is cancelled apart: cancelBatch). */
export function cancelRepicks(): void {
  for (const t of paramTimers.values()) clearTimeout(t);
  paramTimers.clear();
}

// Background picking: micrographs that arrived, were changed together or asked for with "Pick
// all" wait here and are picked on all workers. Keys that come while a batch runs are picked
// by the next one; the progress bar counts them all, micrographs still being opened included.
let batchHandle: BatchHandle | undefined;
const waiting = new Set<string>();
/** The keys of the batch running now that it has not finished with (picked, failed or skipped). */
let batchKeys = new Set<string>();
const counts = { done: 0, failed: 0 };
/**
 * Micrographs that arrived with picking on arrival, picked once opened (their header converts the
 * diameter): counted in the progress bar's total from the moment they arrive, so a drop of 19
 * shows n/19 at once; Cancel drops them.
 */
const arriving = new Set<string>();

/** A micrograph arrived: it is picked once opened (pickArrived), when picking on arrival is on. */
export function expectArrival(key: string): void {
  if (!store().autoPick || store().readOnly || arriving.has(key)) return;
  arriving.add(key);
  const b = store().batch;
  if (b) store().set({ batch: { ...b, total: b.total + 1 } });
  else if (canPick()) {
    counts.done = 0;
    counts.failed = 0;
    store().set({ batch: { done: 0, failed: 0, total: arriving.size } });
  }
}

/** An arrived micrograph is open: picked now, unless Cancel came first (or it failed to open). */
export function pickArrived(key: string): void {
  if (!arriving.has(key)) return;
  const m = mic(key);
  if (m && store().autoPick && !m.pickedWith && m.status !== 'error' && !waitsForPixelSize(m, store())) {
    arriving.delete(key);
    ensurePicked([key], true);
  } else dropArrival(key);
}

/** Takes an arrival that will not be picked out of the progress bar's total. */
function dropArrival(key: string): void {
  if (!arriving.delete(key)) return;
  const b = store().batch;
  if (!b) return;
  if (!batchHandle && !waiting.size && !arriving.size) store().set({ batch: undefined });
  else store().set({ batch: { ...b, total: Math.max(b.done, b.total - 1) } });
}

/** The progress bar goes when nothing is picked, waits or is being opened to be picked. */
function endBatchDisplay(): void {
  if (!arriving.size) store().set({ batch: undefined });
}

function needsPick(m: MicrographEntry | undefined): m is MicrographEntry {
  return !!m && engine.isRegistered(m.key) && !failedToOpen(m) && !pickedUpToDate(m) && !waitsForPixelSize(m, store());
}

/**
 * Picks these micrographs in the background when they are not picked with their parameters yet.
 * `counted`: they are arrivals, already in the progress bar's total.
 */
export function ensurePicked(keys: readonly string[], counted = false): void {
  if (store().readOnly) return;
  // A cutoff alone is taken on the candidates held, even while a batch holds the micrograph (its
  // result, for the old cutoff, is then dropped): only what still needs a worker waits for one.
  for (const k of keys) if (mic(k)?.repickStopped) store().updateMic(k, { repickStopped: undefined }); // asked for again
  const recut = new Set(keys.filter((k) => recutInPlace(mic(k))));
  for (const k of recut) waiting.delete(k);
  const rest = keys.filter((k) => !recut.has(k));
  const fresh = rest.filter((k) => !waiting.has(k) && !batchKeys.has(k) && needsPick(mic(k)));
  for (const k of rest) waiting.add(k);
  const b = store().batch;
  if (b && batchHandle && fresh.length && !counted) store().set({ batch: { ...b, total: b.total + fresh.length } });
  pumpPicks();
}

export function pumpPicks(): void {
  if (batchHandle || !waiting.size || !canPick()) return;
  const current = store().currentKey;
  const items = [...waiting].map(mic).filter(needsPick);
  waiting.clear();
  items.sort((a, b) => Number(b.key === current) - Number(a.key === current));
  if (!items.length) {
    endBatchDisplay();
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
  const itemKeys = new Set(items.map((m) => m.key));
  const unfinished = new Set(itemKeys);
  const opening = [...arriving].filter((k) => !itemKeys.has(k)).length;
  store().set({ batch: { done: counts.done, failed: counts.failed, total: counts.done + items.length + opening } });
  const handle = engine.batch(
    items.map((m) => ({ key: m.key, params: m.params })),
    {
      onStart: (key) => store().updateMic(key, { status: 'picking', error: undefined }),
      onProgress: (key, p) => progress.get(key)?.(p),
      onOpened: applyDescribed,
      mapWanted: (key) => mapWanted(key, paramsOf.get(key)!),
      onDone: (key, r) => {
        unfinished.delete(key);
        applyPickResult(key, paramsOf.get(key)!, r);
        counts.done++;
        tick();
        // Changed while it was picked: pick it again with what it has now. (Picks by other models,
        // a retrained one on trial, are picked again when the models in use are back: repickOtherModels.)
        // Not once Cancel is pressed: then it waits for "Pick all" like the rest.
        const now = mic(key);
        // A cutoff alone is taken on the picks it just got, without a worker.
        if (!store().batch?.cancelling && now && !samePickParams(now.pickedWith, now.params) && needsPick(now) && !recutInPlace(now))
          waiting.add(key);
      },
      onError: (key, e) => {
        unfinished.delete(key);
        fail(key, e);
        counts.done++;
        counts.failed++;
        tick();
      },
      onSkipped: (key) => {
        unfinished.delete(key);
        const m = mic(key);
        // Opened meanwhile (the batch opens what it picks): ready, not back to queued.
        const back = m?.info ? (m.pickedWith ? 'picked' : 'ready') : (before.get(key) ?? 'ready');
        if (m && (m.status === 'picking' || m.status === 'detecting')) store().updateMic(key, { status: back, progress: undefined });
      },
    },
  );
  batchHandle = handle;
  batchKeys = unfinished;
  void handle.done.finally(() => {
    if (batchHandle !== handle) return;
    batchHandle = undefined;
    batchKeys = new Set();
    // What Cancel stopped waits for "Pick all" (stopBatch let it go); what was asked for while
    // the batch stopped (an arrival, the cutoff for all) is picked now.
    if (store().batch?.cancelling) store().set({ batch: undefined });
    pumpPicks();
    if (!batchHandle) endBatchDisplay();
  });
}

/**
 * Picks again, in the background, every picked micrograph whose picks other models made (the
 * models in use changed, or a model on trial picked for the app meanwhile); the one on screen first.
 */
export function repickOtherModels(): void {
  const s = store();
  const inUse = s.backendInfo?.models;
  // The user's own first: the demo data is browsable only once they have some, and waits behind them.
  const ordered = [...s.micrographs.filter((m) => !m.demo), ...s.micrographs.filter((m) => m.demo)];
  const stale = ordered.filter((m) => m.pickedWith && !sameModels(m.pickedBy, inUse) && needsPick(m));
  for (const m of stale) if (m.pickedBy?.fcrn !== inUse?.fcrn) s.setHeatmap(m.key, undefined); // from the old detector
  ensurePicked(stale.map((m) => m.key));
}

/**
 * Picks again, in the background, every micrograph that shows a preview (a reload or an engine
 * restart cut its exact pick short; the exact pick classifies candidates the preview left out).
 * Micrographs whose new parameters were never picked at all (a batch stopped by Cancel) wait for "Pick all".
 */
export function repickCutShort(): void {
  // ensurePicked leaves out those picked with their parameters after all (needsPick).
  ensurePicked(
    store()
      .micrographs.filter((m) => m.preview)
      .map((m) => m.key),
  );
}

/** Picks every micrograph not yet picked with its current parameters and models, on all workers. */
export function pickAll(): void {
  if (refusedReadOnly()) return;
  // Once the user has micrographs of their own the demo data is browsable only, not theirs to pick.
  const work = workMicrographs(store().micrographs);
  const items = work.filter(needsPick);
  const held = work.filter((m) => waitsForPixelSize(m, store())).length;
  const heldNote = held
    ? ` ${held} wait for a pixel size: enter the pixel size of files without one under the diameter, or the diameter in px.`
    : '';
  if (!items.length) {
    store().notify(
      `Every micrograph ${held ? 'that can be picked ' : ''}is already picked with its current parameters and models.${heldNote}`,
    );
    return;
  }
  if (held) store().notify(heldNote.trim());
  ensurePicked(items.map((m) => m.key));
}

/**
 * Stops background picking (the Cancel button): finished micrographs keep their picks, the rest go
 * back to where they were, and micrographs still being opened are not picked when they are
 * ("Pick all" picks them).
 */
export function cancelBatch(): void {
  arriving.clear();
  // Re-picks for new parameters stopped here stay stopped after a reload too (engine-lifecycle resumes the others).
  for (const k of new Set([...waiting, ...batchKeys])) {
    const m = mic(k);
    if (m?.pickedWith && picksBehindParams(m)) store().updateMic(k, { repickStopped: true });
  }
  stopBatch();
}

/** Stops the batch running now; micrographs still being opened are picked once they are (an engine restart). */
export function stopBatch(): void {
  waiting.clear();
  if (!batchHandle) {
    if (store().batch) store().set({ batch: undefined });
    return;
  }
  const b = store().batch;
  if (b) store().set({ batch: { ...b, cancelling: true } });
  batchHandle.cancel();
}

/** Shows a micrograph's automatic picks again beside the picks loaded from a file (one undo step). */
export function bringBackAutomaticPicks(key: string): void {
  const m = mic(key);
  if (m && !refusedReadOnly()) store().commitEdits(key, bringAutoBack(m.edits));
}

/** Changes several micrographs at once (one undo step) and re-picks them. */
function changeMany(label: string, patches: Record<string, Partial<TrackedFields>>, opts: ChangeOptions = {}): void {
  if (store().change(label, patches, opts)) repickStale(Object.keys(patches));
}

/** The micrographs "Apply to all" sets the current one's parameters on: the user's others not marked reviewed. */
export function applyToAllTargets(s: { micrographs: readonly MicrographEntry[]; currentKey?: string }): MicrographEntry[] {
  return unreviewedMicrographs(s.micrographs).filter((m) => m.key !== s.currentKey);
}

/**
 * Copies the current micrograph's parameters to the user's other micrographs not marked reviewed
 * (each keeps its diameter, which the session sets; a reviewed one keeps the picks the user
 * checked, as with the cutoff for all) and picks them again; one undo step.
 */
export function applyParamsToAll(): void {
  const s = store();
  const cur = currentMic(s);
  if (!cur || refusedReadOnly()) return;
  const patches: Record<string, Partial<TrackedFields>> = {};
  for (const m of applyToAllTargets(s)) patches[m.key] = { params: { ...cur.params, diameter: m.params.diameter } };
  changeMany('apply parameters to all', patches);
}

/**
 * Sets these parameters on the given micrographs (one undo step) and on those added later, and
 * picks them again. False when this tab may not change the session (it says so).
 */
export function setParamsOn(keys: readonly string[], patch: Partial<PickParams>, label: string): boolean {
  if (refusedReadOnly()) return false;
  const patches: Record<string, Partial<TrackedFields>> = {};
  for (const key of keys) {
    const m = mic(key);
    if (m) patches[key] = { params: { ...m.params, ...patch } };
  }
  changeMany(label, patches, { session: { defaultParams: { ...store().defaultParams, ...patch } } });
  return true;
}

/**
 * Sets one parameter on every micrograph of the user's work not marked reviewed (the score
 * histogram's cutoff) and on those added later; a drag is one undo step.
 */
export function setParamForAll(name: keyof PickParams, value: number | boolean): void {
  const s = store();
  if (refusedReadOnly()) return;
  // The user's micrographs (the demos, once there are some of theirs, keep their own settings);
  // reviewed ones keep the picks that were checked.
  const work = unreviewedMicrographs(s.micrographs);
  const patches: Record<string, Partial<TrackedFields>> = {};
  for (const m of work) patches[m.key] = { params: { ...m.params, [name]: value } };
  const before = new Map(work.map((m) => [m.key, m.params]));
  // Micrographs added later start from it too, as they start from any parameter set last.
  const session = { defaultParams: { ...s.defaultParams, [name]: value } };
  if (!s.change(`${String(name)} for all`, patches, { mergeKey: `all:${String(name)}`, session })) return;
  // The one on screen follows at once; the others after a short quiet (a drag sends many).
  const current = s.currentKey;
  if (current && before.has(current) && mic(current) && mic(current)!.params !== before.get(current) && isPickedOrPicking(mic(current)!))
    repickSoon(current, 0);
  const t = paramTimers.get('*all*');
  if (t !== undefined) clearTimeout(t);
  paramTimers.set(
    '*all*',
    setTimeout(() => {
      paramTimers.delete('*all*');
      const changed = store().micrographs.filter((m) => before.has(m.key) && m.key !== store().currentKey && isPickedOrPicking(m));
      // Those whose re-pick Cancel stopped take the cutoff on what they hold and stay stopped.
      for (const m of changed) if (m.repickStopped) recutStopped(m);
      ensurePicked(changed.filter((m) => !m.repickStopped).map((m) => m.key));
    }, EXACT_DELAY_MS),
  );
}
