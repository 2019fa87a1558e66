// In-browser retraining, the app side (issue 6). Two runs share one flow:
//  1. choose samples: the classifier's by the paper's unsupervised labelling, on each
//     micrograph's home worker (its detector map is reused); the detector's from the user's
//     accepted and manual picks, and every kept pick of a micrograph marked reviewed;
//  2. the user reviews them on the micrograph (review.ts, training-store.ts clickSample);
//  3. patches are cut where each micrograph is open and come back transferred; training runs
//     on one worker (bridge.exclusiveJob) with batch/epoch events, and can be cancelled;
//  4. the model is stored in the library (IndexedDB) but not used yet: every picked
//     micrograph of the user's work (store.ts workMicrographs) is picked with it on the side
//     (the app's picks stay) and the user sees the pick counts before and after, and F1 on
//     those it did not learn from that have ground truth or reviewed picks; then keeps it (it
//     becomes active and the micrographs are picked again) or discards it (it is deleted).
//     Demo micrographs stay out of the training samples unless asked, so in a session of
//     demos only their ground truth is a held-out check.
// Models can also be switched, downloaded (zip, the CLI's layout) and loaded from files.
import * as Comlink from 'comlink';
import type { Point } from '../../core/candidates';
import { CancelledError } from '../../core/errors';
import type { ModelKind } from '../../core/model/model-io';
import type { DetectorSamples } from '../../core/train/batches';
import { countSamples } from '../../core/train/classifier-samples';
import { concatClassifierSets, concatDetectorSamples, type ClassifierSet } from '../../core/train/dataset';
import {
  SHIPPED_MODEL,
  type ActiveModels,
  type TrainingData,
  type TrainingEvent,
  type TrainRequest,
  type TrainResult,
} from '../../../workers/training-api';
import { sameModels } from '../controller/context';
import { pickMicrograph, repickOtherModels } from '../controller/picking';
import { setOnUnreviewed, whereSet } from '../controller/settings-from-review';
import { describeSettings } from '../../core/tuning';
import { micrographMetrics } from '../metrics-view';
import { displayPicksOf } from '../editing';
import { keptPicks } from '../picks-merge';
import {
  heldOutLabels,
  modelPicks,
  NO_HELD_OUT,
  rescoredRows,
  sideOf,
  total,
  trainingFitNote,
  trainingLabels,
  verdict,
  type ComparisonRow,
} from './comparison';
import { engine, modelBaseUrl, type CancellableJob } from '../engine-bridge';
import { PRIORITY } from '../lane';
import { errorMessage, isCancelled } from '../error-text';
import { download } from '../export';
import { failedToOpen, useWorkbench, workMicrographs, type MicrographEntry } from '../store';
import * as library from '../../../workers/model-library';
import { fileSafeName, modelZip, readModelUpload } from './model-files';
import { detectorTruth, kept, packXY, reviewCounts, selectClassifierSamples, selectDetectorSamples, type ReviewSet } from './review';
import { trainOptions, type TrainKind } from './settings';
import { isPendingModel, useTraining, type PendingModel, type RunPhase } from './training-store';

const training = useTraining.getState;
const workbench = useWorkbench.getState;

/** Jobs of the step running now, so cancel() reaches every one. */
let running: CancellableJob<unknown>[] = [];
let cancelled = false;

const modelKind = (k: TrainKind): ModelKind => (k === 'detector' ? 'fcrn' : 'classifier');

function usable(m: MicrographEntry): boolean {
  return engine.isRegistered(m.key) && !failedToOpen(m);
}

function say(text: string, error = false): void {
  training().set({ message: { text, error } });
}

function progress(kind: TrainKind, phase: RunPhase, fraction: number, message: string): void {
  const b = training().busy;
  training().set({ busy: { ...b, kind, phase, fraction, message } });
}

/** Runs one job per micrograph (each on its home worker); failures are collected, not thrown. */
async function perMicrograph<T>(
  kind: TrainKind,
  phase: RunPhase,
  mics: readonly MicrographEntry[],
  what: string,
  call: (m: MicrographEntry, i: number) => CancellableJob<T>,
): Promise<{ results: Map<string, T>; failures: string[] }> {
  const results = new Map<string, T>();
  const failures: string[] = [];
  let done = 0;
  progress(kind, phase, 0, `${what}: 0 / ${mics.length} micrographs`);
  const jobs = mics.map((m, i) => call(m, i));
  running = jobs;
  await Promise.all(
    jobs.map((j, i) =>
      j.promise
        .then(
          (r) => void results.set(mics[i].key, r),
          (e) => {
            if (!isCancelled(e)) failures.push(`${mics[i].name}: ${errorMessage(e)}`);
          },
        )
        .finally(() => progress(kind, phase, ++done / mics.length, `${what}: ${done} / ${mics.length} micrographs`)),
    ),
  );
  running = [];
  return { results, failures };
}

