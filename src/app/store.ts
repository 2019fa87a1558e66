// The workbench state (zustand). Plain data and synchronous actions only: anything that talks
// to the engine lives in controller/, so this module runs (and is tested) in Node.
import { create } from 'zustand';
import type { CalibrationReport } from '../core/calibrate';
import type { Particle } from '../core/coords/types';
import { DEFAULT_PICK_PARAMS, validParams, type PickParams } from '../core/params';
import type { BackendChoice, GreyImage, MapImage, MicrographInfo, ScoredPick } from '../../workers/engine-api';
import type { PoolInfo } from './engine-bridge';
import type { RelionProject } from './export';
import type { ActiveModels } from '../../workers/training-api';
import {
  changedBefore,
  checkedPicks,
  currentValues,
  fieldChanged,
  limitCheckedPicks,
  pushStep,
  withoutMicrograph,
  type HistoryStep,
  type TrackedFields,
} from './history';
import { EMPTY_EDITS, type PickEdits } from './picks-merge';
import { isUsablePixelSize, samePixelSize } from '../core/pixel-size';
import { formatFromFileName, MICROGRAPH_FORMATS } from '../core/io/formats';
import { sessionFollowers } from './diameter';
import { isListOrder, listed, type ListOrder } from './list-order';

export type MicStatus = 'queued' | 'opening' | 'ready' | 'detecting' | 'picking' | 'picked' | 'error';

export type MicInfo = MicrographInfo;

export interface MicrographEntry {
  /** Stable local key (also the IndexedDB key of the stored file). */
  key: string;
  name: string;
  status: MicStatus;
  error?: string;
  /** 0..1 while detecting. */
  progress?: number;
  progressStage?: string;
  info?: MicInfo;
  params: PickParams;
  /** Latest automatic candidates from the engine (replaced by every repick). */
  auto: ScoredPick[];
  /** The parameters `auto` was picked with (undefined: never picked). */
  pickedWith?: PickParams;
  /** `auto` is a preview for the parameters it has now (candidates the classifier has not judged left out) whose exact pick was to follow. */
  preview?: boolean;
  /** The models (model-library ids) that picked `auto`: picks by others are picked again (undefined: saved before this was kept). */
  pickedBy?: ActiveModels;
  /** What per-micrograph calibration did in that pick (core/calibrate.ts). */
  calibration?: CalibrationReport;
  /** The user's decisions, kept apart from auto picks (see picks-merge.ts for the rule). */
  edits: PickEdits;
  truth?: Particle[];
  truthName?: string;
  timings: Record<string, number>;
  /** Bundled demo data: it keeps its own diameter and stays out of training unless asked. */
  demo?: boolean;
  /** The user marked it as reviewed. */
  reviewed?: boolean;
  /** Left out of the export of all micrographs. */
  excluded?: boolean;
  /** Why its diameter is not the session's (no pixel size to convert Å with). */
  diameterNote?: string;
  /** Its re-pick for new parameters was stopped by Cancel: a reload does not start it again (Pick all does). */
  repickStopped?: boolean;
}

export type DiameterUnit = 'px' | 'A';

/**
 * Display low-pass at start: 20 Å, as RELION's manual-picking display (its "Lowpass filter (A)"
 * default), so particles in a noisy micrograph are visible before any setting is touched; in px
 * for a micrograph without a pixel size (a 16-bit PNG).
 */
export const DEFAULT_LOWPASS = 20;

/** The session's particle diameter as the user entered it; each micrograph gets it in its own pixels. */
export interface DiameterSetting {
  value: number;
  unit: DiameterUnit;
  /**
   * The setting a unit switch converted this one from, exact: switching back gives it again. With
   * micrographs of several pixel sizes a conversion uses one of them, and a round trip through
   * the other unit would otherwise change the size (a tester's 140 Å came back as 70 Å).
   */
  convertedFrom?: { value: number; unit: DiameterUnit };
}

/** Session-wide settings that undo restores with the micrographs' fields. */
export interface SessionSettings {
  diameter: DiameterSetting;
  /** Å per pixel of the user's micrographs whose file gives none (PNG, JPEG, TIFF); undefined: not entered. */
  fallbackPixelSize?: number;
  /**
   * The entered pixel size is every user micrograph's, over what headers say (RELION's import
   * takes it from the user too): a binned file whose header kept the unbinned size.
   */
  pixelSizeOverHeaders?: boolean;
  /** What micrographs added later start from. */
  defaultParams: PickParams;
}

