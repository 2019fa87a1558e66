// Settings from the user's review: the peak threshold, classifier cutoff and calibration that
// best reproduce the picks of the micrographs marked reviewed, used on the others. What the
// CLI's `drpnet fine-tune` does with labelled micrographs (core/tuning.ts chooses); here each
// reviewed micrograph's engine worker counts matches at every setting of the grid.
import * as Comlink from 'comlink';
import type { Counts } from '../../core/metrics';
import type { PickParams } from '../../core/params';
import { bestTuning, describeSettings, gridCombinations, sameTuning, tunedPart, type TunedSettings } from '../../core/tuning';
import { displayPicksOf } from '../editing';
import { engine, type CancellableJob } from '../engine-bridge';
import { errorMessage, isCancelled } from '../error-text';
import { PRIORITY } from '../lane';
import { keptPicks } from '../picks-merge';
import { unreviewedMicrographs, workMicrographs, type MicrographEntry } from '../store';
import { packXY } from '../training/review';
import { refusedReadOnly, store } from './context';
import { setParamsOn } from './picking';

/** Micrographs whose picks say what the settings should keep: the user's work, marked reviewed, picked, and not left out of the export. */
export function reviewedMicrographs(micrographs: readonly MicrographEntry[]): MicrographEntry[] {
  return workMicrographs(micrographs).filter((m) => m.reviewed && !m.excluded && !!m.pickedWith);
}

const pct = (f1: number) => (100 * f1).toFixed(1);

/**
 * Sets settings on every micrograph of the user's work not marked reviewed (one undo step) and
 * on those added later. How many it set them on, or undefined when this tab may not change the session.
 */
export function setOnUnreviewed(settings: Partial<PickParams>, label: string): number | undefined {
  const others = unreviewedMicrographs(store().micrographs).map((m) => m.key);
  return setParamsOn(others, settings, label) ? others.length : undefined;
}

/** "Set on the 3 micrographs not reviewed (Ctrl+Z undoes that) and on micrographs added later." */
export function whereSet(n: number): string {
  return `Set on the ${n} micrograph${n === 1 ? '' : 's'} not reviewed (Ctrl+Z undoes that) and on micrographs added later.`;
}

let running: CancellableJob<unknown>[] | undefined;

/** Stops "Learn from reviewed" while it counts; nothing is changed. */
export function cancelSettingsFromReview(): void {
  const jobs = running;
  running = undefined;
  for (const j of jobs ?? []) j.cancel();
}

/**
 * Chooses the settings on the reviewed micrographs (their picks, rejected ones left out, are
 * the truth; each starts from its own settings) and sets them on every micrograph not
 * reviewed, and on those added later. Says what it found; reviewed micrographs keep their
 * settings and picks. `progress` hears how many reviewed micrographs are counted so far.
 */
export async function settingsFromReview(progress?: (done: number, total: number) => void): Promise<void> {
  const s = store();
  if (refusedReadOnly() || running) return;
  const reviewed = reviewedMicrographs(s.micrographs).filter((m) => engine.isRegistered(m.key));
  if (!reviewed.length) {
    s.notify(
      'Mark the micrographs whose picks you have checked as reviewed (✓ in the list): their picks say what the settings should keep.',
    );
    return;
  }
  // First each micrograph's own settings (nothing changed), then the grid.
  const candidates: Partial<PickParams>[] = [{}, ...gridCombinations()];
  const counts: Counts[][] = [];
  const counted: MicrographEntry[] = [];
  const failures: string[] = [];
  const jobs = reviewed.map((m) => {
    const truth = packXY(keptPicks(displayPicksOf(m)));
    return {
      m,
      job: engine.onMicrograph(
        m.key,
        (api, id, jobId) => api.gridCounts(id, m.params, Comlink.transfer(truth, [truth.buffer]), candidates, jobId),
        PRIORITY.interactive,
      ),
    };
  });
  const mine = jobs.map((j) => j.job);
  running = mine;
  progress?.(0, jobs.length);
  let done = 0;
  await Promise.all(
    jobs.map(({ m, job }) =>
      job.promise
        .then(
          (c) => void (counts.push(c), counted.push(m)),
          (e) => {
            if (!isCancelled(e)) failures.push(`${m.name}: ${errorMessage(e)}`);
          },
        )
        .finally(() => progress?.(++done, jobs.length)),
    ),
  );
  if (running !== mine) {
    store().notify('Learning from the reviewed micrographs was cancelled; no settings changed.');
    return;
  }
  running = undefined;
  const unusable = failures.length ? ` Could not use ${failures.join('; ')}.` : '';
  if (!counts.length) {
    store().notify(`No settings chosen.${unusable}`, 'error');
    return;
  }
  const r = bestTuning(candidates, counts);
  const on = `your ${counts.length} reviewed micrograph${counts.length === 1 ? '' : 's'}`;
  let chosen: Partial<PickParams> = r.settings;
  if (chosen === candidates[0]) {
    // Their own settings win: those are what the others should pick with, when they agree.
    const own = sharedSettings(counted);
    const others = unreviewedMicrographs(store().micrographs);
    const differ = own && others.some((m) => !sameTuning(tunedPart(m.params), own));
    if (!own || !differ) {
      const why = own ? '' : ' (they differ between your reviewed micrographs, so none was set on the others)';
      store().notify(
        `On ${on} their own settings already match your picks best (F1 ${pct(r.current.f1)})${why}; nothing changed.${unusable}`,
      );
      return;
    }
    chosen = own;
  }
  const n = setOnUnreviewed(chosen, 'settings from reviewed micrographs');
  if (n === undefined) return;
  const gain = chosen === r.settings ? `${pct(r.current.f1)} → ${pct(r.tuned.f1)}` : `${pct(r.current.f1)}, their own settings`;
  store().notify(`Settings from ${on}: ${describeSettings(chosen, 'labels')} (F1 against your picks ${gain}). ${whereSet(n)}${unusable}`);
}

/** The settings fine-tune and this tune (threshold, cutoff, calibration), when every micrograph has the same. */
function sharedSettings(micrographs: readonly MicrographEntry[]): TunedSettings | undefined {
  const first = micrographs[0] && tunedPart(micrographs[0].params);
  return first && micrographs.every((m) => sameTuning(tunedPart(m.params), first)) ? first : undefined;
}
