// The workbench state (zustand). Plain data and synchronous actions only: anything that talks
// to the engine lives in controller.ts, so this module runs (and is tested) in Node.
import { create } from 'zustand';
import type { Particle } from '../core/coords/types';
import { DEFAULT_PICK_PARAMS, validParams, type PickParams } from '../core/params';
import type { BackendChoice, GreyImage, MapImage, MicrographInfo, ScoredPick } from '../../workers/engine-api';
import type { PoolInfo } from './engine-bridge';
import { EMPTY_EDITS, type PickEdits } from './picks-merge';

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
  /** The user's decisions, kept apart from auto picks (see picks-merge.ts for the rule). */
  edits: PickEdits;
  truth?: Particle[];
  truthName?: string;
  timings: Record<string, number>;
}

export interface HeatmapData extends MapImage {
  /** detectorKey() of the parameters the map was computed with. */
  detectorKey: string;
}

export interface MicImages {
  thumbnail?: GreyImage;
  /** Whole-image display; kept only for recently viewed micrographs. */
  display?: GreyImage;
}

export interface BatchState {
  done: number;
  failed: number;
  total: number;
  /** Cancel pressed; workers are finishing what they started. */
  cancelling?: boolean;
}

interface HistoryEntry {
  key: string;
  edits: PickEdits;
}

export interface WorkbenchState {
  micrographs: MicrographEntry[];
  currentKey?: string;
  /** Runtime only (not persisted): images and detector maps. */
  images: Record<string, MicImages>;
  heatmaps: Record<string, HeatmapData>;
  /** Parameters given to newly added micrographs (the last ones edited). */
  defaultParams: PickParams;
  backendChoice: BackendChoice;
  /** Worker count asked for (undefined: one per core). */
  workersChoice?: number;
  backendInfo?: PoolInfo;
  backendError?: string;
  engineReady: boolean;
  showHeatmap: boolean;
  heatmapOpacity: number;
  contrastLow: number;
  contrastHigh: number;
  loadCoordinatesAs: 'truth' | 'picks';
  helpOpen: boolean;
  selectedPickId?: string;
  batch?: BatchState;
  notices: string[];
  storageWarning?: string;
  /** Autosave: everything written, a write waiting, or storage unavailable. */
  saveState: 'saved' | 'saving' | 'off';
  past: HistoryEntry[];
  future: HistoryEntry[];
  nextManualId: number;

  addMicrograph(key: string, name: string): void;
  updateMic(key: string, patch: Partial<MicrographEntry>): void;
  /** Merges images into the micrograph's (undefined values drop them). */
  setImages(key: string, images: MicImages): void;
  setHeatmap(key: string, heat: HeatmapData | undefined): void;
  setCurrent(key: string | undefined): void;
  step(delta: number): void;
  setParams(key: string, patch: Partial<PickParams>): void;
  /** Replace a micrograph's edits, recording the previous ones for undo. */
  commitEdits(key: string, edits: PickEdits): void;
  undo(): void;
  redo(): void;
  newManualId(): string;
  set(patch: Partial<WorkbenchState>): void;
  notify(message: string): void;
  dismissNotice(index: number): void;
  reset(): void;
}

const HISTORY_LIMIT = 200;