export interface Notice {
  id: number;
  text: string;
  tone: 'info' | 'error';
}

export interface HeatmapData extends MapImage {
  /** detectorKey() of the parameters the map was computed with. */
  detectorKey: string;
}

export interface MicImages {
  thumbnail?: GreyImage;
  /** Whole-image display; kept only for recently viewed micrographs. */
  display?: GreyImage;
  /** The low-pass (Gaussian sigma, original pixels; 0 = none) the display was rendered with. */
  displayLowpass?: number;
}

export interface BatchState {
  done: number;
  failed: number;
  total: number;
  /** Cancel pressed; workers are finishing what they started. */
  cancelling?: boolean;
}

export type HistoryEntry = HistoryStep<SessionSettings>;

export interface ChangeOptions {
  /** Changes with the same key in quick succession are one undo step (a slider drag). */
  mergeKey?: string;
  /** New session settings made in the same step. */
  session?: Partial<SessionSettings>;
  /** The session's particle size was set for every micrograph: those added later take it too, and an undo or redo of the step takes them along. */
  sizeStep?: boolean;
}

/** One micrograph's coordinates as a dropped file gives them. */
export interface CoordinateGroup {
  file: string;
  /** The micrograph name the file gives: its own name, or a table row's (fromTable). */
  micrograph: string;
  /** The name is a table row's (a particles STAR, a Topaz table): matched by the same base name, not by prefix as a file's name. */
  fromTable?: boolean;
  picks: Particle[];
  /** The picks are box corners (a .box file without a box size): made centres with the micrograph's diameter once it is known. */
  boxCorners?: boolean;
}

/** Coordinates to load as truth or picks, waiting for their micrograph to be loaded (and opened): given to it when it is. */
export interface WaitingCoordinates extends CoordinateGroup {
  as: 'truth' | 'picks';
  /** Loaded by the program (demo truth), not by the user: not an undo step, and not saved. */
  quiet: boolean;
}

export interface WorkbenchState {
  micrographs: MicrographEntry[];
  currentKey?: string;
  /** Runtime only (not persisted): images and detector maps. */
  images: Record<string, MicImages>;
  heatmaps: Record<string, HeatmapData>;
  /** Parameters given to newly added micrographs (the last ones edited; the diameter comes from `diameter`). */
  defaultParams: PickParams;
  /** The session's particle diameter, which new micrographs inherit. */
  diameter: DiameterSetting;
  /** SessionSettings.fallbackPixelSize. */
  fallbackPixelSize?: number;
  /** SessionSettings.pixelSizeOverHeaders. */
  pixelSizeOverHeaders: boolean;
  /** Pick micrographs as they arrive. */
  autoPick: boolean;
  /** Draw the pick circles (key v). */
  showPicks: boolean;
  /** The micrograph list's order (list-order.ts) and, for a sort by picks, the keys of the sort taken when it was chosen. */
  listOrder: ListOrder;
  listKeys?: string[];
  /** Display low-pass filter: resolution in Å (in px when the micrograph has no pixel size); 0 = off. */
  lowpass: number;
  /** Set when this tab may only look (the session is open for editing in another tab): why. */
  readOnly?: string;
  /** This tab asked the editing tab to hand the session over and waits. */
  takingOver?: boolean;
  backendChoice: BackendChoice;
  /** Worker count asked for (undefined: one per core). */
  workersChoice?: number;
  backendInfo?: PoolInfo;
  backendError?: string;
  /** Why the engine runs on another backend than the one asked for. */
  backendNote?: string;
  /** Why an engine worker died since the engine started (the pool goes on without it until a restart). */
  workerLost?: string;
  engineReady: boolean;
  showHeatmap: boolean;
  heatmapOpacity: number;
  contrastLow: number;
  contrastHigh: number;
  /** Coordinate files waiting for the user's answer: ground truth or editable picks. */
  coordinatePrompt?: { files: string[] };
  /** Coordinates waiting for their micrograph; the user's are kept with the session. */
  waitingCoordinates: WaitingCoordinates[];
  /** Coordinates dropped whose question (truth or picks) is not answered yet: kept with the session, asked again after a reload. */
  undecidedCoordinates: CoordinateGroup[];
  /** The RELION project the export lays its zip out for (its micrographs STAR), kept with the session. */
  relionProject?: RelionProject;
  helpOpen: boolean;
  selectedPickId?: string;
  batch?: BatchState;
  notices: Notice[];
  storageWarning?: string;
  /** Autosave: everything written, a write waiting, or storage unavailable. */
  saveState: 'saved' | 'saving' | 'off';
  past: HistoryEntry[];
  future: HistoryEntry[];
  nextManualId: number;