function throwIfCancelled(): void {
  if (cancelled) throw new CancelledError();
}

// ---------------------------------------------------------------- choosing samples

/** Micrographs training may use: demo data only when asked. */
function trainable(m: MicrographEntry): boolean {
  return usable(m) && (!m.demo || training().includeDemo);
}

const DEMO_LEFT_OUT = 'demo micrographs are left out of training unless "Include demo micrographs" is ticked';

function classifierMicrographs(): MicrographEntry[] {
  const s = workbench();
  const scope = training().classifier.scope;
  return s.micrographs.filter((m) => trainable(m) && (scope === 'all' || (scope === 'picked' ? !!m.pickedWith : m.key === s.currentKey)));
}

/**
 * What the detector learns as particles on a micrograph: every pick kept on one the user marked
 * reviewed (they checked it, as crYOLO and Topaz train on every box of a curated micrograph, and
 * as the comparison scores against it), else the picks they accepted or added by hand (not those
 * loaded from another picker's file: nobody checked them).
 */
export function userPicks(m: MicrographEntry): Point[] {
  const picks = m.reviewed
    ? keptPicks(displayPicksOf(m))
    : displayPicksOf(m).filter((p) => p.state === 'accepted' || (p.state === 'manual' && !p.imported));
  return picks.map((p) => ({ x: p.x, y: p.y }));
}

function describeReview(samples: ReviewSet, failures: string[]): string {
  const c = reviewCounts(samples);
  const failed = failures.length ? ` ${failures.length} micrograph(s) could not be used: ${failures.join('; ')}` : '';
  return `${c.particles} particle / ${c.background} background samples on ${c.micrographs} micrograph(s).${failed}`;
}

/** Step 1: chooses the samples of a run and puts them up for review. */
export async function chooseSamples(kind: TrainKind): Promise<void> {
  if (training().busy) return;
  cancelled = false;
  training().set({ review: undefined, message: undefined, showSamples: true });
  try {
    if (kind === 'classifier') await chooseClassifierSamples();
    else chooseDetectorSamples();
  } catch (e) {
    say(isCancelled(e) ? 'Sample choice cancelled.' : `Could not choose samples: ${errorMessage(e)}`, !isCancelled(e));
  } finally {
    training().set({ busy: undefined });
    running = [];
  }
}

async function chooseClassifierSamples(): Promise<void> {
  const settings = training().classifier;
  const mics = classifierMicrographs();
  if (!mics.length) throw new Error(`no micrograph to label (load micrographs, or pick some when the scope is "picked"; ${DEMO_LEFT_OUT})`);
  const { results, failures } = await perMicrograph('classifier', 'samples', mics, 'Choosing samples', (m, i) =>
    engine.onMicrograph(m.key, (api, id, jobId) =>
      api.chooseClassifierSamples(
        id,
        m.params,
        { strictLevel: settings.strictLevel, lowStdCount: settings.lowStdCount, seed: settings.seed + i },
        jobId,
      ),
    ),
  );
  throwIfCancelled();
  const byMic = Object.fromEntries([...results].map(([key, r]) => [key, r.samples]));
  const samples = selectClassifierSamples(byMic, settings.maxPerClass, settings.seed);
  const all = Object.values(byMic).flat();
  const c = countSamples(all);
  training().set({ review: { kind: 'classifier', samples, failures } });
  say(
    `Chosen from ${c.particles} particle and ${c.background} background candidates (${Object.entries(c.byReason)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ')}); classes balanced: ${describeReview(samples, failures)}`,
  );
}