function initialData() {
  return {
    micrographs: [] as MicrographEntry[],
    currentKey: undefined,
    images: {},
    heatmaps: {},
    defaultParams: { ...DEFAULT_PICK_PARAMS },
    backendChoice: 'auto' as BackendChoice,
    workersChoice: undefined,
    backendInfo: undefined,
    backendError: undefined,
    engineReady: false,
    showHeatmap: false,
    heatmapOpacity: 0.5,
    contrastLow: 0,
    contrastHigh: 100,
    loadCoordinatesAs: 'truth' as const,
    helpOpen: false,
    selectedPickId: undefined,
    batch: undefined,
    notices: [] as string[],
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

  addMicrograph(key, name) {
    const s = get();
    if (s.micrographs.some((m) => m.key === key)) return;
    set({
      micrographs: [...s.micrographs, newEntry(key, name, s.defaultParams)],
      currentKey: s.currentKey ?? key,
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
    const { micrographs, currentKey } = get();
    if (!micrographs.length) return;
    const i = Math.max(0, micrographs.findIndex((m) => m.key === currentKey));
    const j = Math.min(micrographs.length - 1, Math.max(0, i + delta));
    get().setCurrent(micrographs[j].key);
  },

  setParams(key, patch) {
    const mic = get().micrographs.find((m) => m.key === key);
    if (!mic) return;
    const params = { ...mic.params, ...patch };
    get().updateMic(key, { params });
    set({ defaultParams: params });
  },

  commitEdits(key, edits) {
    const mic = get().micrographs.find((m) => m.key === key);
    if (!mic || mic.edits === edits) return;
    const past = [...get().past, { key, edits: mic.edits }].slice(-HISTORY_LIMIT);
    set({ past, future: [] });
    get().updateMic(key, { edits });
  },

  undo() {
    const { past, future, micrographs } = get();
    const last = past[past.length - 1];
    if (!last) return;
    const mic = micrographs.find((m) => m.key === last.key);
    if (!mic) {
      set({ past: past.slice(0, -1) });
      return;
    }
    set({ past: past.slice(0, -1), future: [...future, { key: last.key, edits: mic.edits }], currentKey: last.key });
    get().updateMic(last.key, { edits: last.edits });
  },

  redo() {
    const { past, future, micrographs } = get();
    const next = future[future.length - 1];
    if (!next) return;
    const mic = micrographs.find((m) => m.key === next.key);
    if (!mic) {
      set({ future: future.slice(0, -1) });
      return;
    }
    set({ future: future.slice(0, -1), past: [...past, { key: next.key, edits: mic.edits }], currentKey: next.key });
    get().updateMic(next.key, { edits: next.edits });
  },

  newManualId() {
    const n = get().nextManualId;
    set({ nextManualId: n + 1 });
    return `m${n}`;
  },

  set(patch) {
    set(patch);
  },

  notify(message) {
    set((s) => ({ notices: [...s.notices, message].slice(-8) }));
  },

  dismissNotice(index) {
    set((s) => ({ notices: s.notices.filter((_, i) => i !== index) }));
  },

  reset() {
    const { backendChoice, workersChoice, backendInfo, engineReady, backendError } = get();
    set({ ...initialData(), backendChoice, workersChoice, backendInfo, engineReady, backendError });
  },
}));

export function currentMic(s: WorkbenchState): MicrographEntry | undefined {
  return s.micrographs.find((m) => m.key === s.currentKey);
}

/** The part of the state that autosave keeps (no images, maps or UI transients). */
export interface SessionSnapshot {
  version: 1;
  micrographs: Array<Omit<MicrographEntry, 'progress' | 'progressStage'>>;
  currentKey?: string;
  defaultParams: PickParams;
  backendChoice: BackendChoice;
  workersChoice?: number;
  showHeatmap: boolean;
  heatmapOpacity: number;
  contrastLow: number;
  contrastHigh: number;
  loadCoordinatesAs: 'truth' | 'picks';
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
    backendChoice: s.backendChoice,
    workersChoice: s.workersChoice,
    showHeatmap: s.showHeatmap,
    heatmapOpacity: s.heatmapOpacity,
    contrastLow: s.contrastLow,
    contrastHigh: s.contrastHigh,
    loadCoordinatesAs: s.loadCoordinatesAs,
    nextManualId: s.nextManualId,
  };
}

export function applySnapshot(snap: SessionSnapshot): void {
  if (snap.version !== 1) return;
  useWorkbench.setState({
    micrographs: snap.micrographs.map((m) => ({ ...m, params: validParams(m.params) })),
    currentKey: snap.currentKey,
    defaultParams: validParams(snap.defaultParams),
    backendChoice: snap.backendChoice,
    workersChoice: snap.workersChoice,
    showHeatmap: snap.showHeatmap,
    heatmapOpacity: snap.heatmapOpacity,
    contrastLow: snap.contrastLow,
    contrastHigh: snap.contrastHigh,
    loadCoordinatesAs: snap.loadCoordinatesAs,
    nextManualId: snap.nextManualId,
    past: [],
    future: [],
  });
}
