// Pick settings learned from labelled micrographs (core/tuning.ts chooses): each micrograph's
// detector map is made once and picked again at every setting of the grid.
import { throwIfAborted } from '../errors';
import { aggregate, matchingRadius, matchPicks, type Counts, type Scores } from '../metrics';
import type { PickParams } from '../params';
import { PickSession, pickMicrograph, type Models } from '../pipeline';
import type { Point } from '../candidates';
import { bestTuning, modelSettings, tunedPart, tuningCandidates, type TunedSettings, type TuningResult } from '../tuning';
import type { LabelledMicrograph } from './fine-tune';
import { asMicrograph } from './training-micrograph';

/**
 * Match counts of one micrograph picked at each candidate setting (over `params`) against the
 * picks someone checked, within one particle radius: what the workbench's engine workers
 * return for the page to choose from.
 */
export async function gridCounts(
  session: PickSession,
  models: Models,
  params: PickParams,
  truth: readonly Point[],
  candidates: readonly Partial<PickParams>[],
  signal?: AbortSignal,
): Promise<Counts[]> {
  const out: Counts[] = [];
  for (const c of candidates) {
    throwIfAborted(signal);
    const { picks } = await pickMicrograph(session, models, { ...params, ...c }, { signal });
    const { tp, fp, fn } = matchPicks(picks, truth, matchingRadius(params.diameter));
    out.push({ tp, fp, fn });
  }
  return out;
}

/** Sessions of labelled micrographs: each detector map is made once and every setting re-picks it. */
export class LabelledSessions {
  private readonly sessions = new Map<LabelledMicrograph, PickSession>();

  session(m: LabelledMicrograph): PickSession {
    let session = this.sessions.get(m);
    if (!session) this.sessions.set(m, (session = new PickSession(m.name, asMicrograph(m.image))));
    return session;
  }

  /** The models' settings (modelSettings) for this micrograph's diameter and stain, changed by `settings`. */
  static params(models: Models, m: LabelledMicrograph, settings: Partial<PickParams> = {}): PickParams {
    return { ...modelSettings(models), ...settings, diameter: m.diameter, negativeStain: m.negativeStain };
  }

  /** Pooled scores of picking `mics` with these models at their settings changed by `settings`. */
  async score(
    models: Models,
    mics: readonly LabelledMicrograph[],
    settings: Partial<PickParams> = {},
    signal?: AbortSignal,
  ): Promise<Scores> {
    const counts: Counts[] = [];
    for (const m of mics)
      counts.push(
        ...(await gridCounts(this.session(m), models, LabelledSessions.params(models, m, settings), m.truth ?? [], [{}], signal)),
      );
    return aggregate(counts);
  }
}

/**
 * The grid's settings with the best pooled F1 on labelled micrographs (the models' current ones
 * on a tie), with the grid (the current settings first) and each micrograph's counts at each.
 */
export async function tuneSettings(
  models: Models,
  mics: readonly LabelledMicrograph[],
  sessions = new LabelledSessions(),
  signal?: AbortSignal,
): Promise<TuningResult & { candidates: TunedSettings[]; counts: Counts[][] }> {
  const candidates = tuningCandidates(tunedPart(modelSettings(models)));
  const counts: Counts[][] = [];
  for (const m of mics)
    counts.push(await gridCounts(sessions.session(m), models, LabelledSessions.params(models, m), m.truth ?? [], candidates, signal));
  return { ...bestTuning(candidates, counts), candidates, counts };
}
