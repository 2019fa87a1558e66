// `drpnet train-detector` and `drpnet train-classifier`: train either network on the user's
// micrographs (ground truth matched by micrograph name, or none for the paper's unsupervised
// classifier labels) and write it in the tfjs layers format the CLI and the browser load.
// Defaults are the paper's (docs/method.md, "Training"). A bad micrograph or truth file is
// reported and skipped; the exit status is non-zero when nothing could be trained.
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { MODEL_FILE, TRAINING_FILE, WEIGHTS_FILE } from '../core/model/file-names';
import { coordinateExtensionList } from '../core/coords';
import { micrographMatchKey } from '../core/coords/names';
import { DrpnetError } from '../core/errors';
import { decodeMicrograph } from '../core/io/micrograph';
import type { BackendChoice } from '../core/model/backend';
import { buildClassifier } from '../core/model/classifier';
import { buildFcrn } from '../core/model/fcrn';
import { classifierBoxRadii, readMetadata, type ModelKind, type ModelMetadata } from '../core/model/model-io';
import { loadModelFromDir, saveModelToDir } from './model-io-node';
import { DEFAULT_PICK_PARAMS } from '../core/params';
import type { Models } from '../core/pipeline';
import { labelFromTruth, type SampleChoice } from '../core/train/classifier-samples';
import { DEFAULT_CLASSIFIER_TRAINING, trainClassifier } from '../core/train/train-classifier';
import { DEFAULT_DETECTOR_TRAINING, trainDetector } from '../core/train/train-detector';
import { FCRN_WORKING_RADIUS, type TrainingMicrograph } from '../core/train/training-micrograph';
import {
  batchLogger,
  classifierMetadata,
  ClassifierSetBuilder,
  countLabels,
  detectorMetadata,
  DetectorSetBuilder,
  epochLine,
  historySummary,
  type Log,
} from '../core/train/training-run';
import { labelUnsupervised, UNSUPERVISED_DEFAULTS } from '../core/train/unsupervised';
import { numberOption, parse, pathOption, UsageError, wholeFrom } from './args';
import {
  ANGSTROM_OPTION_TYPES,
  describeDiameter,
  diameterFromOptions,
  diameterHelp,
  micrographPixels,
  type DiameterSetting,
} from './diameter-options';
import { trainOptionFlags, trainOptionFromValue, trainOptionHelp } from './train-option-flags';
import { TRAIN_OPTION_KEYS, type TrainOptionKey, type TrainOptionValues } from '../core/train/train-options';
import { COORDINATE_SOURCES_SHORT, readCoordinateFolder, unusedTruthMessage, type FolderContents } from './coordinate-folder';
import { measureNoiseLevel, NOISE_LEVEL_MICROGRAPHS } from '../core/train/noise-level';
import { insideMicrograph, outsideMessage } from '../core/coords/bounds';
import { checkWritableFolder, readArrayBuffer, trainingInputs, writeFileAtomic } from './files';
import { paramFromOption, paramHelp, paramOptions } from './param-options';
import { describeBackend, loadModels, startBackend } from './models';

const BACKENDS: readonly BackendChoice[] = ['wasm', 'cpu'];
/** Supervised candidates are searched loosely (threshold 2), as the shipped classifier's were. */
const SUPERVISED_PEAKS = { threshold: 2 };
const D = DEFAULT_DETECTOR_TRAINING;
const C = DEFAULT_CLASSIFIER_TRAINING;

const COMMON_HELP = `  --micrographs PATH   micrograph file or folder (repeat, or list several after the options)
${diameterHelp()}
  --out DIR            output folder: ${MODEL_FILE}, ${WEIGHTS_FILE}, ${TRAINING_FILE} (required)
${paramHelp(['negativeStain'])}
${trainOptionHelp(['validationFraction', 'seed'], D)}
  --progress-every N   print the loss every N batches (default 20)
  --backend B          ${BACKENDS.join('|')} (default wasm)`;

/** The options whose defaults differ between the two networks. */
const PER_NETWORK: readonly TrainOptionKey[] = ['epochs', 'batchSize', 'learningRate', 'lrDecay'];

const DETECTOR_HELP = `usage: drpnet train-detector --micrographs DIR|FILES --truth DIR --diameter PX|--diameter-angstrom A --out DIR [options]

  --truth DIR          ground-truth coordinates (${coordinateExtensionList()}), matched by name:
                       ${COORDINATE_SOURCES_SHORT}
${COMMON_HELP}
${trainOptionHelp(PER_NETWORK, D)}
  --init MODEL_DIR     fine-tune an existing detector (e.g. public/models/fcrn) instead of starting afresh
  --per-micrograph N   at most N particle patches per micrograph (default: every particle)`;