function chooseDetectorSamples(): void {
  const settings = training().detector;
  const allPicks: Record<string, Point[]> = {};
  for (const m of workbench().micrographs) {
    const picks = trainable(m) ? userPicks(m) : [];
    if (picks.length) allPicks[m.key] = picks;
  }
  if (!Object.keys(allPicks).length)
    throw new Error(
      `no picks to learn from yet: mark a micrograph you checked reviewed ("r"; its kept picks are particles), or accept picks ("a" accepts all on a micrograph) or add manual ones; ${DEMO_LEFT_OUT}`,
    );
  const samples = selectDetectorSamples(allPicks, settings.maxPicks, settings.seed);
  training().set({ review: { kind: 'detector', samples, allPicks, failures: [] } });
  // The detector's samples are all particles; its negatives are the rejected picks (detectorData).
  const c = reviewCounts(samples);
  const rejected = Object.keys(samples).reduce((n, key) => n + (micByKey(key)?.edits.rejected.length ?? 0), 0);
  say(
    `Patch centres: ${c.particles} particle(s) on ${c.micrographs} micrograph(s), and ${rejected} rejected pick(s) there as places without a particle. ` +
      'Every accepted and manual pick on these micrographs, and every kept pick on those marked reviewed, is a particle in the labels.',
  );
}

export function discardReview(): void {
  training().set({ review: undefined, message: undefined });
}

// ---------------------------------------------------------------- training

function micByKey(key: string): MicrographEntry | undefined {
  return workbench().micrographs.find((m) => m.key === key);
}

/** Training data, the micrographs it came from (keys) and those that could not be used. */
interface Prepared {
  data: TrainingData;
  failures: string[];
  trainedOn: string[];
}

async function classifierData(samples: ReviewSet): Promise<Prepared> {
  const mics = Object.keys(samples)
    .map(micByKey)
    .filter((m): m is MicrographEntry => !!m && kept(samples[m.key]).length > 0);
  const { results, failures } = await perMicrograph('classifier', 'patches', mics, 'Cutting patches', (m) => {
    const xy = packXY(kept(samples[m.key]));
    return engine.onMicrograph(m.key, (api, id, jobId) => api.classifierPatches(id, m.params, Comlink.transfer(xy, [xy.buffer]), jobId));
  });
  throwIfCancelled();
  const sets: ClassifierSet[] = [...results].map(([key, patches]) => {
    const k = kept(samples[key]);
    return { patches, labels: Uint8Array.from(k, (s) => s.label), n: k.length };
  });
  return { data: { kind: 'classifier', ...concatClassifierSets(sets) }, failures, trainedOn: [...results.keys()] };
}

async function detectorData(samples: ReviewSet, allPicks: Record<string, Point[]>, seed: number): Promise<Prepared> {
  const mics = Object.keys(samples)
    .map(micByKey)
    .filter((m): m is MicrographEntry => !!m && kept(samples[m.key]).length > 0);
  const { results, failures } = await perMicrograph('detector', 'patches', mics, 'Cutting patches', (m, i) => {
    const t = detectorTruth(samples[m.key], allPicks[m.key] ?? [], m.params.diameter);
    const xy = packXY(t.truth);
    // The user's rejections are places that are not particles (negatives in the loss).
    const rejected = packXY(m.edits.rejected);
    return engine.onMicrograph(m.key, (api, id, jobId) =>
      api.detectorPatches(
        id,
        m.params,
        Comlink.transfer(xy, [xy.buffer]),
        t.centres,
        seed + i,
        jobId,
        Comlink.transfer(rejected, [rejected.buffer]),
      ),
    );
  });
  throwIfCancelled();
  const cut = [...results].filter(([, d]) => d.n > 0);
  if (!cut.length) throw new Error('no patch could be cut: every pick lies too close to the micrograph edge for a 64x64 patch');
  const sets: DetectorSamples[] = cut.map(([, d]) => d);
  return { data: { kind: 'detector', ...concatDetectorSamples(sets) }, failures, trainedOn: cut.map(([key]) => key) };
}

function transferList(d: TrainingData): ArrayBuffer[] {
  return (
    d.kind === 'classifier'
      ? [d.patches.buffer, d.labels.buffer]
      : [d.inputs.buffer, d.labels.buffer, ...(d.weights ? [d.weights.buffer] : [])]
  ) as ArrayBuffer[];
}

