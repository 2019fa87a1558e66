// The engine worker's retraining functions, run in Node on the wasm backend with random-weight
// models: samples and patches from an open micrograph's session, training on a copy of the
// active model with events and cancel, and loading a model set from the library.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { serveDir } from '../test/helpers/static-server';
import { writeRandomModels } from '../test/helpers/fixtures';
import { CancelledError } from '../src/core/errors';
import { initBackend } from '../src/core/model/backend';
import { buildClassifier } from '../src/core/model/classifier';
import { modelFromFiles, modelToFiles, readMetadata, type ModelMetadata } from '../src/core/model/model-io';
import { loadModelFromDir } from '../src/cli/model-io-node';
import { DEFAULT_PICK_PARAMS, type PickParams } from '../src/core/params';
import { PickSession, type Models } from '../src/core/pipeline';
import type { Micrograph } from '../src/core/io/micrograph';
import { simulateMicrograph } from '../src/core/simulate/simulate';
import { cutPatches } from '../src/core/train/classifier-samples';
import { simDiameter, simMicrograph } from '../src/core/train/dataset';
import { workingImage } from '../src/core/train/training-micrograph';
import { packXY } from '../src/app/training/review';
import { SHIPPED_MODEL, type TrainingEvent, type TrainRequest } from './training-api';
import { DETECTOR_FINE_TUNE_DEFAULTS } from '../src/core/train/fine-tune';
import {
  chooseClassifierSamples,
  classifierPatches,
  detectorPatches,
  loadModelSet,
  sessionMicrograph,
  trainModel,
  type StoredModelFiles,
} from './training';

// A detector's noise level is measured as in the app (measureNoiseLevel after training), on two
// small empty micrographs here instead of 24 of 1024 px, to keep the test short.
vi.mock('../src/core/train/noise-level', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/core/train/noise-level')>();
  const { emptyTrainingMicrographs } = await import('../src/core/train/dataset');
  return {
    ...original,
    measureNoiseLevel: (models: Models, _m: unknown, opts: Parameters<typeof original.measureNoiseLevel>[2]) => {
      return original.measureNoiseLevel(models, emptyTrainingMicrographs(2, 384), opts);
    },
  };
});

let dir: string;
let models: Models;
let session: PickSession<Micrograph>;
let params: PickParams;

