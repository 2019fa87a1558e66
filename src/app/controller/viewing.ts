// Opening and viewing: micrograph headers and thumbnails in the background, the micrograph on
// screen (its whole-image display through the low-pass, full-detail regions, its detector map),
// and the few displays kept on the main thread.
import { detectorKey } from '../../core/params';
import { formatPixelSize } from '../../core/pixel-size';
import { lowpassSigmaPx } from '../../core/preprocess/display';
import { DISPLAY_SIDE, type MicrographInfo, type RenderedView, type RenderRequest } from '../../../workers/engine-api';
import { diameterInPx, NO_PIXEL_SIZE_YET, outOfRangeNote } from '../diameter';
import { engine, type Described } from '../engine-bridge';
import { isCancelled } from '../error-text';
import { PRIORITY, type Priority } from '../lane';
import { evictions } from '../pool-plan';
import {
  failedToOpen,
  overriddenHeader,
  pixelSizeOf,
  type HeatmapData,
  type MicImages,
  type MicStatus,
  type MicrographEntry,
} from '../store';
import { burstNotice, fail, mic, picksBehindParams, someNames, store } from './context';
import { canPick } from './engine-lifecycle';
import { useTraining } from '../training/training-store';
import { assignCoordinates, storeThumbnail } from './files';
import { expectArrival, pickArrived } from './picking';