function onTrainingEvent(kind: TrainKind, epochs: number): (e: TrainingEvent) => void {
  return (e) => {
    const s = training();
    // Events travel on the callback's own port and may arrive after the run's result.
    if (s.busy?.phase !== 'training' && s.busy?.phase !== 'noise-level') return;
    const curves = s.curves ?? { kind, batchLoss: [], epochs: [] };
    if (e.type === 'noise-level') {
      s.set({
        busy: {
          ...s.busy,
          phase: 'noise-level',
          fraction: e.fraction,
          message: `Measuring the new detector's noise level (for per-micrograph calibration) on ${e.micrographs} simulated empty micrographs: ${Math.round(e.fraction * e.micrographs)} / ${e.micrographs}`,
        },
      });
    } else if (e.type === 'batch') {
      const x = e.epoch + (e.batch + 1) / e.batches;
      s.set({
        curves: { ...curves, batchLoss: [...curves.batchLoss, { x, y: e.loss }] },
        busy: {
          ...s.busy,
          fraction: x / epochs,
          samplesPerSecond: e.samplesPerSecond,
          message: `Training: epoch ${e.epoch + 1} / ${epochs}, batch ${e.batch + 1} / ${e.batches}, loss ${e.loss.toFixed(4)}`,
        },
      });
    } else {
      s.set({
        curves: { ...curves, epochs: [...curves.epochs, e.report] },
        busy: { ...s.busy, samplesPerSecond: e.report.samplesPerSecond },
      });
    }
  };
}

/** A retrained detector's noise level as the run's message says it ('' for a classifier). */
function noiseLevelNote(r: TrainResult): string {
  const summary = r.metadata.trainingSummary ?? {};
  const t = summary.noiseLevelSeconds;
  if (r.metadata.noiseLevel !== undefined)
    return `; noise level ${r.metadata.noiseLevel}${typeof t === 'number' ? ` measured in ${t.toFixed(1)} s` : ''}`;
  const problem = summary.noiseLevelProblem;
  return typeof problem === 'string' ? `; no per-micrograph calibration with it: ${problem}` : '';
}

function runName(kind: TrainKind, micrographs: number, n: number): string {
  const when = new Date().toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return kind === 'classifier'
    ? `classifier · unsupervised · ${n} patches · ${micrographs} mic. · ${when}`
    : `detector · ${n} patches of picks · ${micrographs} mic. · ${when}`;
}

/** Steps 3 and 4 on the samples under review. */
export async function trainReviewed(): Promise<void> {
  const review = training().review;
  if (!review || training().busy) return;
  const kind = review.kind;
  const settings = kind === 'classifier' ? training().classifier : training().detector;
  const counts = reviewCounts(review.samples);
  if (kind === 'classifier' && (!counts.particles || !counts.background)) {
    say('The classifier needs both particle and background samples: flip some samples or choose again.', true);
    return;
  }
  if (!counts.particles && !counts.background) {
    say('Every sample is removed: nothing to train on.', true);
    return;
  }
  cancelled = false;
  noteRunning(kind);
  training().set({
    curves: { kind, batchLoss: [], epochs: [] },
    message: undefined,
    busy: { kind, phase: 'patches', fraction: 0, message: 'Cutting patches', epochs: settings.epochs },
  });
  try {
    const prepared =
      kind === 'classifier'
        ? await classifierData(review.samples)
        : await detectorData(review.samples, review.allPicks ?? {}, settings.seed);
    const { data } = prepared;
    const req: TrainRequest = {
      init: settings.init,
      options: trainOptions(settings),
      summary: {
        command: 'workbench',
        labels: kind === 'classifier' ? 'unsupervised, reviewed' : 'user picks (accepted, manual, kept on reviewed micrographs), reviewed',
        micrographs: prepared.trainedOn.length,
        patches: data.n,
        ...(kind === 'classifier'
          ? { particlePatches: counts.particles, backgroundPatches: counts.background }
          : { labelledPicks: Object.values(review.allPicks ?? {}).reduce((s, p) => s + p.length, 0) }),
        removedSamples: counts.removed,
        skipped: prepared.failures,
      },
    };
    const backend = workbench().backendInfo?.backend;
    training().set({
      busy: { kind, phase: 'training', fraction: 0, message: `Training on ${data.n} patches`, epochs: settings.epochs, backend },
    });
    const job = engine.exclusiveJob((api, jobId) =>
      api.train(Comlink.transfer(data, transferList(data)), req, jobId, Comlink.proxy(onTrainingEvent(kind, settings.epochs))),
    );
    running = [job];
    const result: TrainResult = await job.promise;
    running = [];
    // The result's history is the whole run: epoch events still in flight on the callback's port
    // when it arrived are dropped (phase changes below), so the curves take their epochs from it.
    const curves = training().curves ?? { kind, batchLoss: [], epochs: [] };
    training().set({ curves: { ...curves, epochs: result.history } });
    progress(kind, 'saving', 1, 'Saving the model');
    const id = await storeModel(
      modelKind(kind),
      runName(kind, prepared.trainedOn.length, data.n),
      'trained',
      result.modelJson as Record<string, unknown>,
      result.weights,
      result.metadata,
    );
    noteRunning(kind, id); // stored, not yet compared: a reload from here on deletes it
    await refreshLibrary();
    const last = result.history[result.history.length - 1];
    training().set({ review: undefined });
    const noise = noiseLevelNote(result);
    const trained = `Trained in ${result.seconds.toFixed(1)} s on ${result.backend} (${last ? `${last.samplesPerSecond.toFixed(1)} samples/s, final loss ${last.loss.toFixed(4)}` : 'no epoch'}${noise})`;
    const centres = counts.particles + counts.background;
    const edge =
      kind === 'detector' && data.n < centres
        ? ` ${centres - data.n} of the ${centres} picks were left out: their micrographs are smaller than a 64x64 patch at the detector's scale.`
        : '';
    const skipped = `${edge}${prepared.failures.length ? ` Skipped: ${prepared.failures.join('; ')}` : ''}`;
    await compareWith(
      modelKind(kind),
      id,
      runName(kind, prepared.trainedOn.length, data.n),
      `${trained}; saved, not in use yet.${skipped}`,
      new Set(prepared.trainedOn),
    );
  } catch (e) {
    // A cancelled run's curves describe no model: they go with it.
    if (isCancelled(e)) training().set({ curves: undefined });
    say(isCancelled(e) ? 'Training cancelled; the active model is unchanged.' : `Training failed: ${errorMessage(e)}`, !isCancelled(e));
  } finally {
    running = [];
    noteRunning(undefined);
    training().set({ busy: undefined });
  }
}

