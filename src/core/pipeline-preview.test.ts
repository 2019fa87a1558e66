// Re-pick previews (RunOptions.preview): no classifier run, outputs from the cache, and the
// exact re-pick afterwards is the same as on a session that never previewed.
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from './model/backend';
import { buildClassifier } from './model/classifier';
import { buildFcrn } from './model/fcrn';
import type { ModelMetadata } from './model/model-io';
import { DEFAULT_PICK_PARAMS, type PickParams } from './params';
import { PickSession, type Models } from './pipeline';
import { decodedMicrograph } from './io/micrograph';
import { simulateMicrograph } from './simulate/simulate';

const META: ModelMetadata = { kind: 'fcrn', workingRadius: 12, inputSmoothing: 3, patchSize: 64, created: '2026-01-01' };

describe('re-pick preview', () => {
  let models: Models;
  const sim = simulateMicrograph({ width: 384, height: 384, pixelSize: 4, kind: 'betagal', seed: 3 });
  const micrograph = () => decodedMicrograph({ ...sim.image, data: sim.image.data.slice() }, { frames: 1, averaged: false, format: 'mrc' });
  const params: PickParams = { ...DEFAULT_PICK_PARAMS, diameter: 40, threshold: 2, sigma: 2, cutoff: 0.5 };

  beforeAll(async () => {
    await initBackend('wasm');
    models = { fcrn: buildFcrn({ seed: 2 }), fcrnMeta: META, classifier: buildClassifier({ seed: 4 }) };
  });

  it('shows cached outputs without the classifier, then the exact result matches a fresh session', async () => {
    const s = new PickSession('a', micrograph());
    await s.runDetector(models, params);
    const cold = await s.repick(models, params, { preview: true });
    expect(cold.picks.length).toBeGreaterThan(3);
    expect(cold.unclassified).toBe(cold.picks.length);
    expect(cold.picks.every((p) => p.pParticle === undefined && !p.kept)).toBe(true); // unjudged: not kept yet
    expect(cold.timings.classifier).toBeLessThan(50);

    const exact = await s.repick(models, params);
    expect(exact.unclassified).toBe(0);
    const again = await s.repick(models, params, { preview: true });
    expect(again.unclassified).toBe(0);
    expect(again.picks).toEqual(exact.picks); // nothing new: the preview is the result

    const strict = { ...params, threshold: 6 };
    const preview = await s.repick(models, strict, { preview: true });
    const final = await s.repick(models, strict);
    const fresh = new PickSession('b', micrograph());
    await fresh.runDetector(models, strict);
    expect(final.picks).toEqual((await fresh.repick(models, strict)).picks);
    // The preview has the final's candidates; those it could look up carry an output.
    expect(preview.picks.map((p) => [p.x, p.y])).toEqual(final.picks.map((p) => [p.x, p.y]));
    expect(preview.picks.filter((p) => p.pParticle !== undefined).length).toBeGreaterThanOrEqual(
      preview.picks.length - preview.unclassified,
    );
  });
});
