// `npm run train`: regenerates the shipped models (public/models/fcrn, public/models/classifier)
// from scratch, on simulated micrographs only (docs/simulator.md), deterministically from the
// seeds below. Defaults are the settings the shipped models were made with.
//
//   npx tsx scripts/train.ts [--out public/models] [--only fcrn|classifier|noise-level]
//        [--fcrn-micrographs N] [--fcrn-epochs N] [--per-micrograph N]
//        [--cls-micrographs N] [--cls-epochs N] [--recipe narrow|wide] [--measure]
//
// --recipe picks the simulated ranges (src/core/train/dataset.ts): 'narrow' made the shipped
// models; 'wide' was tried for real micrographs and not shipped (docs/method.md).
// --measure trains a few batches of each network and prints samples/s, to size a run.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { saveTrainedModel } from '../src/cli/train';
import { keepMetrics, modelCard } from './model-card';
import { measureNoiseLevel, NOISE_LEVEL_MICROGRAPHS } from '../src/core/train/noise-level';
import { initBackend } from '../src/core/model/backend';
import { buildClassifier } from '../src/core/model/classifier';
import { buildFcrn } from '../src/core/model/fcrn';
import { loadModelFromDir } from '../src/cli/model-io-node';
import { readMetadata, type ModelMetadata } from '../src/core/model/model-io';
import { labelFromTruth } from '../src/core/train/classifier-samples';
import {
  FCRN_WORKING_RADIUS,
  simTrainingMicrograph,
  simulateTraining,
  RECIPE_NAMES,
  recipeKinds,
  trainingSimConfigs,
  TRAINING_RANGES,
  TRAINING_SEED_BASE,
  type RecipeName,
  type RecipeRanges,
  type ClassifierSet,
} from '../src/core/train/dataset';
import type { DetectorSamples } from '../src/core/train/batches';
import { trainClassifier } from '../src/core/train/train-classifier';
import { trainDetector } from '../src/core/train/train-detector';
import {
  batchLogger,
  classifierMetadata,
  ClassifierSetBuilder,
  countLabels,
  detectorMetadata,
  DetectorSetBuilder,
  epochLine,
  historySummary,
} from '../src/core/train/training-run';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The settings the shipped models are made with. */
export const TRAIN_DEFAULTS = {
  fcrnMicrographs: 96,
  perMicrograph: 40,
  backgroundPerMicrograph: 12,
  fcrnEpochs: 4,
  fcrnLearningRate: 1e-3,
  fcrnLrDecay: 0.5,
  clsMicrographs: 48,
  clsEpochs: 5,
  clsLearningRate: 5e-4,
  clsLrDecay: 0.7,
  seed: 7,
  recipe: 'narrow' as RecipeName,
};

interface Args {
  out: string;
  only?: 'fcrn' | 'classifier' | 'noise-level';
  fcrnMicrographs: number;
  fcrnEpochs: number;
  perMicrograph: number;
  clsMicrographs: number;
  clsEpochs: number;
  recipe: RecipeName;
  measure: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    out: join(root, 'public/models'),
    fcrnMicrographs: TRAIN_DEFAULTS.fcrnMicrographs,
    fcrnEpochs: TRAIN_DEFAULTS.fcrnEpochs,
    perMicrograph: TRAIN_DEFAULTS.perMicrograph,
    clsMicrographs: TRAIN_DEFAULTS.clsMicrographs,
    clsEpochs: TRAIN_DEFAULTS.clsEpochs,
    recipe: TRAIN_DEFAULTS.recipe,
    measure: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = argv[i + 1];
    const num = () => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error(`${k} needs a whole number >= 1, got ${v}`);
      i++;
      return n;
    };
    if (k === '--out') ((a.out = resolve(v)), i++);
    else if (k === '--only') {
      if (v !== 'fcrn' && v !== 'classifier' && v !== 'noise-level')
        throw new Error(`--only must be fcrn, classifier or noise-level, got ${v}`);
      a.only = v;
      i++;
    } else if (k === '--fcrn-micrographs') a.fcrnMicrographs = num();
    else if (k === '--fcrn-epochs') a.fcrnEpochs = num();
    else if (k === '--per-micrograph') a.perMicrograph = num();
    else if (k === '--cls-micrographs') a.clsMicrographs = num();
    else if (k === '--cls-epochs') a.clsEpochs = num();
    else if (k === '--recipe') {
      if (!RECIPE_NAMES.includes(v as RecipeName)) throw new Error(`--recipe must be ${RECIPE_NAMES.join(' or ')}, got ${v}`);
      a.recipe = v as RecipeName;
      i++;
    } else if (k === '--measure') a.measure = true;
    else throw new Error(`unknown option ${k}`);
  }
  return a;
}