const CLASSIFIER_HELP = `usage: drpnet train-classifier --micrographs DIR|FILES --diameter PX|--diameter-angstrom A --out DIR
         (--truth DIR | --unsupervised) [options]

  --truth DIR          supervised: candidates near truth are particles, far from it background
  --unsupervised       the paper's labels from the detector alone: strict-level candidates with a
                       high patch std are particles; loose-level candidates away from them and
                       low-std random patches are background; classes balanced
${COMMON_HELP}
  --detector DIR       detector model that finds the candidates (default public/models/fcrn)
  --threshold T        peak threshold, as picking's; unsupervised levels use T, 2T, 3T
                       (default ${DEFAULT_PICK_PARAMS.threshold}; supervised ${SUPERVISED_PEAKS.threshold})
${paramHelp(['sigma'])}
  --strict-level K     unsupervised: level of the particles, 2 or 3 (default ${UNSUPERVISED_DEFAULTS.strictLevel})
${trainOptionHelp(PER_NETWORK, C)}
  --init MODEL_DIR     continue from an existing classifier instead of starting afresh`;

const COMMON_OPTIONS = {
  micrographs: { type: 'string', multiple: true },
  ...paramOptions(['diameter', 'negativeStain']),
  ...ANGSTROM_OPTION_TYPES,
  out: { type: 'string' },
  truth: { type: 'string' },
  ...trainOptionFlags(TRAIN_OPTION_KEYS),
  init: { type: 'string' },
  'progress-every': { type: 'string' },
  backend: { type: 'string' },
} as const;

const log: Log = (line) => process.stderr.write(line + '\n');

function failure(e: unknown, file: string): string {
  if (e instanceof DrpnetError) return e.file ? e.message : `${file}: ${e.message}`;
  return `${file}: ${(e as Error).message}`;
}

/** Writes model.json + weights.bin with our metadata, and training.json with its training summary. */
export async function saveTrainedModel(model: tf.LayersModel, dir: string, meta: ModelMetadata): Promise<void> {
  await saveModelToDir(model, dir, meta);
  await writeFileAtomic(path.join(dir, TRAINING_FILE), JSON.stringify(meta.trainingSummary ?? {}, null, 2) + '\n');
}

/** Ground truth of every coordinate file in `dir`, by micrograph key, one file per micrograph
 * (coordinate-folder.ts); unreadable files, and files of no micrograph given, are reported and skipped. */
async function readTruthFolder(dir: string, micrographs: readonly string[]): Promise<FolderContents> {
  const truth = await readCoordinateFolder(dir, { label: '--truth', micrographs });
  for (const w of truth.warnings) log(`warning: ${w}`);
  for (const f of truth.failed) log(`skipped truth file ${f}`);
  const unused = unusedTruthMessage(truth, micrographs, `--truth ${dir}`);
  if (unused) log(`warning: ${unused}`);
  return truth;
}

interface CommonArgs {
  files: string[];
  /** In pixels for every micrograph, or in Å for each to convert (micrographPixels). */
  diameter: DiameterSetting;
  out: string;
  negativeStain: boolean;
  /** The training options given on the command line (each network's defaults fill the rest). */
  given: Partial<TrainOptionValues>;
  seed: number;
  init?: string;
  truth?: string;
  progressEvery: number;
  backend: BackendChoice;
}

type Values = Record<string, string | boolean | string[] | undefined>;

async function commonArgs(v: Values, positionals: string[], help: string): Promise<CommonArgs> {
  const diameter = diameterFromOptions(v, help);
  const out = pathOption(typeof v.out === 'string' ? v.out : undefined, 'out');
  if (out === undefined) throw new UsageError(`--out is required\n${help}`);
  const inputs = [...((v.micrographs as string[] | undefined) ?? []), ...positionals];
  if (!inputs.length) throw new UsageError(`no micrographs given (--micrographs DIR|FILES)\n${help}`);
  const files = await trainingInputs(inputs, log);
  const backend = (v.backend ?? 'wasm') as BackendChoice;
  if (!BACKENDS.includes(backend)) throw new UsageError(`--backend: unknown backend '${String(backend)}' (use ${BACKENDS.join(', ')})`);
  const given: Partial<TrainOptionValues> = {};
  for (const k of TRAIN_OPTION_KEYS) {
    const x = trainOptionFromValue(v, k);
    if (x !== undefined) given[k] = x;
  }
  return {
    files,
    diameter,
    out,
    negativeStain: paramFromOption(v, 'negativeStain') ?? DEFAULT_PICK_PARAMS.negativeStain,
    given,
    seed: given.seed ?? D.seed,
    init: typeof v.init === 'string' ? v.init : undefined,
    truth: typeof v.truth === 'string' ? v.truth : undefined,
    progressEvery: numberOption(v['progress-every'], 'progress-every', wholeFrom(1)) ?? 20,
    backend,
  };
}