  /** Adds a micrograph; the user's first own one comes on screen (over the demo data). */
  addMicrograph(key: string, name: string, demo?: boolean): void;
  updateMic(key: string, patch: Partial<MicrographEntry>): void;
  /** Merges images into the micrograph's (undefined values drop them). */
  setImages(key: string, images: MicImages): void;
  setHeatmap(key: string, heat: HeatmapData | undefined): void;
  setCurrent(key: string | undefined): void;
  /** Goes `delta` micrographs along the list, in the order it shows (list-order.ts). */
  step(delta: number): void;
  /**
   * The one way the user's changes reach micrographs: patches per micrograph key (and new
   * session settings), recorded as one undo step. Fields that do not really change are left
   * out; a change that changes nothing records nothing. False when nothing changed (or this
   * tab is read-only).
   */
  change(label: string, patches: Record<string, Partial<TrackedFields>>, opts?: ChangeOptions): boolean;
  /** One micrograph's parameters; a run of edits of the same parameter is one undo step. */
  setParams(key: string, patch: Partial<PickParams>): void;
  /** Replace a micrograph's edits, recording the previous ones for undo. */
  commitEdits(key: string, edits: PickEdits): void;
  /** Undo / redo one step; returns the keys of the micrographs it changed. */
  undo(): string[];
  redo(): string[];
  /** Drops a micrograph from the session, and its parts of the undo history. */
  removeMicrograph(key: string): void;
  newManualId(): string;
  set(patch: Partial<WorkbenchState>): void;
  notify(message: string, tone?: Notice['tone']): number;
  dismissNotice(id: number): void;
  reset(): void;
}

/** Notices kept on screen at most (the oldest go first). */
const NOTICE_LIMIT = 5;
let noticeId = 0;

export const DEFAULT_DIAMETER: DiameterSetting = { value: DEFAULT_PICK_PARAMS.diameter, unit: 'px' };

function initialData() {
  return {
    micrographs: [] as MicrographEntry[],
    currentKey: undefined,
    images: {},
    heatmaps: {},
    defaultParams: { ...DEFAULT_PICK_PARAMS },
    diameter: { ...DEFAULT_DIAMETER },
    fallbackPixelSize: undefined as number | undefined,
    pixelSizeOverHeaders: false,
    waitingCoordinates: [] as WaitingCoordinates[],
    undecidedCoordinates: [] as CoordinateGroup[],
    relionProject: undefined as RelionProject | undefined,
    autoPick: true,
    showPicks: true,
    listOrder: 'added' as ListOrder,
    listKeys: undefined as string[] | undefined,
    lowpass: DEFAULT_LOWPASS,
    readOnly: undefined as string | undefined,
    backendChoice: 'auto' as BackendChoice,
    workersChoice: undefined,
    backendInfo: undefined,
    backendError: undefined,
    backendNote: undefined as string | undefined,
    workerLost: undefined as string | undefined,
    engineReady: false,
    showHeatmap: false,
    heatmapOpacity: 0.5,
    contrastLow: 0,
    contrastHigh: 100,
    coordinatePrompt: undefined,
    helpOpen: false,
    selectedPickId: undefined,
    batch: undefined,
    notices: [] as Notice[],
    storageWarning: undefined,
    saveState: 'saved' as 'saved' | 'saving' | 'off',
    past: [] as HistoryEntry[],
    future: [] as HistoryEntry[],
    nextManualId: 1,
  };
}

export function newEntry(key: string, name: string, params: PickParams): MicrographEntry {
  return { key, name, status: 'queued', params: { ...params }, auto: [], edits: EMPTY_EDITS, timings: {} };
}