const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)}s`;
const log = (msg: string) => console.log(`[${elapsed()}] ${msg}`);

async function buildDetectorSet(
  recipe: RecipeName,
  count: number,
  perMicrograph: number,
): Promise<{ data: DetectorSamples; radii: Record<number, number>; particles: number }> {
  const configs = trainingSimConfigs({ name: recipe, count, seedOffset: 0 });
  const set = new DetectorSetBuilder({ perMicrograph, backgroundPerMicrograph: TRAIN_DEFAULTS.backgroundPerMicrograph });
  for (const [i, cfg] of configs.entries()) {
    await set.add(simTrainingMicrograph(simulateTraining(cfg)), cfg.seed);
    if ((i + 1) % 16 === 0 || i + 1 === count) log(`detector data: ${i + 1}/${count} micrographs, ${set.patches} patches`);
  }
  return { data: set.build(), radii: set.radii, particles: set.particles };
}

async function trainFcrn(args: Args): Promise<{ model: tf.LayersModel; meta: ModelMetadata }> {
  log(`building detector training set from ${args.fcrnMicrographs} simulated micrographs`);
  const { data, radii, particles } = await buildDetectorSet(args.recipe, args.fcrnMicrographs, args.perMicrograph);
  log(`detector set: ${data.n} patches of ${data.size}x${data.size}; by working radius: ${JSON.stringify(radii)}`);
  const model = buildFcrn({ seed: TRAIN_DEFAULTS.seed });
  // The recipe goes into the training call and, as it is, into the model card.
  const recipe = {
    epochs: args.fcrnEpochs,
    batchSize: 16,
    learningRate: TRAIN_DEFAULTS.fcrnLearningRate,
    lrDecay: TRAIN_DEFAULTS.fcrnLrDecay,
  };
  const tTrain = performance.now();
  const { history } = await trainDetector(model, data, {
    ...recipe,
    validationFraction: 0.1,
    seed: TRAIN_DEFAULTS.seed,
    onBatch: batchLogger(50, log),
    onEpoch: (e) => log(`FCRN ${epochLine(e)}`),
  });
  const seconds = (performance.now() - tTrain) / 1000;
  const { detectorKinds: _, ...detectorRanges }: RecipeRanges = TRAINING_RANGES[args.recipe];
  const meta = detectorMetadata(FCRN_WORKING_RADIUS, data.size, {
    micrographs: args.fcrnMicrographs,
    micrographSize: 1024,
    visibleParticles: particles,
    patches: data.n,
    patchesByWorkingRadius: radii,
    recipe: args.recipe,
    ...detectorRanges,
    kinds: recipeKinds(args.recipe, 'detector'),
    seeds: `${TRAINING_SEED_BASE}..${TRAINING_SEED_BASE + args.fcrnMicrographs - 1}`,
    ...recipe,
    loss: 'MSE on labels scaled to peak 1',
    history: historySummary(history),
    trainingSeconds: Math.round(seconds),
  });
  return { model, meta };
}

/** Classifier micrographs use their own seeds (offset 50,000) so they differ from the detector's. */
const CLASSIFIER_SEED_OFFSET = 50_000;

async function buildClassifierSet(
  recipe: RecipeName,
  count: number,
  fcrn: tf.LayersModel,
  fcrnMeta: ModelMetadata,
): Promise<{ set: ClassifierSet; candidates: number; positives: number }> {
  const configs = trainingSimConfigs({ name: recipe, count, seedOffset: CLASSIFIER_SEED_OFFSET, network: 'classifier' });
  const set = new ClassifierSetBuilder();
  for (let i = 0; i < configs.length; i++) {
    const sim = simulateTraining(configs[i]);
    set.add(await labelFromTruth(simTrainingMicrograph(sim), { fcrn, fcrnMeta }, { seed: configs[i].seed }));
    if ((i + 1) % 8 === 0 || i + 1 === count) log(`classifier data: ${i + 1}/${count} micrographs, ${set.patches} patches`);
  }
  return { set: set.build(), candidates: set.candidates, positives: set.byReason['near-truth'] ?? 0 };
}

async function trainCls(
  args: Args,
  fcrn: tf.LayersModel,
  fcrnMeta: ModelMetadata,
): Promise<{ model: tf.LayersModel; meta: ModelMetadata }> {
  log(`building classifier training set from ${args.clsMicrographs} simulated micrographs`);
  const { set, candidates, positives } = await buildClassifierSet(args.recipe, args.clsMicrographs, fcrn, fcrnMeta);
  const nPos = countLabels(set.labels).particles;
  log(
    `classifier set: ${set.n} patches, ${nPos} particle / ${set.n - nPos} background (${candidates} detector candidates, ${positives} matched truth)`,
  );
  const model = buildClassifier({ seed: TRAIN_DEFAULTS.seed });
  const recipe = {
    epochs: args.clsEpochs,
    batchSize: 16,
    learningRate: TRAIN_DEFAULTS.clsLearningRate,
    lrDecay: TRAIN_DEFAULTS.clsLrDecay,
  };
  const tTrain = performance.now();
  const { history } = await trainClassifier(model, set, {
    ...recipe,
    validationFraction: 0.1,
    balance: true,
    seed: TRAIN_DEFAULTS.seed,
    onBatch: batchLogger(100, log),
    onEpoch: (e) => log(`classifier ${epochLine(e)}`),
  });
  const seconds = (performance.now() - tTrain) / 1000;
  const meta = classifierMetadata(fcrnMeta.workingRadius, {
    micrographs: args.clsMicrographs,
    micrographSize: 1024,
    seeds: `${TRAINING_SEED_BASE + CLASSIFIER_SEED_OFFSET}..${TRAINING_SEED_BASE + CLASSIFIER_SEED_OFFSET + args.clsMicrographs - 1}`,
    recipe: args.recipe,
    kinds: recipeKinds(args.recipe, 'classifier'),
    patches: set.n,
    particlePatches: nPos,
    backgroundPatches: set.n - nPos,
    detectorCandidates: candidates,
    ...recipe,
    loss: 'categorical cross-entropy, minority class oversampled',
    history: historySummary(history),
    trainingSeconds: Math.round(seconds),
  });
  return { model, meta };
}

/** Trains a few batches of each network on random data and prints the throughput. */
async function measure(): Promise<void> {
  for (const [name, model, size, batch] of [
    ['FCRN', buildFcrn(), 64, 16],
    ['classifier', buildClassifier(), 64, 16],
  ] as const) {
    const n = batch * 6;
    const per = size * size;
    const inputs = Float32Array.from({ length: n * per }, (_, i) => Math.sin(i * 0.37));
    const t = performance.now();
    if (name === 'FCRN') {
      await trainDetector(
        model,
        { inputs, labels: inputs.map((v) => Math.max(0, v)), n, size },
        { epochs: 1, batchSize: batch, validationFraction: 0 },
      );
    } else {
      await trainClassifier(
        model,
        { patches: inputs, labels: Array.from({ length: n }, (_, i) => i % 2), n },
        { epochs: 1, batchSize: batch, validationFraction: 0 },
      );
    }
    log(`${name}: ${((n * 1000) / (performance.now() - t)).toFixed(1)} samples/s (batch ${batch}, ${size}x${size})`);
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const backend = await initBackend('wasm');
  log(`backend ${backend.backend} (${backend.threads ?? 1} thread(s)), tfjs ${tf.version.tfjs}`);
  if (args.measure) return measure();
  mkdirSync(args.out, { recursive: true });
  const fcrnDir = join(args.out, 'fcrn');
  const clsDir = join(args.out, 'classifier');
  let fcrn: tf.LayersModel;
  let fcrnMeta: ModelMetadata;
  if (args.only === 'classifier' || args.only === 'noise-level') {
    fcrn = await loadModelFromDir(fcrnDir);
    fcrnMeta = readMetadata(fcrn, fcrnDir);
    log(`using the detector in ${fcrnDir}`);
  } else {
    ({ model: fcrn, meta: fcrnMeta } = await trainFcrn(args));
  }
  if (args.only !== 'classifier') {
    // What the detector gives on micrographs without particles (calibrate.ts); stored with it.
    log(`measuring the detector's noise level on ${NOISE_LEVEL_MICROGRAPHS} empty micrographs`);
    fcrnMeta = { ...fcrnMeta, noiseLevel: await measureNoiseLevel({ fcrn, fcrnMeta }) };
    log(`noise level ${fcrnMeta.noiseLevel}`);
    await saveTrainedModel(fcrn, fcrnDir, fcrnMeta);
    const cardFile = join(fcrnDir, 'MODEL_CARD.md');
    const card = modelCard(fcrnMeta);
    // Measuring the noise level alone leaves the weights, and so their held-out metrics, as they were.
    writeFileSync(cardFile, args.only === 'noise-level' && existsSync(cardFile) ? keepMetrics(card, readFileSync(cardFile, 'utf8')) : card);
    log(`saved ${fcrnDir}`);
  }
  if (args.only !== 'fcrn' && args.only !== 'noise-level') {
    const { model, meta } = await trainCls(args, fcrn, fcrnMeta);
    await saveTrainedModel(model, clsDir, meta);
    writeFileSync(join(clsDir, 'MODEL_CARD.md'), modelCard(meta));
    log(`saved ${clsDir}`);
  }
  log('done; run `npx tsx scripts/evaluate.ts` to measure the models on held-out micrographs');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
