// Choosing pick settings on labelled micrographs: the choice is the grid's best and never worse
// than where the models started, and the models' own settings (their metadata) are what
// picking and tuning start from.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModels } from '../../cli/models';
import { initBackend } from '../model/backend';
import { DEFAULT_PICK_PARAMS } from '../params';
import type { Models } from '../pipeline';
import { simulateMicrograph, truthPicks } from '../simulate/simulate';
import { particleDiameterPx } from '../simulate/phantoms';
import type { LabelledMicrograph } from './fine-tune';
import { modelSettings, tuningCandidates } from '../tuning';
import { LabelledSessions, tuneSettings } from './tune-settings';

describe('tuneSettings', () => {
  let shipped: Models;
  let mics: LabelledMicrograph[];
  beforeAll(async () => {
    await initBackend('wasm');
    shipped = await loadModels({ withClassifier: true });
    const diameter = Math.round(particleDiameterPx('betagal', 1.3));
    mics = [21, 22].map((seed) => {
      // 768 px: ten particles lie wholly inside the two (at 640 px, five: one particle moved recall by 0.2).
      const sim = simulateMicrograph({ width: 768, height: 768, pixelSize: 1.3, kind: 'betagal', seed });
      return { name: `sim_${seed}`, image: sim.image, diameter, negativeStain: false, truth: truthPicks(sim) };
    });
  }, 120_000);

  it("picking starts from the settings in the detector's metadata", async () => {
    expect(modelSettings(shipped)).toEqual(DEFAULT_PICK_PARAMS);
    const strict = { ...shipped, fcrnMeta: { ...shipped.fcrnMeta, pickSettings: { threshold: 40 } } };
    expect(modelSettings(strict).threshold).toBe(40);
    const sessions = new LabelledSessions();
    const atDefaults = await sessions.score(shipped, mics);
    expect(atDefaults.recall).toBeGreaterThan(0.5);
    const atStrict = await sessions.score(strict, mics);
    expect(atStrict.tp + atStrict.fp).toBeLessThan((atDefaults.tp + atDefaults.fp) / 2);
    // Settings given to score() win over the metadata's.
    expect(await sessions.score(strict, mics, { threshold: DEFAULT_PICK_PARAMS.threshold })).toEqual(atDefaults);
  }, 120_000);

  it("finds the grid's best, and recovers from settings that keep almost nothing", async () => {
    // Started from settings that keep a handful: the strictest peak threshold and a strict cutoff,
    // without calibration. (Either alone keeps 40% of these: betagal gives high peaks and a sure classifier.)
    const starvedSettings = { threshold: 40, cutoff: 0.005, calibrate: false };
    const starved = { ...shipped, fcrnMeta: { ...shipped.fcrnMeta, pickSettings: starvedSettings } };
    const sessions = new LabelledSessions();
    const r = await tuneSettings(starved, mics, sessions);
    expect(r.current).toEqual(await sessions.score(starved, mics));
    expect(r.current.recall).toBeLessThan(0.3);
    expect(r.tuned.f1).toBeGreaterThan(0.8);
    expect(r.settings).not.toEqual(starvedSettings);
    // The reported score is the chosen settings' own, and no candidate does better.
    expect(await sessions.score(starved, mics, r.settings)).toEqual(r.tuned);
    for (const s of tuningCandidates(r.settings).slice(1))
      expect((await sessions.score(starved, mics, s)).f1).toBeLessThanOrEqual(r.tuned.f1);
  }, 300_000);
});