// A run in progress is noted in this tab's session storage, so that a reload, which stops it,
// can say so afterwards. Nothing is kept of a run that did not finish: a model it stored before
// its comparison ended (which a reload cut short) is deleted, as Cancel deletes it.
const RUN_KEY = 'drpnet.training-run';

function noteRunning(kind: TrainKind | undefined, storedId?: string): void {
  try {
    if (kind) sessionStorage.setItem(RUN_KEY, JSON.stringify({ kind, storedId }));
    else sessionStorage.removeItem(RUN_KEY);
  } catch {
    // no session storage (a sandboxed frame): the reload is then not remarked on
  }
}

/** Says, once, that the page was reloaded while a run trained, and deletes what it stored. */
async function sayIfInterrupted(): Promise<void> {
  let run: { kind?: string; storedId?: string } | undefined;
  try {
    const text = sessionStorage.getItem(RUN_KEY);
    if (!text) return;
    run = text.startsWith('{') ? JSON.parse(text) : { kind: text };
  } catch {
    return;
  }
  noteRunning(undefined);
  if (run?.storedId) await library.deleteModel(run.storedId).catch(() => undefined);
  say(
    `The page was reloaded while the ${run?.kind ?? 'model'} was training: that run stopped and nothing of it was kept; the models in use are unchanged. Choose samples and train again.`,
    true,
  );
}

// ---------------------------------------------------------------- before / after

/**
 * Picks every picked micrograph of the user's work with the new model on the side, then goes
 * back to the models in use; the user chooses. Only micrographs it did not learn from
 * (`trainedOn`) are scored.
 */
