// A floor under the shipped models' F1 on real micrographs, at default settings (only the
// diameter), so it can never fall again unnoticed: the 14 scoring micrographs of the shared
// apoferritin set (bench/realdata.ts). `npx tsx bench/real.ts` measures the same, and more.
// The shared data lives outside the repository (its labels carry no licence); a checkout
// without ../shared/realdata says so and runs nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PICK_PARAMS } from '../../src/core/params';
import { PickSession, pickMicrograph, type Models } from '../../src/core/pipeline';
import { loadModels, startBackend } from '../../src/cli/models';
import { APOFERRITIN, loadRealMicrograph, pooled, realLabels, realSetAvailable, realSplit, scoreReal } from '../../bench/realdata';

/** The floor: measured F1 of the shipped models at default settings, less about 5 points of margin. */
const F1_FLOOR = 0.52;
/** Picks per micrograph stay within these bounds of the ~165 particles each holds (no collapse either way). */
const PICKS_PER_MICROGRAPH: [number, number] = [80, 330];

const available = realSetAvailable(APOFERRITIN);
if (!available) console.warn(`real-data floor not checked: ${APOFERRITIN.dir} is missing`);

describe.runIf(available)('shipped models on the real apoferritin micrographs (zero-shot, default settings)', () => {
  let models: Models;
  beforeAll(async () => {
    await startBackend('wasm');
    models = await loadModels({ withClassifier: true });
  });

  it(`keeps F1 >= ${F1_FLOOR} on the 14 scoring micrographs, with a sensible number of picks on each`, async () => {
    const scores = [];
    const labels = await realLabels(APOFERRITIN);
    for (const name of realSplit(APOFERRITIN).scoring) {
      const m = await loadRealMicrograph(APOFERRITIN, name, labels);
      const { picks } = await pickMicrograph(new PickSession(name, m.micrograph), models, {
        ...DEFAULT_PICK_PARAMS,
        diameter: APOFERRITIN.diameter,
      });
      expect(picks.length, name).toBeGreaterThanOrEqual(PICKS_PER_MICROGRAPH[0]);
      expect(picks.length, name).toBeLessThanOrEqual(PICKS_PER_MICROGRAPH[1]);
      scores.push(scoreReal(picks, m));
    }
    const total = pooled(scores);
    expect(total.f1).toBeGreaterThanOrEqual(F1_FLOOR);
  }, 240_000);
});