export const useWorkbench = create<WorkbenchState>()((set, get) => ({
  ...initialData(),

  addMicrograph(key, name, demo) {
    const s = get();
    if (s.micrographs.some((m) => m.key === key)) return;
    const firstOwn = !demo && s.micrographs.every((m) => m.demo);
    set({
      micrographs: [...s.micrographs, { ...newEntry(key, name, s.defaultParams), demo: demo || undefined }],
      currentKey: firstOwn || !s.currentKey ? key : s.currentKey,
      selectedPickId: firstOwn ? undefined : s.selectedPickId,
    });
  },

  updateMic(key, patch) {
    set((s) => ({ micrographs: s.micrographs.map((m) => (m.key === key ? { ...m, ...patch } : m)) }));
  },

  setImages(key, images) {
    set((s) => ({ images: { ...s.images, [key]: { ...s.images[key], ...images } } }));
  },

  setHeatmap(key, heat) {
    set((s) => {
      const heatmaps = { ...s.heatmaps };
      if (heat) heatmaps[key] = heat;
      else delete heatmaps[key];
      return { heatmaps };
    });
  },

  setCurrent(key) {
    set({ currentKey: key, selectedPickId: undefined });
  },

  step(delta) {
    const { currentKey } = get();
    const micrographs = listed(get().micrographs, get().listOrder, get().listKeys);
    if (!micrographs.length) return;
    const i = Math.max(
      0,
      micrographs.findIndex((m) => m.key === currentKey),
    );
    const j = Math.min(micrographs.length - 1, Math.max(0, i + delta));
    get().setCurrent(micrographs[j].key);
  },

  change(label, patches, opts = {}) {
    const st = get();
    if (st.readOnly) {
      st.notify(`Not changed: ${st.readOnly}`, 'error');
      return false;
    }
    const before: Record<string, Partial<TrackedFields>> = {};
    for (const [key, patch] of Object.entries(patches)) {
      const mic = st.micrographs.find((m) => m.key === key);
      const changed = mic && changedBefore(mic, patch);
      // A reviewed micrograph is picked again after its parameters change: its checked picks go into the step.
      if (changed) before[key] = changed.params && mic.reviewed ? { ...checkedPicks(mic), ...changed } : changed;
    }
    const session = sessionSettings(st);
    const nextSession = { ...session, ...opts.session };
    const sessionChanged = JSON.stringify(nextSession) !== JSON.stringify(session);
    if (!Object.keys(before).length && !sessionChanged) return false;
    const step: HistoryEntry = {
      label,
      before,
      session: sessionChanged ? session : undefined,
      mergeKey: opts.mergeKey,
      at: Date.now(),
      // Those not opened yet take the size when they open, as those added later do.
      ...(opts.sizeStep ? { present: openedKeys(st.micrographs) } : {}),
    };
    set((s) => ({
      micrographs: s.micrographs.map((m) => (before[m.key] ? { ...m, ...patches[m.key] } : m)),
      ...(sessionChanged ? nextSession : {}),
      past: limitCheckedPicks(pushStep(s.past, step)),
      future: [],
    }));
    return true;
  },

  setParams(key, patch) {
    const mic = get().micrographs.find((m) => m.key === key);
    if (!mic) return;
    const params = { ...mic.params, ...patch };
    if (!fieldChanged('params', mic.params, params)) return;
    // Its picks are made again with these, in place of the ones checked (as with a new session diameter).
    const unreview = repickTakesReview(mic);
    get().change(
      'parameters',
      { [key]: { params, ...(unreview ? { reviewed: false } : {}) } },
      { mergeKey: `params:${key}:${Object.keys(patch).sort().join(',')}`, session: { defaultParams: params } },
    );
  },

  commitEdits(key, edits) {
    get().change('edit picks', { [key]: { edits } });
  },

  undo() {
    return travel(get().past, 'past', 'future');
  },

  redo() {
    return travel(get().future, 'future', 'past');
  },

  removeMicrograph(key) {
    const s = get();
    if (!s.micrographs.some((m) => m.key === key)) return;
    const micrographs = s.micrographs.filter((m) => m.key !== key);
    const images = { ...s.images };
    delete images[key];
    const heatmaps = { ...s.heatmaps };
    delete heatmaps[key];
    // The one after it in the list as shown (sorted or not), else the one before.
    const shown = listed(s.micrographs, s.listOrder, s.listKeys);
    const i = shown.findIndex((m) => m.key === key);
    const rest = shown.filter((m) => m.key !== key);
    const currentKey = s.currentKey === key ? rest[Math.min(i, rest.length - 1)]?.key : s.currentKey;
    set({
      micrographs,
      listKeys: s.listKeys?.filter((k) => k !== key),
      images,
      heatmaps,
      currentKey,
      selectedPickId: s.currentKey === key ? undefined : s.selectedPickId,
      past: withoutMicrograph(s.past, key),
      future: withoutMicrograph(s.future, key),
    });
  },

  newManualId() {
    const n = get().nextManualId;
    set({ nextManualId: n + 1 });
    return `m${n}`;
  },

  set(patch) {
    set(patch);
  },

  notify(message, tone = 'info') {
    const id = ++noticeId;
    set((s) => ({ notices: [...s.notices.filter((n) => n.text !== message), { id, text: message, tone }].slice(-NOTICE_LIMIT) }));
    return id;
  },

  dismissNotice(id) {
    set((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
  },

  reset() {
    const { backendChoice, workersChoice, backendInfo, engineReady, backendError, backendNote, workerLost, readOnly } = get();
    set({ ...initialData(), backendChoice, workersChoice, backendInfo, engineReady, backendError, backendNote, workerLost, readOnly });
  },
}));

/**
 * Undo (from = past) or redo (from = future): applies the last step's values and moves the
 * values it replaced to the other stack. Returns the keys of the micrographs it changed.
 */
function travel(stack: readonly HistoryEntry[], from: 'past' | 'future', to: 'past' | 'future'): string[] {
  const s = useWorkbench.getState();
  let step = stack[stack.length - 1];
  if (!step) return [];
  if (s.readOnly) {
    s.notify(`Not changed: ${s.readOnly}`, 'error');
    return [];
  }
  const fieldsOf = (key: string) => s.micrographs.find((m) => m.key === key);
  // A step that set the session's size takes along the micrographs added since, which took that size on arrival.
  if (step.present && step.session) {
    const present = new Set(step.present);
    const added = s.micrographs.filter((m) => !present.has(m.key));
    step = { ...step, before: { ...sessionFollowers(sessionSettings(s), step.session, added), ...step.before } };
  }
  const inverse = {
    ...currentValues(step, fieldsOf, sessionSettings(s)),
    ...(step.present ? { present: openedKeys(s.micrographs) } : {}),
  };
  const keys = Object.keys(inverse.before);
  useWorkbench.setState({
    [from]: stack.slice(0, -1),
    [to]: [...s[to], inverse],
    micrographs: s.micrographs.map((m) => (step.before[m.key] ? { ...m, ...step.before[m.key] } : m)),
    ...step.session,
    // A step on one micrograph brings it on screen, so the user sees what changed back.
    ...(keys.length === 1 ? { currentKey: keys[0], selectedPickId: s.currentKey === keys[0] ? s.selectedPickId : undefined } : {}),
  } as Partial<WorkbenchState>);
  return keys;
}

/** The micrographs opened (header known), which took a session size when it was set (HistoryStep.present). */
function openedKeys(micrographs: readonly MicrographEntry[]): string[] {
  return micrographs.filter((m) => m.info).map((m) => m.key);
}

function sessionSettings(s: WorkbenchState): SessionSettings {
  return {
    diameter: s.diameter,
    fallbackPixelSize: s.fallbackPixelSize,
    pixelSizeOverHeaders: s.pixelSizeOverHeaders,
    defaultParams: s.defaultParams,
  };
}

/**
 * The micrographs that are the user's work, which exports, "Learn from reviewed", pooled
 * metrics and retraining's before/after use: their own as soon as the session holds any (the
 * bundled demo data then stays browsable only), else the demo data (a session of demos only).
 */
export function workMicrographs(micrographs: readonly MicrographEntry[]): MicrographEntry[] {
  const own = micrographs.filter((m) => !m.demo);
  return own.length ? own : [...micrographs];
}

/** Micrographs with something to export: picked, or with picks added by hand, and not excluded by the user. */
export function exportable(m: MicrographEntry): boolean {
  return !m.excluded && m.status !== 'error' && (!!m.pickedWith || m.edits.manual.length > 0);
}

/** What "All micrographs" exports (and the score panel counts): the user's work, less what is excluded or not picked. */
export function exportedMicrographs(micrographs: readonly MicrographEntry[]): MicrographEntry[] {
  return workMicrographs(micrographs).filter(exportable);
}

/** A micrograph whose file could not be opened: nothing of it can be shown, picked or reviewed. */
export function failedToOpen(m: MicrographEntry): boolean {
  return m.status === 'error' && !m.info;
}

/** The micrographs of the user's work there is something to review on (not a file that failed to open). */
export function reviewableMicrographs(micrographs: readonly MicrographEntry[]): MicrographEntry[] {
  return workMicrographs(micrographs).filter((m) => !failedToOpen(m));
}

/**
 * Those not marked reviewed: what settings for "all" (the score panel's cutoff, "Learn from
 * reviewed") are set on. A reviewed micrograph keeps the picks the user checked, as it does when
 * the models change.
 */
export function unreviewedMicrographs(micrographs: readonly MicrographEntry[]): MicrographEntry[] {
  return reviewableMicrographs(micrographs).filter((m) => !m.reviewed);
}

export function currentMic(s: WorkbenchState): MicrographEntry | undefined {
  return s.micrographs.find((m) => m.key === s.currentKey);
}

/**
 * Whether picking a micrograph again with new parameters takes its reviewed mark: the automatic
 * picks that were checked (or, on one marked before it was first picked, none) are replaced by
 * picks nobody checked. Not where loaded picks stand in for them: those stay, and the mark with them.
 */
export function repickTakesReview(m: MicrographEntry): boolean {
  return !!m.reviewed && !m.edits.autoSetAside;
}

/** What decides the pixel size of the user's micrographs: the one entered, and whether it goes over their headers. */
export type EnteredPixelSize = Pick<SessionSettings, 'fallbackPixelSize' | 'pixelSizeOverHeaders'>;

/**
 * A micrograph's pixel size (Å/px): its file's, else, for the user's own micrographs, the one
 * they entered for files without one (or for all, over their headers); undefined until its header is read.
 */
export function pixelSizeOf(m: MicrographEntry | undefined, s: EnteredPixelSize): number | undefined {
  if (!m?.info) return undefined;
  if (m.demo) return m.info.pixelSize;
  if (s.pixelSizeOverHeaders && s.fallbackPixelSize !== undefined) return s.fallbackPixelSize;
  return m.info.pixelSize ?? s.fallbackPixelSize;
}

/** The pixel size a user micrograph's header gives where the one entered over every header replaces it with another; else undefined. */
export function overriddenHeader(m: MicrographEntry, s: EnteredPixelSize): number | undefined {
  const own = m.demo ? undefined : m.info?.pixelSize;
  const entered = s.pixelSizeOverHeaders ? s.fallbackPixelSize : undefined;
  return own !== undefined && entered !== undefined && !samePixelSize(own, entered) ? own : undefined;
}

/**
 * Whether a micrograph waits for a pixel size before it is picked: never picked, the session
 * diameter is in Å, and neither its file nor the user gives a pixel size to convert it with (a
 * PNG, JPEG or TIFF). Picking it at some size in px would be a guess, and its picks exportable.
 */
export function waitsForPixelSize(m: MicrographEntry, s: EnteredPixelSize & Pick<WorkbenchState, 'diameter'>): boolean {
  if (m.demo || m.pickedWith || s.diameter.unit !== 'A') return false;
  // Not opened yet: its format says (a batch would open and pick it at once).
  if (!m.info) return s.fallbackPixelSize === undefined && MICROGRAPH_FORMATS[formatFromFileName(m.name) ?? 'mrc'].pixelSize === false;
  return pixelSizeOf(m, s) === undefined;
}

/**
 * A pixel size to show or convert the session diameter with: the one most of the user's own
 * micrographs have (a demo's pixel size says nothing of their data; a tie goes to the one on
 * screen), else the one entered for files without one.
 */
export function knownPixelSize(s: WorkbenchState): number | undefined {
  const mic = currentMic(s);
  const own = (m: MicrographEntry) => (m.demo ? undefined : pixelSizeOf(m, s));
  const sizes = s.micrographs.map(own).filter((p): p is number => p !== undefined);
  if (!sizes.length) return s.fallbackPixelSize;
  // The one most of them have, so a conversion does not depend on which is on screen (a tester's
  // unit switch gave another session size with a PNG on screen than with an MRC); a tie goes to
  // the one on screen, then to the first.
  // Sorted, sizes within the tolerance of a group's first are that group (the panel reads this on every store change).
  const groupOf = new Map<number, number>();
  const counts: number[] = [];
  let first = Number.NaN;
  for (const p of [...sizes].sort((a, b) => a - b)) {
    if (!samePixelSize(p, first)) {
      first = p;
      counts.push(0);
    }
    counts[counts.length - 1]++;
    groupOf.set(p, counts.length - 1);
  }
  const most = Math.max(...counts);
  const isMost = (p: number) => counts[groupOf.get(p)!] === most;
  const onScreen = mic && own(mic);
  return onScreen !== undefined && isMost(onScreen) ? onScreen : sizes.find(isMost);
}

/** The part of the state that autosave keeps (no images, maps or UI transients). */
export interface SessionSnapshot {
  version: 1;
  /** When autosave wrote it (ms since the epoch; absent in older sessions): persist.ts newestSession. */
  savedAt?: number;
  micrographs: Array<Omit<MicrographEntry, 'progress' | 'progressStage'>>;
  currentKey?: string;
  defaultParams: PickParams;
  /** Absent in sessions saved before the session-wide diameter. */
  diameter?: DiameterSetting;
  fallbackPixelSize?: number;
  /** Absent in older sessions. */
  pixelSizeOverHeaders?: boolean;
  /** The user's coordinate files waiting for their micrograph (absent in older sessions). */
  waitingCoordinates?: WaitingCoordinates[];
  /** Coordinate files whose question was not answered when the page closed (absent in older sessions). */
  undecidedCoordinates?: CoordinateGroup[];
  /** Absent in older sessions. */
  relionProject?: RelionProject;
  autoPick?: boolean;
  showPicks?: boolean;
  /** Absent in older sessions. */
  listOrder?: ListOrder;
  listKeys?: string[];
  lowpass?: number;
  backendChoice: BackendChoice;
  workersChoice?: number;
  showHeatmap: boolean;
  heatmapOpacity: number;
  contrastLow: number;
  contrastHigh: number;
  nextManualId: number;
}

/** Status a restored micrograph starts in: work in progress when saved restarts as queued. */
function restoredStatus(m: MicrographEntry): MicStatus {
  if (m.status === 'error') return 'error';
  return m.auto.length || m.status === 'picked' ? 'picked' : 'queued';
}

export function toSnapshot(s: WorkbenchState): SessionSnapshot {
  return {
    version: 1,
    micrographs: s.micrographs.map(({ progress: _p, progressStage: _s, ...m }) => ({ ...m, status: restoredStatus(m) })),
    currentKey: s.currentKey,
    defaultParams: s.defaultParams,
    diameter: s.diameter,
    fallbackPixelSize: s.fallbackPixelSize,
    pixelSizeOverHeaders: s.pixelSizeOverHeaders,
    waitingCoordinates: s.waitingCoordinates.filter((w) => !w.quiet),
    undecidedCoordinates: s.undecidedCoordinates,
    relionProject: s.relionProject,
    autoPick: s.autoPick,
    showPicks: s.showPicks,
    listOrder: s.listOrder,
    listKeys: s.listKeys,
    lowpass: s.lowpass,
    backendChoice: s.backendChoice,
    workersChoice: s.workersChoice,
    showHeatmap: s.showHeatmap,
    heatmapOpacity: s.heatmapOpacity,
    contrastLow: s.contrastLow,
    contrastHigh: s.contrastHigh,
    nextManualId: s.nextManualId,
  };
}

function validDiameter(d: DiameterSetting | undefined): DiameterSetting {
  const valid = (x: { value: number; unit: DiameterUnit } | undefined) =>
    !!x && (x.unit === 'px' || x.unit === 'A') && Number.isFinite(x.value) && x.value > 0;
  if (!d || !valid(d)) return { ...DEFAULT_DIAMETER };
  return valid(d.convertedFrom) ? d : { value: d.value, unit: d.unit };
}

/**
 * A micrograph as saved, under the calibration rule of calibrate.ts: one picked before
 * calibration shifted the scores (its report has no `shift`) carries the classifier's raw
 * scores and the old rule's decisions, so it is picked again (unless marked reviewed: those
 * keep their picks), and the report, which the new terms cannot describe, is dropped.
 */
function underCurrentCalibration<M extends Pick<MicrographEntry, 'calibration' | 'pickedWith' | 'reviewed'>>(m: M): M {
  if (!m.calibration || typeof m.calibration.shift === 'number') return m;
  return { ...m, calibration: undefined, ...(m.reviewed ? {} : { pickedWith: undefined }) };
}

/** A saved waiting coordinate group that is whole (storage written by an older or broken page may not be). */
function isCoordinateGroup(w: unknown): w is CoordinateGroup {
  const g = w as CoordinateGroup;
  return (
    !!g &&
    typeof g.file === 'string' &&
    typeof g.micrograph === 'string' &&
    Array.isArray(g.picks) &&
    g.picks.every((p) => Number.isFinite(p?.x) && Number.isFinite(p?.y))
  );
}

function isWaitingCoordinates(w: unknown): w is WaitingCoordinates {
  return isCoordinateGroup(w) && ((w as WaitingCoordinates).as === 'truth' || (w as WaitingCoordinates).as === 'picks');
}

/** A saved RELION project that is whole. */
function isRelionProject(p: unknown): p is RelionProject {
  const r = p as RelionProject;
  return (
    !!r &&
    typeof r.micrographsStar === 'string' &&
    Array.isArray(r.micrographNames) &&
    r.micrographNames.every((n) => typeof n === 'string')
  );
}

/** The list's order as saved; a sort by picks whose keys are missing (a broken save) is the order added. */
function restoredListOrder(snap: SessionSnapshot): Pick<WorkbenchState, 'listOrder' | 'listKeys'> {
  const keys = Array.isArray(snap.listKeys) ? snap.listKeys.filter((k) => typeof k === 'string') : undefined;
  if (snap.listOrder === 'fewest' || snap.listOrder === 'most')
    return keys ? { listOrder: snap.listOrder, listKeys: keys } : { listOrder: 'added', listKeys: undefined };
  return { listOrder: isListOrder(snap.listOrder) ? snap.listOrder : 'added', listKeys: undefined };
}

export function applySnapshot(snap: SessionSnapshot): void {
  if (snap.version !== 1) return;
  useWorkbench.setState({
    micrographs: snap.micrographs.map((m) => underCurrentCalibration({ ...m, params: validParams(m.params) })),
    currentKey: snap.currentKey,
    defaultParams: validParams(snap.defaultParams),
    // A session saved before the session-wide diameter: the last diameter used, in px.
    diameter: validDiameter(snap.diameter ?? { value: validParams(snap.defaultParams).diameter, unit: 'px' }),
    fallbackPixelSize: isUsablePixelSize(snap.fallbackPixelSize) ? snap.fallbackPixelSize : undefined,
    pixelSizeOverHeaders: snap.pixelSizeOverHeaders === true,
    waitingCoordinates: Array.isArray(snap.waitingCoordinates) ? snap.waitingCoordinates.filter(isWaitingCoordinates) : [],
    undecidedCoordinates: Array.isArray(snap.undecidedCoordinates) ? snap.undecidedCoordinates.filter(isCoordinateGroup) : [],
    relionProject: isRelionProject(snap.relionProject) ? snap.relionProject : undefined,
    autoPick: snap.autoPick ?? true,
    showPicks: snap.showPicks ?? true,
    ...restoredListOrder(snap),
    lowpass: typeof snap.lowpass === 'number' && snap.lowpass >= 0 ? snap.lowpass : DEFAULT_LOWPASS,
    backendChoice: snap.backendChoice,
    workersChoice: snap.workersChoice,
    showHeatmap: snap.showHeatmap,
    heatmapOpacity: snap.heatmapOpacity,
    contrastLow: snap.contrastLow,
    contrastHigh: snap.contrastHigh,
    nextManualId: snap.nextManualId,
    past: [],
    future: [],
  });
}