export async function compareWith(
  kind: ModelKind,
  id: string,
  name: string,
  trained: string,
  trainedOn: ReadonlySet<string>,
): Promise<void> {
  const previous = training().active;
  const mics = workMicrographs(workbench().micrographs).filter((m) => m.pickedWith && usable(m));
  // The classifier's labels come from the unsupervised rule, never from ground truth.
  const labels = mics.map((m) => heldOutLabels(m, trainedOn, kind === 'classifier'));
  const fitLabels = mics.map((m) => trainingLabels(m, trainedOn));
  const beforePicks = mics.map((m) => modelPicks(m.auto, m.params.diameter));
  const rows: ComparisonRow[] = mics.map((m, i) => ({
    key: m.key,
    name: m.name,
    before: sideOf(beforePicks[i], labels[i], m.params.diameter),
    after: { picks: 0 },
    trainedOn: trainedOn.has(m.key) || undefined,
    ...(m.edits.autoSetAside ? { shownFrom: m.edits.autoSetAside } : {}),
    ...(m.reviewed ? { reviewed: true } : {}),
  }));
  const failures: string[] = [];
  try {
    // A micrograph marked reviewed keeps the picks of the model that made them, which may not be
    // the one in use (a model kept since): its "before" is the model in use, picked aside here.
    const stale = mics.flatMap((m, i) => (sameModels(m.pickedBy, previous) ? [] : [i]));
    if (stale.length)
      progress(
        kind === 'fcrn' ? 'detector' : 'classifier',
        'comparing',
        0,
        `Picking ${stale.length} reviewed micrograph(s) with the models in use`,
      );
    for (const i of stale) {
      const m = mics[i];
      throwIfCancelled();
      try {
        const r = await engine.pickAside(m.key, m.params, PRIORITY.batch);
        beforePicks[i] = modelPicks(r.picks, m.params.diameter);
        rows[i].before = sideOf(beforePicks[i], labels[i], m.params.diameter);
      } catch (e) {
        if (isCancelled(e)) throw e; // otherwise it keeps the picks it shows
      }
    }
    progress(kind === 'fcrn' ? 'detector' : 'classifier', 'comparing', 0, `Picking ${mics.length} micrograph(s) with the new model`);
    await engine.broadcast((api) => api.useModels({ ...previous, [kind]: id }));
    for (let i = 0; i < mics.length; i++) {
      throwIfCancelled();
      const m = mics[i];
      try {
        const r = await engine.pickAside(m.key, m.params, PRIORITY.batch);
        const after = modelPicks(r.picks, m.params.diameter);
        rows[i].after = sideOf(after, labels[i], m.params.diameter);
        rows[i].picks = { before: beforePicks[i], after, diameter: m.params.diameter };
        const fit = fitLabels[i];
        if (fit) rows[i].fit = micrographMetrics(after, fit, m.params.diameter);
      } catch (e) {
        if (isCancelled(e)) throw e;
        failures.push(`${m.name}: ${errorMessage(e)}`);
      }
      progress(
        kind === 'fcrn' ? 'detector' : 'classifier',
        'comparing',
        (i + 1) / mics.length,
        `Picked ${i + 1} / ${mics.length} micrograph(s) with the new model`,
      );
    }
  } catch (e) {
    // Cancelled (or the engine failed) before the user could judge it: it is not kept.
    await library.deleteModel(id).catch(() => undefined);
    await refreshLibrary();
    throw e;
  } finally {
    await endTrial(kind, id, previous);
  }
  const done = rows.filter((_, i) => !failures.some((f) => f.startsWith(`${mics[i].name}:`)));
  setPending({ kind, id, name, rows: done });
  const v = verdict(done);
  const before = total(done, 'before');
  const after = total(done, 'after');
  const f1 =
    before.metrics && after.metrics
      ? ` F1 ${kind === 'classifier' ? 'against ground truth' : 'on the held-out micrographs'} ${(before.metrics.f1 * 100).toFixed(1)} → ${(after.metrics.f1 * 100).toFixed(1)}.`
      : '';
  const advice = {
    worse: ' It picks worse: discarding it is advised.',
    better: ' It picks better.',
    same: '',
    unknown: `${trainingFitNote(done)} ${NO_HELD_OUT}`,
  }[v];
  say(
    `${trained} Picks ${before.picks} → ${after.picks} on ${done.length} micrograph(s).${f1}${advice} Keep it or discard it below.${failures.length ? ` Not compared: ${failures.join('; ')}` : ''}`,
  );
}

/**
 * Back to the models in use after a comparison: the new one only picks for the app once it is
 * kept. What it picked for the app meanwhile (a parameter changed during the comparison) is
 * picked again, on micrographs marked reviewed too: their exemption keeps the picks the user
 * checked, and these were made by the model on trial.
 */
export async function endTrial(kind: ModelKind, id: string, previous: ActiveModels): Promise<void> {
  await engine.broadcast((api) => api.useModels(previous)).catch(() => undefined);
  repickOtherModels();
  if (!workbench().readOnly)
    for (const m of workbench().micrographs)
      if (m.reviewed && m.pickedBy?.[kind] === id && engine.isRegistered(m.key)) void pickMicrograph(m.key);
}

/** Keeps the retrained model: it becomes active and every picked micrograph not marked reviewed is picked again with it. */
export async function keepPending(): Promise<void> {
  const p = training().pending;
  if (!p) return;
  setPending(undefined);
  if (await activate(p.kind, p.id)) {
    // Ctrl+Z goes on undoing the edits before it: a model is switched back in the library.
    say(`${p.name}: kept and active${repickedNote()}. Ctrl+Z does not undo this: choose the previous model in the library.`);
  }
}

/** Discards the retrained model: deleted from the library, the models in use stay. */
export async function discardPending(): Promise<void> {
  const p = training().pending;
  if (!p) return;
  setPending(undefined);
  try {
    await library.deleteModel(p.id);
  } catch (e) {
    say(`Could not delete ${p.name}: ${errorMessage(e)}`, true);
  }
  await refreshLibrary();
  say(`${p.name}: discarded; the models in use are unchanged.`);
}