const request = (over: Partial<TrainRequest['options']> = {}, init: TrainRequest['init'] = 'active'): TrainRequest => ({
  init,
  options: { epochs: 1, batchSize: 4, learningRate: 1e-3, lrDecay: 1, validationFraction: 0.25, seed: 5, ...over },
  summary: { labels: 'test' },
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'drpnet-worker-train-'));
  await writeRandomModels(dir);
  await initBackend('wasm');
  const fcrn = await loadModelFromDir(path.join(dir, 'fcrn'));
  models = { fcrn, fcrnMeta: readMetadata(fcrn), classifier: await loadModelFromDir(path.join(dir, 'classifier')) };
  const sim = simulateMicrograph({ width: 448, height: 384, pixelSize: 1.3, kind: 'small', seed: 71 });
  session = new PickSession('sim_71.mrc', simMicrograph(sim));
  params = { ...DEFAULT_PICK_PARAMS, diameter: simDiameter(sim), sigma: 2, threshold: 2 };
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('samples and patches on an open micrograph', () => {
  it('chooses unsupervised samples on the session and cuts the same patches the core cuts', async () => {
    const choice = await chooseClassifierSamples(session, models, params, { seed: 3, lowStdCount: 4 });
    expect(Object.keys(choice.candidatesByLevel)).toEqual(['1', '2', '3']);
    expect(choice.samples.length).toBeGreaterThan(0);
    for (const s of choice.samples) {
      expect([0, 1]).toContain(s.label);
      expect(s.x).toBeGreaterThanOrEqual(0);
      expect(s.x).toBeLessThan(448);
      expect(s.y).toBeLessThan(384);
    }
    const some = choice.samples.slice(0, 5);
    const patches = await classifierPatches(session, models, params, packXY(some));
    expect(patches.length).toBe(some.length * 64 * 64);
    // The patches come from the session's kept working image, which is the one a fresh training micrograph gets.
    const work = await workingImage(sessionMicrograph(session, params), models.fcrnMeta.workingRadius);
    expect(work.pre.data).toEqual((await session.workingImage(params, models.fcrnMeta.workingRadius)).pre.data);
    const core = cutPatches(work, some);
    expect(Math.max(...patches.map((v, i) => Math.abs(v - core[i])))).toBeLessThan(1e-5);
  });

  it('cuts detector patches on the first centres only, with every truth centre in the labels', async () => {
    const truth = [
      { x: 150, y: 150 },
      { x: 300, y: 200 },
      { x: 170, y: 160 },
    ];
    const d = await detectorPatches(session, models, params, packXY(truth), 2, 9);
    expect(d.n).toBe(2);
    expect(d.size).toBe(64);
    expect(d.inputs.length).toBe(2 * 64 * 64);
    // Labels are scaled to peak 1 (dataset.ts); a centre off the pixel grid peaks a little lower.
    const sum = (a: Float32Array) => a.subarray(0, 64 * 64).reduce((s, v) => s + v, 0);
    expect(Math.max(...d.labels.subarray(0, 64 * 64))).toBeGreaterThan(0.5);
    expect(Math.max(...d.labels)).toBeLessThanOrEqual(1);
    // The third pick lies near the first: not a patch centre, but its disk is in the first patch's labels.
    const without = await detectorPatches(session, models, params, packXY(truth.slice(0, 2)), 2, 9);
    expect(Array.from(without.inputs)).toEqual(Array.from(d.inputs));
    expect(sum(d.labels)).toBeGreaterThan(sum(without.labels) + 0.5);
    await expect(detectorPatches(session, models, params, packXY(truth), 4, 9)).rejects.toThrow(/patch centres must be 1\.\.3/);
  });

  it("keeps picks near the micrograph's edge: their patches are moved inside, the particle off the patch's middle", async () => {
    const corners = [
      { x: 6, y: 6 },
      { x: 440, y: 378 },
    ];
    const d = await detectorPatches(session, models, params, packXY(corners), 2, 9);
    expect(d.n).toBe(2);
    for (const i of [0, 1]) {
      const labels = d.labels.subarray(i * 4096, (i + 1) * 4096);
      const peak = labels.indexOf(Math.max(...labels));
      expect(labels[peak]).toBeGreaterThan(0.5);
      // In a corner of the patch (whichever flip the augmentation drew), not at its middle.
      const [px, py] = [peak % 64, Math.floor(peak / 64)];
      expect(Math.min(px, 63 - px)).toBeLessThan(8);
      expect(Math.min(py, 63 - py)).toBeLessThan(8);
    }
  });

  it('adds a patch on each rejected pick, and weighs the marked places fully and the rest less (positive-unlabelled)', async () => {
    const truth = [{ x: 150, y: 150 }];
    const rejected = [{ x: 330, y: 300 }];
    const d = await detectorPatches(session, models, params, packXY(truth), 1, 9, packXY(rejected));
    expect(d.n).toBe(2);
    const w = d.weights!;
    expect(w).toHaveLength(2 * 64 * 64);
    // Each patch is centred on its mark (flips of an even-sized patch move the centre by at most one pixel): weight 1 there.
    for (const i of [0, 1]) expect(Math.max(...w.subarray(i * 4096 + 31 * 64 + 31, i * 4096 + 31 * 64 + 34))).toBe(1);
    // The rejected pick is background in the labels; unmarked corners weigh the unlabelled weight.
    expect(Math.max(...d.labels.subarray(4096 + 30 * 64, 4096 + 35 * 64))).toBe(0);
    expect(w[0]).toBeCloseTo(DETECTOR_FINE_TUNE_DEFAULTS.unlabelledWeight, 6);
  });
});