/** A model to continue training, checked to be of the expected kind. */
async function loadInitModel(dir: string, kind: ModelKind): Promise<{ model: tf.LayersModel; meta: ModelMetadata }> {
  const model = await loadModelFromDir(dir);
  const meta = readMetadata(model, path.join(dir, MODEL_FILE));
  if (meta.kind !== kind) throw new UsageError(`--init ${dir}: that is a ${meta.kind} model, not a ${kind}`);
  return { model, meta };
}

/**
 * Reads each micrograph and hands it to `use`; failures (unreadable file, no truth when truth
 * is needed, a diameter the image cannot take) are reported and skipped.
 */
async function forEachMicrograph(
  a: CommonArgs,
  truth: FolderContents | undefined,
  use: (m: TrainingMicrograph, index: number) => Promise<string>,
): Promise<string[]> {
  const skipped: string[] = [];
  for (let i = 0; i < a.files.length; i++) {
    const file = a.files[i];
    const tag = `[${i + 1}/${a.files.length}]`;
    try {
      const t = truth?.picks.get(micrographMatchKey(file));
      if (truth && !t?.length) throw new DrpnetError('bad-coordinates', `no ground-truth picks for this micrograph in ${a.truth}`, file);
      const micrograph = await decodeMicrograph(await readArrayBuffer(file), file);
      const { width, height } = micrograph.image;
      const diameter = micrographPixels(a.diameter, micrograph.pixelSize, file);
      // Labels of another binning would teach the detector particles where there are none; a
      // radius past the edge lets through a particles STAR's recentred edge particles.
      const outside = t && outsideMessage(t, path.basename(file), width, height, diameter / 2);
      if (outside) throw new DrpnetError('bad-coordinates', outside, truth!.files.get(micrographMatchKey(file)));
      const inside = t && insideMicrograph(t, width, height);
      if (inside && !inside.length)
        throw new DrpnetError('bad-coordinates', `every ground-truth pick for this micrograph in ${a.truth} lies past its edge`, file);
      const m: TrainingMicrograph = {
        name: path.basename(file),
        image: micrograph.image,
        diameter,
        negativeStain: a.negativeStain,
        truth: inside,
      };
      const t0 = performance.now();
      const line = await use(m, i);
      const converted = a.diameter.px === undefined ? `, diameter ${m.diameter} px` : '';
      log(`${tag} ${file}: ${line}${converted} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      const why = failure(e, file);
      skipped.push(why);
      log(`${tag} SKIPPED ${why}`);
    }
  }
  return skipped;
}

function trainingOptions(a: CommonArgs, defaults: typeof D | typeof C): TrainOptionValues {
  const o = { ...defaults, ...a.given, seed: a.seed };
  return {
    epochs: o.epochs,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    lrDecay: o.lrDecay,
    validationFraction: o.validationFraction,
    seed: o.seed,
  };
}

interface RunFacts {
  command: string;
  micrographs: number;
  skipped: string[];
  backend: string;
  options: ReturnType<typeof trainingOptions>;
  history: Parameters<typeof historySummary>[0];
  started: number;
}

/** training.json: what was trained on and how (`specific` in the middle), and the history. */
function runSummary(a: CommonArgs, r: RunFacts, specific: Record<string, unknown>): Record<string, unknown> {
  return {
    command: r.command,
    micrographs: r.micrographs,
    skipped: r.skipped,
    diameter: a.diameter.px ?? null,
    ...(a.diameter.angstrom ? { diameterAngstrom: a.diameter.angstrom.diameter } : {}),
    negativeStain: a.negativeStain,
    ...specific,
    init: a.init ?? null,
    ...r.options,
    backend: r.backend,
    history: historySummary(r.history),
    trainingSeconds: Math.round((performance.now() - r.started) / 1000),
  };
}

async function finish(model: tf.LayersModel, out: string, meta: ModelMetadata): Promise<number> {
  await saveTrainedModel(model, out, meta);
  log(`saved ${out}; pick with it: drpnet pick ... --${meta.kind === 'fcrn' ? 'detector' : 'classifier'} ${out}`);
  return 0;
}

function startLine(what: string, a: CommonArgs, backend: string, init: string | undefined): string {
  return `drpnet ${what}: ${a.files.length} micrograph(s), diameter ${describeDiameter(a.diameter)}, backend ${backend}, ${init ? `from ${init}` : `fresh weights (seed ${a.seed})`}`;
}

export async function trainDetectorCommand(argv: string[]): Promise<number> {
  const args = parse(argv, { ...COMMON_OPTIONS, 'per-micrograph': { type: 'string' } }, DETECTOR_HELP);
  if (args.wantsHelp) {
    process.stdout.write(DETECTOR_HELP + '\n');
    return 0;
  }
  const a = await commonArgs(args.values, args.positionals, DETECTOR_HELP);
  if (!a.truth) throw new UsageError(`--truth is required\n${DETECTOR_HELP}`);
  const perMicrograph = numberOption(args.values['per-micrograph'], 'per-micrograph', wholeFrom(1));
  // Before training, not after: a folder that cannot be written would throw the trained model away.
  await checkWritableFolder(a.out);
  const backend = describeBackend(await startBackend(a.backend));
  const init = a.init ? await loadInitModel(a.init, 'fcrn') : undefined;
  const refRadius = init?.meta.workingRadius ?? FCRN_WORKING_RADIUS;
  log(startLine('train-detector', a, backend, a.init));
  const truth = await readTruthFolder(a.truth, a.files);

  // The user's labels near the edge count too (their patches are moved inside the micrograph).
  const set = new DetectorSetBuilder({ perMicrograph, refRadius, border: 'shift' });
  const skipped = await forEachMicrograph(a, truth, async (m, i) => {
    const r = await set.add(m, a.seed + i);
    return `${r.particles} particles, ${r.patches} patches at working radius ${r.radius}`;
  });
  if (!set.patches) {
    log('drpnet train-detector: no training patches (every micrograph was skipped or had no particle inside); nothing trained');
    return 1;
  }
  const data = set.build();
  log(
    `training set: ${data.n} patches of ${data.size}x${data.size} from ${set.micrographs} micrograph(s); by working radius ${JSON.stringify(set.radii)}`,
  );

  const model = init?.model ?? buildFcrn({ seed: a.seed });
  const opts = trainingOptions(a, D);
  const t0 = performance.now();
  const { history } = await trainDetector(model, data, {
    ...opts,
    onBatch: batchLogger(a.progressEvery, log),
    onEpoch: (e) => log(`detector ${epochLine(e)}`),
  });
  const run: RunFacts = {
    command: 'drpnet train-detector',
    micrographs: set.micrographs,
    skipped,
    backend,
    options: opts,
    history,
    started: t0,
  };
  const meta = detectorMetadata(
    refRadius,
    data.size,
    runSummary(a, run, {
      particles: set.particles,
      patches: data.n,
      patchesByWorkingRadius: set.radii,
      perMicrograph: perMicrograph ?? 'all',
      loss: 'MSE on labels scaled to peak 1',
    }),
  );
  // Without it, per-micrograph calibration (calibrate.ts) cannot run, and on data unlike the
  // classifier's a pick keeps a handful of particles where hundreds are.
  const tNoise = performance.now();
  meta.noiseLevel = await measureNoiseLevel({ fcrn: model, fcrnMeta: meta });
  log(
    `noise level ${meta.noiseLevel} (the median output at candidates on ${NOISE_LEVEL_MICROGRAPHS} simulated empty micrographs, for per-micrograph calibration), ${((performance.now() - tNoise) / 1000).toFixed(0)} s`,
  );
  return finish(model, a.out, meta);
}

export async function trainClassifierCommand(argv: string[]): Promise<number> {
  const args = parse(
    argv,
    {
      ...COMMON_OPTIONS,
      unsupervised: { type: 'boolean' },
      detector: { type: 'string' },
      ...paramOptions(['threshold', 'sigma']),
      'strict-level': { type: 'string' },
    },
    CLASSIFIER_HELP,
  );
  if (args.wantsHelp) {
    process.stdout.write(CLASSIFIER_HELP + '\n');
    return 0;
  }
  const v = args.values;
  const a = await commonArgs(v, args.positionals, CLASSIFIER_HELP);
  const unsupervised = Boolean(v.unsupervised);
  if (unsupervised === Boolean(a.truth)) throw new UsageError(`give exactly one of --truth DIR and --unsupervised\n${CLASSIFIER_HELP}`);
  if (!unsupervised && v['strict-level'] !== undefined)
    throw new UsageError('--strict-level goes with --unsupervised: with --truth the labels say which candidates are particles');
  const sigma = paramFromOption(v, 'sigma') ?? DEFAULT_PICK_PARAMS.sigma;
  const threshold = paramFromOption(v, 'threshold') ?? (unsupervised ? DEFAULT_PICK_PARAMS.threshold : SUPERVISED_PEAKS.threshold);
  const strictLevel =
    numberOption(v['strict-level'], 'strict-level', { test: (x) => x === 2 || x === 3, says: '2 or 3' }) ??
    UNSUPERVISED_DEFAULTS.strictLevel;
  await checkWritableFolder(a.out);
  const backend = describeBackend(await startBackend(a.backend));
  const models: Models = await loadModels({ detector: v.detector, withClassifier: false });
  const init = a.init ? await loadInitModel(a.init, 'classifier') : undefined;
  log(startLine('train-classifier', a, backend, a.init));
  log(
    unsupervised
      ? `unsupervised labels: threshold ${threshold} (levels ${threshold}, ${2 * threshold}, ${3 * threshold}), sigma ${sigma}, particles at level ${strictLevel}`
      : `labels from truth in ${a.truth}: candidates at threshold ${threshold}, sigma ${sigma}`,
  );
  const truth = a.truth ? await readTruthFolder(a.truth, a.files) : undefined;

  // Patches are cut with the box of the classifier being trained: --init's, or the default.
  const boxRadii = classifierBoxRadii(init?.model);
  const set = new ClassifierSetBuilder(boxRadii);
  const skipped = await forEachMicrograph(a, truth, async (m, i) => {
    const seed = a.seed + i;
    const choice: SampleChoice = unsupervised
      ? await labelUnsupervised(m, models, { sigma, threshold, strictLevel, seed })
      : await labelFromTruth(m, models, { peaks: { sigma, threshold, kLevel: 1 }, seed });
    const c = set.add(choice);
    return `${choice.candidates} candidates; ${c.particles} particle / ${c.background} background samples`;
  });
  // Unsupervised: the larger class is cut to the smaller's size, as in the paper; supervised
  // sets keep every sample and the trainer oversamples the minority class.
  const data = set.build(unsupervised ? a.seed : undefined);
  const counts = countLabels(data.labels);
  log(
    `training set: ${data.n} patches, ${counts.particles} particle / ${counts.background} background, from ${set.micrographs} micrograph(s); samples by reason ${JSON.stringify(set.byReason)}`,
  );
  if (!counts.particles || !counts.background) {
    log('drpnet train-classifier: the samples hold only one class (or none); nothing trained');
    return 1;
  }

  const model = init?.model ?? buildClassifier({ seed: a.seed });
  const opts = trainingOptions(a, C);
  const t0 = performance.now();
  const { history } = await trainClassifier(model, data, {
    ...opts,
    balance: true,
    onBatch: batchLogger(a.progressEvery, log),
    onEpoch: (e) => log(`classifier ${epochLine(e)}`),
  });
  if (init && init.meta.workingRadius !== models.fcrnMeta.workingRadius) {
    log(
      `note: --init had working radius ${init.meta.workingRadius}; the new model takes the detector's (${models.fcrnMeta.workingRadius}), the scale its patches were cut at`,
    );
  }
  const run: RunFacts = {
    command: 'drpnet train-classifier',
    micrographs: set.micrographs,
    skipped,
    backend,
    options: opts,
    history,
    started: t0,
  };
  return finish(
    model,
    a.out,
    classifierMetadata(
      models.fcrnMeta.workingRadius,
      runSummary(a, run, {
        labels: unsupervised ? 'unsupervised' : 'truth',
        detector: v.detector ?? 'public/models/fcrn',
        peaks: { sigma, threshold, ...(unsupervised ? { strictLevel } : { kLevel: 1 }) },
        detectorCandidates: set.candidates,
        samplesChosenByReason: set.byReason,
        balanced: unsupervised ? 'larger class cut to the smaller class' : false,
        patches: data.n,
        particlePatches: counts.particles,
        backgroundPatches: counts.background,
        loss: unsupervised ? 'categorical cross-entropy' : 'categorical cross-entropy, minority class oversampled',
      }),
      boxRadii,
    ),
  );
}
