// Settings from the user's review: the peak threshold, classifier cutoff and calibration that
// best reproduce the picks of the micrographs marked reviewed, used on the others. What the
// CLI's `drpnet fine-tune` does with labelled micrographs (core/tuning.ts chooses); here each
// reviewed micrograph's engine worker counts matches at every setting of the grid.
import * as Comlink from 'comlink';
import type { Counts } from '../../core/metrics';
import { PARAM_SPECS, type PickParams } from '../../core/params';
import { bestTuning, tunedPart, tuningCandidates, type TunedSettings } from '../../core/tuning';
import { displayPicksOf } from '../editing';
import { engine } from '../engine-bridge';
import { errorMessage, isCancelled } from '../error-text';
import { PRIORITY } from '../lane';
import { keptPicks } from '../picks-merge';
import { currentMic, type MicrographEntry } from '../store';
import { packXY } from '../training/review';
import { refusedReadOnly, store } from './context';
import { setParamsOn } from './picking';

/** Micrographs whose picks say what the settings should keep: marked reviewed, and picked. */
export function reviewedMicrographs(micrographs: readonly MicrographEntry[]): MicrographEntry[] {
  return micrographs.filter((m) => m.reviewed && !!m.pickedWith);
}

const pct = (f1: number) => (100 * f1).toFixed(1);

/** "Threshold T 0.5, Classifier cutoff 1, Calibrate per micrograph on": settings as the panel names them. */
export function describeParams(settings: Partial<PickParams>): string {
  return (Object.entries(settings) as [keyof PickParams, number | boolean][])
    .map(([k, v]) => `${PARAM_SPECS[k].label} ${typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v)}`)
    .join(', ');
}

/** The settings of `to` that differ from `from`. */
function changed(from: TunedSettings, to: TunedSettings): Partial<PickParams> {
  return Object.fromEntries((Object.keys(to) as (keyof TunedSettings)[]).filter((k) => to[k] !== from[k]).map((k) => [k, to[k]]));
}

/** Sets settings on every micrograph not marked reviewed (and on those added later); returns how many. */
export function setOnUnreviewed(settings: Partial<PickParams>, label: string): number {
  const others = store()
    .micrographs.filter((m) => !m.reviewed)
    .map((m) => m.key);
  setParamsOn(others, settings, label);
  return others.length;
}

/**
 * Chooses the settings on the reviewed micrographs (their picks, rejected ones left out, are
 * the truth) and sets them on every micrograph not reviewed, and on those added later. Says
 * what it found; reviewed micrographs keep their settings and picks.
 */
export async function settingsFromReview(): Promise<void> {
  const s = store();
  if (refusedReadOnly()) return;
  const reviewed = reviewedMicrographs(s.micrographs).filter((m) => engine.isRegistered(m.key));
  if (!reviewed.length) {
    s.notify(
      'Mark the micrographs whose picks you have checked as reviewed (✓ in the list): their picks say what the settings should keep.',
    );
    return;
  }
  const base: PickParams = currentMic(s)?.params ?? s.defaultParams;
  const candidates = tuningCandidates(tunedPart(base));
  const counts: Counts[][] = [];
  const failures: string[] = [];
  await Promise.all(
    reviewed.map((m) => {
      const truth = packXY(keptPicks(displayPicksOf(m)));
      return engine
        .onMicrograph(
          m.key,
          (api, id, jobId) => api.gridCounts(id, m.params, Comlink.transfer(truth, [truth.buffer]), candidates, jobId),
          PRIORITY.interactive,
        )
        .promise.then(
          (c) => void counts.push(c),
          (e) => {
            if (!isCancelled(e)) failures.push(`${m.name}: ${errorMessage(e)}`);
          },
        );
    }),
  );
  const unusable = failures.length ? ` Could not use ${failures.join('; ')}.` : '';
  if (!counts.length) {
    store().notify(`No settings chosen.${unusable}`, 'error');
    return;
  }
  const r = bestTuning(candidates, counts);
  const on = `your ${counts.length} reviewed micrograph${counts.length === 1 ? '' : 's'}`;
  if (r.settings === candidates[0]) {
    store().notify(`On ${on} these settings already match your picks best (F1 ${pct(r.current.f1)}); nothing changed.${unusable}`);
    return;
  }
  const n = setOnUnreviewed(r.settings, 'settings from reviewed micrographs');
  store().notify(
    `Settings from ${on}: ${describeParams(changed(candidates[0], r.settings))} (F1 against your picks ${pct(r.current.f1)} → ${pct(r.tuned.f1)}). Set on the ${n} micrograph${n === 1 ? '' : 's'} not reviewed and on those added later; Ctrl+Z undoes it.${unusable}`,
  );
}
