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
      const sim = simulateMicrograph({ width: 640, height: 640, pixelSize: 1.3, kind: 'betagal', seed });
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
    // Started from a cutoff that keeps a handful, without calibration to rescue it.
    const starved = { ...shipped, fcrnMeta: { ...shipped.fcrnMeta, pickSettings: { cutoff: 0.02, calibrate: false } } };
    const sessions = new LabelledSessions();
    const r = await tuneSettings(starved, mics, sessions);
    expect(r.current).toEqual(await sessions.score(starved, mics));
    expect(r.current.recall).toBeLessThan(0.3);
    expect(r.tuned.f1).toBeGreaterThan(0.8);
    expect(r.settings).not.toEqual({ threshold: DEFAULT_PICK_PARAMS.threshold, cutoff: 0.02, calibrate: false });
    // The reported score is the chosen settings' own, and no candidate does better.
    expect(await sessions.score(starved, mics, r.settings)).toEqual(r.tuned);
    for (const s of tuningCandidates(r.settings).slice(1))
      expect((await sessions.score(starved, mics, s)).f1).toBeLessThanOrEqual(r.tuned.f1);
  }, 300_000);
});