/** Sets or clears the model awaiting keep or discard, in the page and in the library, so a reload keeps the choice open. */
function setPending(p: PendingModel | undefined): void {
  training().set({ pending: p });
  library.setPending(p).catch((e) => say(`The retrained model's comparison is not stored: ${errorMessage(e)}`, true));
}

/** Brings back a comparison left open before a reload, while its model is stored (in the library as read) and not in use. */
async function restorePending(): Promise<void> {
  try {
    const stored = await library.getPending();
    if (!stored || training().pending) return;
    const p = isPendingModel(stored) ? stored : undefined;
    const stillStored = p && training().library.some((m) => m.id === p.id && m.kind === p.kind);
    if (p && stillStored && training().active[p.kind] !== p.id) training().set({ pending: p });
    else await library.setPending(undefined);
  } catch {
    // Storage unavailable: there is nothing to bring back.
  }
}

/** Cancels the sample choice or training in progress (results so far are dropped). */
export function cancelRun(): void {
  cancelled = true;
  for (const j of running) j.cancel();
}

// ---------------------------------------------------------------- model library

/** Reads the library into the store. */
export async function refreshLibrary(): Promise<void> {
  try {
    training().set({ library: await library.listModels() });
  } catch (e) {
    say(`The model library is unavailable: ${errorMessage(e)}`, true);
  }
}

async function storeModel(
  kind: ModelKind,
  name: string,
  source: library.StoredModel['source'],
  modelJson: Record<string, unknown>,
  weights: ArrayBuffer,
  metadata: library.StoredModel['metadata'],
): Promise<string> {
  const id = library.newModelId(kind);
  await library.saveModel({ id, kind, name, added: new Date().toISOString(), source, modelJson, weights, metadata });
  return id;
}

/** Makes a model the active one of its kind: stored, loaded into every worker, and used to pick again. False when that failed (said why). */
export async function activate(kind: ModelKind, id: string): Promise<boolean> {
  const active: ActiveModels = { ...training().active, [kind]: id };
  try {
    await library.setActiveModels(active);
    const replies = await engine.broadcast((api) => api.useModels(active));
    const loaded = replies[0]?.models ?? active;
    const notes = [...new Set(replies.map((r) => r.note).filter((n): n is string => !!n))];
    if (notes.length) say(notes.join('; '), true);
    // The models in use, which say whose picks are up to date (controller/context.ts pickedUpToDate).
    const info = workbench().backendInfo;
    if (info) workbench().set({ backendInfo: { ...info, models: loaded, modelNote: undefined } });
    training().set({ active: loaded });
    if (training().pending?.id === loaded[kind]) setPending(undefined); // chosen in the library: kept
    await refreshLibrary();
    repickOtherModels();
    return loaded[kind] === id;
  } catch (e) {
    say(`Could not switch the ${kind}: ${errorMessage(e)}`, true);
    await refreshLibrary();
    return false;
  }
}

/** Makes a stored model active from the library; a detector's own pick settings come with it (as on import). */
export async function activateFromLibrary(kind: ModelKind, id: string): Promise<void> {
  if (!(await activate(kind, id))) return;
  const m = training().library.find((x) => x.id === id);
  const note = m ? applyCarriedSettings(m.metadata) : '';
  // Said, as keeping a retrained model says it: every micrograph not marked reviewed changes.
  const name = id === SHIPPED_MODEL ? `The shipped ${kind === 'fcrn' ? 'detector' : 'classifier'}` : (m?.name ?? id);
  say(`${name} is now the active ${kind === 'fcrn' ? 'detector' : 'classifier'}${repickedNote()}.${note}`);
}

/** What a switch of model does to the user's micrographs, for the sentence that says it ('' with none). */
function repickedNote(): string {
  const work = workMicrographs(workbench().micrographs);
  if (!work.length) return '';
  const reviewed = work.filter((x) => x.reviewed).length;
  return `; the micrographs are picked again with it${reviewed ? ` (the ${reviewed} marked reviewed keep their picks)` : ''}`;
}

/**
 * Sets the pick settings a detector carries (chosen by `drpnet fine-tune` on labelled
 * micrographs) on the micrographs not reviewed; the sentence that says so, or ''.
 */