function classifierData(n: number) {
  const patches = new Float32Array(n * 64 * 64);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % 2;
    // Particles: a bright centre; background: flat noise-free grey.
    for (let y = 0; y < 64; y++)
      for (let x = 0; x < 64; x++) patches[i * 4096 + y * 64 + x] = labels[i] && Math.hypot(x - 32, y - 32) < 12 ? 1 : 0.3;
  }
  return { kind: 'classifier' as const, patches, labels, n };
}

describe('trainModel', () => {
  it('trains a copy of the active classifier, reports batches and epochs, and returns loadable files', async () => {
    const before = models.classifier!.getWeights().map((w) => w.dataSync().slice());
    const events: TrainingEvent[] = [];
    const r = await trainModel(classifierData(16), request(), models, (e) => events.push(e));
    expect(r.kind).toBe('classifier');
    expect(r.history).toHaveLength(1);
    expect(events.some((e) => e.type === 'batch' && e.samplesPerSecond > 0)).toBe(true);
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(1);
    expect(r.history[0].valLoss).not.toBeNull();
    expect(r.metadata).toMatchObject({ kind: 'classifier', workingRadius: models.fcrnMeta.workingRadius, patchSize: 64 });
    expect(r.metadata.trainingSummary).toMatchObject({ labels: 'test', init: 'active', epochs: 1, backend: 'wasm' });
    // A classifier has no noise level: nothing is measured for it.
    expect(r.metadata.noiseLevel).toBeUndefined();
    expect(events.some((e) => e.type === 'noise-level')).toBe(false);
    // The active model is untouched; the trained one differs from it.
    models.classifier!.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(before[i])));
    const trained = await modelFromFiles(r.modelJson, r.weights);
    const changed = trained.getWeights().some((w, i) => w.dataSync().some((v, j) => v !== before[i][j]));
    expect(changed).toBe(true);
    trained.dispose();
  });

  it('fine-tunes the detector from fresh weights or the active one', async () => {
    const truth = [
      { x: 120, y: 120 },
      { x: 250, y: 180 },
      { x: 320, y: 250 },
      { x: 200, y: 280 },
    ];
    const d = await detectorPatches(session, models, params, packXY(truth), 4, 2);
    const events: TrainingEvent[] = [];
    const r = await trainModel({ kind: 'detector', ...d }, request({ batchSize: 2 }), models, (e) => events.push(e));
    expect(r.kind).toBe('fcrn');
    expect(r.metadata).toMatchObject({
      kind: 'fcrn',
      workingRadius: models.fcrnMeta.workingRadius,
      inputSmoothing: models.fcrnMeta.inputSmoothing,
    });
    // Its noise level is measured after the epochs (with progress), and the model's files carry it:
    // without it per-micrograph calibration is off for the retrained detector.
    expect(r.metadata.noiseLevel).toEqual(expect.any(Number));
    expect(r.metadata.trainingSummary).toMatchObject({ noiseLevelSeconds: expect.any(Number) });
    const noise = events.filter((e) => e.type === 'noise-level');
    expect(noise.map((e) => e.fraction)).toEqual([0, 0.5, 1]);
    expect(events.slice(events.indexOf(noise[0])).some((e) => e.type === 'epoch')).toBe(false);
    const trained = await modelFromFiles(r.modelJson, r.weights);
    expect(readMetadata(trained).noiseLevel).toBe(r.metadata.noiseLevel);
    trained.dispose();
    const fresh = await trainModel({ kind: 'detector', ...d }, request({ batchSize: 2 }, 'fresh'), models);
    expect(fresh.metadata.trainingSummary).toMatchObject({ init: 'fresh' });
  });

  it('stops with CancelledError when its signal aborts', async () => {
    const ac = new AbortController();
    const run = trainModel(
      classifierData(32),
      request({ epochs: 3 }),
      models,
      (e) => {
        if (e.type === 'batch') ac.abort();
      },
      ac.signal,
    );
    await expect(run).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('loadModelSet', () => {
  const meta: ModelMetadata = { kind: 'classifier', workingRadius: 12, inputSmoothing: 0, patchSize: 64, created: '2026-01-01' };

  it('loads stored models through the reader, keeps unchanged ones, and falls back to the shipped model with a note', async () => {
    const files = await modelToFiles(buildClassifier({ seed: 99 }), meta);
    const stored: StoredModelFiles = {
      kind: 'classifier',
      name: 'mine',
      modelJson: files.modelJson,
      weights: files.weights.slice().buffer,
    };
    const read = async (id: string) => (id === 'c1' ? stored : undefined);
    const server = await serveDir(dir);
    try {
      const set = await loadModelSet(server.url, { fcrn: SHIPPED_MODEL, classifier: 'c1' }, read);
      expect(set.ids).toEqual({ fcrn: SHIPPED_MODEL, classifier: 'c1' });
      expect(set.notes).toEqual([]);
      const x = tf.randomUniform([1, 64, 64, 1]);
      const expected = (await modelFromFiles(files.modelJson, files.weights.slice().buffer)).predict(x) as tf.Tensor;
      expect(Array.from((set.models.classifier!.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from(expected.dataSync()));

      const again = await loadModelSet(server.url, { fcrn: SHIPPED_MODEL, classifier: SHIPPED_MODEL }, read, {
        models: set.models,
        ids: set.ids,
      });
      expect(again.models.fcrn).toBe(set.models.fcrn);
      expect(again.models.classifier).not.toBe(set.models.classifier);

      const gone = await loadModelSet(server.url, { fcrn: 'f-deleted', classifier: 'c1' }, read);
      expect(gone.ids).toEqual({ fcrn: SHIPPED_MODEL, classifier: 'c1' });
      expect(gone.notes.join()).toMatch(/stored fcrn f-deleted could not be loaded \(it is no longer in the model library\)/);

      const wrongKind = await loadModelSet(server.url, { fcrn: 'c1', classifier: SHIPPED_MODEL }, read);
      expect(wrongKind.ids.fcrn).toBe(SHIPPED_MODEL);
      expect(wrongKind.notes.join()).toMatch(/it is a classifier model, not a fcrn/);

      // A refused model, and the half of a set that loaded when the other failed, are freed.
      const tensors = tf.memory().numTensors;
      const refused = await loadModelSet(server.url, { fcrn: 'c1', classifier: SHIPPED_MODEL }, read);
      expect(tf.memory().numTensors - tensors).toBe(refused.models.fcrn.weights.length + refused.models.classifier!.weights.length);
      for (const m of [refused.models.fcrn, refused.models.classifier!]) m.dispose();
      const before = tf.memory().numTensors;
      await expect(loadModelSet(`${server.url}missing/`, { fcrn: 'c1', classifier: 'c1' }, read)).rejects.toThrow();
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await server.close();
    }
  });
});

describe('PickSession with switched models', () => {
  it('re-classifies with a new classifier and re-detects with a new detector of the same name', async () => {
    const s = new PickSession('switch', session.micrograph);
    const p = { ...params, cutoff: 1 };
    await s.runDetector(models, p);
    const a = (await s.repick(models, p)).picks.map((x) => x.pParticle);
    const other = { ...models, classifier: buildClassifier({ seed: 1234 }) };
    const b = (await s.repick(other, p)).picks.map((x) => x.pParticle);
    expect(a.length).toBeGreaterThan(0);
    expect(b).not.toEqual(a);
    const files = await modelToFiles(models.fcrn, models.fcrnMeta);
    const fcrn2 = await modelFromFiles(files.modelJson, files.weights.slice().buffer);
    expect(fcrn2.name).toBe(models.fcrn.name);
    const det = await s.runDetector({ ...models, fcrn: fcrn2 }, p);
    expect(det.timings.fcrn).toBeGreaterThanOrEqual(0); // the detector ran again
    expect((await s.runDetector({ ...models, fcrn: fcrn2 }, p)).timings.fcrn).toBeUndefined(); // and kept its map
  });
});