// What a reader decided about a file that changes its picks (a stack averaged without aligning
// its frames, a header's pixel size refused), said as it first opens, a few files in one notice;
// the Timings panel keeps each file's note. A tester saw it only there.
const noteReadersChoice = burstNotice((lines) => {
  const n = lines.length;
  return `${lines[0]}${n > 1 ? ` (and ${n - 1} more such file${n > 2 ? 's' : ''}; each one's Timings say)` : ''}.`;
});

// Micrographs opening whose header says another pixel size than the one entered over every header
// (kept by a new session: the next session's headers may be right).
const noteOverHeaders = burstNotice(
  (lines) => {
    const entered = store().fallbackPixelSize;
    return `${someNames(lines, '; ')}: ${lines.length === 1 ? 'its header says' : 'their headers say'} another pixel size than the ${entered === undefined ? '' : `${formatPixelSize(entered)} Å/px `}entered over every header, which ${lines.length === 1 ? 'it takes' : 'they take'}; untick that under the diameter to use the headers.`;
  },
  { tone: 'info' },
);

/** The session diameter in this micrograph's pixels, once its header is known (demo data keeps its own). */
export function arrivalDiameter(key: string): void {
  const m = mic(key);
  if (!m || m.demo || !m.info) return;
  const setting = store().diameter;
  const pixelSize = pixelSizeOf(m, store());
  const px = diameterInPx(setting, pixelSize);
  // Said before any micrograph gave a pixel size; stale once one converts (a tester saw it beside the conversion).
  if (pixelSize !== undefined) for (const n of store().notices) if (n.text === NO_PIXEL_SIZE_YET) store().dismissNotice(n.id);
  if (px !== undefined) {
    const note = outOfRangeNote(setting, pixelSize);
    if (px !== m.params.diameter || m.diameterNote !== note)
      store().updateMic(key, { params: { ...m.params, diameter: px }, diameterNote: note });
    return;
  }
  store().updateMic(key, {
    diameterNote: m.pickedWith
      ? `no pixel size in the file: ${setting.value} Å cannot be converted; picked at ${m.pickedWith.diameter} px (enter the pixel size of such files under the diameter, or the diameter in px)`
      : `no pixel size in the file: ${setting.value} Å cannot be converted; not picked until you enter the pixel size of such files under the diameter (or the diameter in px)`,
  });
}

export function applyDescribed(key: string, d: Described): void {
  const m = mic(key);
  if (!m) return;
  const images: MicImages = {};
  if (d.thumbnail) {
    if (!store().images[key]?.thumbnail) storeThumbnail(key, d.thumbnail);
    images.thumbnail = d.thumbnail;
  }
  if (d.display && keepsView(key)) images.display = d.display;
  if (images.thumbnail || images.display)
    store().setImages(key, { ...images, ...(images.display ? { displayLowpass: d.displayLowpass ?? 0 } : {}) });
  const status: MicStatus = m.status === 'queued' || m.status === 'opening' ? (m.pickedWith ? 'picked' : 'ready') : m.status;
  const first = !m.info;
  store().updateMic(key, { info: d.info, status, error: status === 'error' ? m.error : undefined });
  if (first && !m.pickedWith) arrivalDiameter(key);
  if (first && !m.demo && (d.info.frames > 1 || d.info.pixelSizeRefused !== undefined) && d.info.note)
    noteReadersChoice(`${m.name}: ${d.info.note}`);
  // A pixel size over the headers stays with a new session: said where a header arriving says another.
  const header = first ? overriddenHeader({ ...m, info: d.info }, store()) : undefined;
  if (header !== undefined) noteOverHeaders(`${m.name} (${formatPixelSize(header)} Å/px)`);
  if (first) assignCoordinates(); // coordinate files dropped with it waited for its size
  // The low-pass may have been changed while the display was rendered.
  if (images.display && key === store().currentKey) void refreshDisplay(key);
}

function withInfo(m: MicrographEntry | undefined, info: MicrographInfo): MicrographEntry | undefined {
  return m && { ...m, info };
}

/** Opens a micrograph for its header and images; false when the engine was not running (try again once it is). */
async function describe(key: string, display: boolean, priority: Priority): Promise<boolean> {
  const m = mic(key);
  if (!m || !engine.isRegistered(key)) return true;
  if (m.status === 'queued') store().updateMic(key, { status: 'opening' });
  try {
    const displayLowpass = display ? (info: MicrographInfo) => lowpassSigmaOf(withInfo(mic(key), info)) : undefined;
    applyDescribed(key, await engine.describe(key, { displayLowpass, priority }));
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
const thumbnails = { queue: [] as string[], active: 0, later: new Set<string>() };

/** The micrographs whose opening met the engine down, to open now that it runs; forgotten here. */
export function takeDeferredOpenings(): string[] {
  const later = [...thumbnails.later];
  thumbnails.later.clear();
  return later;
}

export function queueThumbnail(key: string, arrival = false): void {
  if (arrival) expectArrival(key);
  thumbnails.queue.push(key);
  pumpThumbnails();
}

function pumpThumbnails(): void {
  while (thumbnails.active < Math.max(1, engine.workers) && thumbnails.queue.length) {
    const key = thumbnails.queue.shift()!;
    const m = mic(key);
    if (!m || !engine.isRegistered(key)) continue;
    if (store().images[key]?.thumbnail && m.info) {
      pickArrived(key);
      continue;
    }
    thumbnails.active++;
    void describe(key, key === store().currentKey, PRIORITY.background).then((done) => {
      thumbnails.active--;
      if (done) pickArrived(key);
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

/**
 * Whether a display or map that arrives for `key` is kept: only while it is among the recent
 * views. One that arrives after the user has stepped on (a display rendered for a micrograph
 * passed over) was left on the main thread for good, about a megabyte a visit.
 */
function keepsView(key: string): boolean {
  return recentViews.includes(key);
}

/** Keeps a detector map that arrived for `key` (a pick's or one asked for), while its view is kept. */
export function storeHeatmap(key: string, heat: HeatmapData): void {
  if (mic(key) && keepsView(key)) store().setHeatmap(key, heat);
}

/** Forgets a micrograph that leaves the session: no thumbnail to make, no view to keep. */
export function forgetViews(key: string): void {
  thumbnails.queue = thumbnails.queue.filter((k) => k !== key);
  recentViews = recentViews.filter((k) => k !== key);
}

/** Forgets every micrograph (a new session). */
export function forgetAllViews(): void {
  thumbnails.queue = [];
  recentViews = [];
}

/** The display low-pass of a micrograph as a Gaussian sigma in its original pixels (0: off). */
export function lowpassSigmaOf(m: MicrographEntry | undefined): number {
  const res = store().lowpass;
  if (!m || !(res > 0)) return 0;
  return lowpassSigmaPx(res, pixelSizeOf(m, store()) ?? 1);
}

/** The low-pass sigma of each whole-image display being rendered, so one asked for twice is rendered once. */
const rendering = new Map<string, number>();

/** The whole-image display again, through the low-pass filter now chosen. */
export async function refreshDisplay(key: string): Promise<void> {
  const m = mic(key);
  if (!m?.info || !engine.isRegistered(key)) return;
  const sigma = lowpassSigmaOf(m);
  if ((store().images[key]?.displayLowpass ?? -1) === sigma || rendering.get(key) === sigma) return;
  rendering.set(key, sigma);
  try {
    const v = await engine.render(key, {
      x0: 0,
      y0: 0,
      x1: m.info.width,
      y1: m.info.height,
      maxSide: DISPLAY_SIDE,
      lowpassSigma: sigma || undefined,
    });
    if (mic(key) && keepsView(key) && lowpassSigmaOf(mic(key)) === sigma) store().setImages(key, { display: v, displayLowpass: sigma });
  } catch {
    // the display on screen stays
  } finally {
    if (rendering.get(key) === sigma) rendering.delete(key);
  }
}

/** Brings the current micrograph on screen: its worker keeps it open, its display and map come back. */
export async function showCurrent(): Promise<void> {
  const key = store().currentKey;
  if (!key) return;
  engine.pin([key]);
  keepRecentView(key);
  const m = mic(key);
  if (!m || !engine.isRegistered(key) || failedToOpen(m)) return;
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
  let map = await engine.map(key, m.params).catch(() => undefined);
  // No map kept for it (the page was reloaded, or its worker let the map go): the detector runs
  // once in the background, so the heatmap shows and the first slider move re-picks on the kept
  // map instead of waiting for a detector pass. One at a time (flipping through micrographs
  // queues none), not while a batch picks (it comes first), nor during training or a retrained
  // model's comparison (the workers may hold the model on trial).
  if (!map && !warming && !store().batch && !useTraining.getState().busy && canPick() && !picksBehindParams(m)) {
    if (store().currentKey !== key) return;
    const params = m.params;
    warming = key;
    try {
      await engine.pickAside(key, params, PRIORITY.background).catch(() => undefined);
    } finally {
      warming = undefined;
    }
    const now = mic(key);
    if (!now || detectorKey(now.params) !== want || useTraining.getState().busy) return;
    map = await engine.map(key, params).catch(() => undefined);
    // Meanwhile another came on screen: its turn now.
    const current = store().currentKey;
    if (current && current !== key) void refreshHeatmap(current);
  }
  if (map) storeHeatmap(key, { ...map, detectorKey: want });
}

/** The micrograph whose detector runs in the background for its heatmap (refreshHeatmap). */
let warming: string | undefined;