function applyCarriedSettings(metadata: library.StoredModel['metadata']): string {
  const carried =
    metadata.kind === 'fcrn' && metadata.pickSettings && Object.keys(metadata.pickSettings).length ? metadata.pickSettings : undefined;
  const n = carried ? setOnUnreviewed(carried, 'settings of the detector') : undefined;
  return carried && n !== undefined
    ? ` It carries pick settings chosen on labelled micrographs (${describeSettings(carried, 'labels')}). ${whereSet(n)}`
    : '';
}

export async function removeModel(kind: ModelKind, id: string): Promise<void> {
  if (training().active[kind] === id) await activate(kind, SHIPPED_MODEL);
  if (training().pending?.id === id) setPending(undefined);
  await library.deleteModel(id);
  await refreshLibrary();
}

/** Downloads a model as a zip of model.json, weights.bin and training.json (what `drpnet` reads). */
export async function downloadModel(kind: ModelKind, id: string): Promise<void> {
  try {
    if (id === SHIPPED_MODEL) {
      const base = `${modelBaseUrl()}${kind}/`;
      const [json, weights] = await Promise.all([
        fetch(`${base}model.json`).then((r) => r.json()),
        fetch(`${base}weights.bin`).then((r) => r.arrayBuffer()),
      ]);
      download(modelZip(json, weights, json.userDefinedMetadata), `drpnet_${kind}_shipped.zip`, 'application/zip');
      return;
    }
    const rec = await library.getModel(id);
    if (!rec) throw new Error('it is no longer in the model library');
    download(
      modelZip(rec.modelJson as Record<string, unknown>, rec.weights, rec.metadata),
      `${fileSafeName(rec.name)}.zip`,
      'application/zip',
    );
  } catch (e) {
    say(`Could not download the model: ${errorMessage(e)}`, true);
  }
}

/** Loads a model from files (a zip, or model.json with its weights), stores it and makes it active. */
export async function importModelFiles(files: readonly File[]): Promise<void> {
  try {
    const uploads = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
    const pair = readModelUpload(uploads);
    // A copy goes to the worker, moved not cloned: the original is stored below.
    const metadata = await engine.exclusive((api) => {
      const weights = pair.weights.slice(0);
      return api.inspectModel(pair.modelJson, Comlink.transfer(weights, [weights]));
    });
    const id = await storeModel(
      metadata.kind,
      `${metadata.kind === 'fcrn' ? 'detector' : 'classifier'} from ${pair.source}`,
      'imported',
      pair.modelJson,
      pair.weights,
      metadata,
    );
    if (!(await activate(metadata.kind, id))) return;
    say(
      `Loaded ${pair.source} (${metadata.kind}, working radius ${metadata.workingRadius}); it is now active.${applyCarriedSettings(metadata)}`,
    );
  } catch (e) {
    say(`Could not load the model: ${errorMessage(e)}`, true);
  }
}

/**
 * Scores the waiting comparison again where a micrograph's labels changed (ground truth loaded,
 * a review marked or edited): a user told to load truth for a held-out micrograph gets the verdict.
 */
function rescorePending(now: readonly MicrographEntry[], before: readonly MicrographEntry[]): void {
  const p = training().pending;
  if (!p) return;
  const old = new Map(before.map((m) => [m.key, m]));
  const changed = new Set<string>();
  for (const m of now) {
    const o = old.get(m.key);
    if (o !== m && (!o || o.truth !== m.truth || o.reviewed !== m.reviewed || (m.reviewed && o.edits !== m.edits))) changed.add(m.key);
  }
  if (!changed.size) return;
  const rows = rescoredRows(p.rows, new Map(now.map((m) => [m.key, m])), changed, p.kind === 'classifier');
  if (rows !== p.rows) setPending({ ...p, rows: [...rows] });
}

let started = false;

/** Lists the library and follows engine restarts (each worker loads the active models itself). */
export function initTraining(): void {
  if (started) return;
  started = true;
  void sayIfInterrupted().then(refreshLibrary).then(restorePending);
  // What the workers loaded when they started, else what they will load.
  const loaded = workbench().backendInfo?.models;
  if (loaded) training().set({ active: loaded });
  else void library.getActiveModels().then((active) => workbench().backendInfo?.models || training().set({ active }));
  useWorkbench.subscribe((s, prev) => {
    if (s.micrographs !== prev.micrographs) rescorePending(s.micrographs, prev.micrographs);
    if (s.backendInfo === prev.backendInfo || !s.backendInfo?.models) return;
    training().set({ active: s.backendInfo.models });
    if (s.backendInfo.modelNote) say(s.backendInfo.modelNote, true);
  });
}
