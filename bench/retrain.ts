// Retraining benchmark (issue 6): on held-out simulated datasets with carbon edges and with ice
// contamination (scripts/heldout.ts conditions and test seeds), precision, recall and F1 of
//   1. the shipped models,
//   2. the shipped detector + the classifier retrained by the paper's unsupervised method,
//   3. the detector fine-tuned from N picks (truth standing in for a user's accepted picks)
//      + the shipped classifier, and + a classifier retrained unsupervised on its candidates,
//   4. both detectors alone (no classifier), which isolates what the fine-tuning changed,
//   5. `drpnet fine-tune --unsupervised` (self-training, src/core/train/adapt.ts) and
//      `drpnet fine-tune --truth` (truth of the adapting half standing in for labels),
// through the same code the app runs in its worker (workers/training.ts) and the same sample
// selection (src/app/training/review.ts) and defaults (src/app/training/settings.ts).
// Each dataset is split: the first half of its micrographs adapts the models (unsupervised
// samples, or the picks), the second half is scored, so no scored micrograph was trained on.
//
//   npx tsx bench/retrain.ts [--quick] [--images N] [--size PX] [--picks N]
//       [--classifier-epochs N] [--detector-epochs N] [--max-per-class N] [--models DIR]
//       [--conditions carbon-edge,contamination|all] [--fine-tune-only | --supervised-only] [--seed S]
// bench/run.ts can call retrainBenchmark() and add its lines to docs/benchmarks.md.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Point } from '../src/core/candidates';
import { aggregate, type Counts } from '../src/core/metrics';
import { modelFromFiles, readMetadata } from '../src/core/model/model-io';
import { DEFAULT_PICK_PARAMS, type PickParams } from '../src/core/params';
import type { Micrograph as DecodedMicrograph } from '../src/core/io/micrograph';
import { PickSession, pickMicrograph, type Models } from '../src/core/pipeline';
import { truthPicks, type SimResult } from '../src/core/simulate/simulate';
import { concatClassifierSets, concatDetectorSamples, simDiameter, simMicrograph } from '../src/core/train/dataset';
import { detectorTruth, kept, packXY, reviewCounts, selectClassifierSamples, selectDetectorSamples } from '../src/app/training/review';
import { CLASSIFIER_DEFAULTS, DETECTOR_DEFAULTS, trainOptions } from '../src/app/training/settings';
import { loadModels, startBackend } from '../src/cli/models';
import { chooseClassifierSamples, classifierPatches, detectorPatches, trainModel } from '../workers/training';
import type { TrainResult } from '../workers/training-api';
import { CONDITIONS, scorableTruth, scoreInBand, simulateCondition, testSeed } from '../scripts/heldout';
import { adaptSupervised, adaptUnsupervised } from '../src/core/train/adapt';
import { describeSettings, modelSettings } from '../src/core/tuning';
import { machine } from './stats';

export interface RetrainBenchOptions {
  /** Micrographs per condition: the first half adapts, the rest is scored (at least 2). */
  images: number;
  /** Micrograph side, pixels. */
  size: number;
  /** Picks the detector is fine-tuned from. */
  picks: number;
  classifierEpochs: number;
  detectorEpochs: number;
  maxPerClass: number;
  /** Seed of `drpnet fine-tune`'s runs (its --seed): another seed shows how far its rows move. */
  seed: number;
  /** Folder with fcrn/ and classifier/ (default: public/models). */
  models?: string;
  /** Condition presets to run (default carbon-edge and contamination; 'all' for every condition of docs/quality.md). */
  conditions?: string[];
  /** Only the shipped models and `drpnet fine-tune`'s two modes (skips the workbench's retraining rows). */
  fineTuneOnly?: boolean;
  /** Only the shipped models and `drpnet fine-tune --truth` (also skips self-training). */
  supervisedOnly?: boolean;
  log?: (line: string) => void;
}

export const FULL: RetrainBenchOptions = {
  images: 10,
  size: 2048,
  picks: 200,
  classifierEpochs: CLASSIFIER_DEFAULTS.epochs,
  detectorEpochs: DETECTOR_DEFAULTS.epochs,
  maxPerClass: CLASSIFIER_DEFAULTS.maxPerClass,
  seed: 1,
};
export const QUICK: RetrainBenchOptions = {
  images: 2,
  size: 1024,
  picks: 200,
  classifierEpochs: 2,
  detectorEpochs: 2,
  maxPerClass: 300,
  seed: 1,
};

const BENCH_CONDITIONS = ['carbon-edge', 'contamination'] as const;

interface Micrograph {
  sim: SimResult;
  session: PickSession<DecodedMicrograph>;
  params: PickParams;
}

const pct = (v: number): string => (100 * v).toFixed(1);

function micrograph(sim: SimResult): Micrograph {
  return {
    sim,
    session: new PickSession(`seed ${sim.params.seed}`, simMicrograph(sim)),
    params: { ...DEFAULT_PICK_PARAMS, diameter: simDiameter(sim), negativeStain: sim.params.negativeStain },
  };
}

async function score(mics: readonly Micrograph[], models: Models, useClassifier = true): Promise<ReturnType<typeof aggregate>> {
  const counts: Counts[] = [];
  for (const m of mics) {
    // As `drpnet pick --models`: the settings the models carry (fine-tune's) replace the defaults.
    const out = await pickMicrograph(m.session, models, {
      ...modelSettings(models),
      diameter: m.params.diameter,
      negativeStain: m.params.negativeStain,
      useClassifier,
    });
    counts.push(scoreInBand(out.picks, m.sim, models.fcrnMeta.workingRadius));
  }
  return aggregate(counts);
}

async function asModel(r: TrainResult) {
  return modelFromFiles(r.modelJson, r.weights);
}

/** The app's unsupervised classifier run on the adaptation micrographs (no edits to the samples). */
async function retrainClassifier(mics: readonly Micrograph[], models: Models, o: RetrainBenchOptions) {
  const s = { ...CLASSIFIER_DEFAULTS, epochs: o.classifierEpochs, maxPerClass: o.maxPerClass };
  const byMic: Record<string, Awaited<ReturnType<typeof chooseClassifierSamples>>['samples']> = {};
  for (let i = 0; i < mics.length; i++)
    byMic[i] = (
      await chooseClassifierSamples(mics[i].session, models, mics[i].params, {
        strictLevel: s.strictLevel,
        lowStdCount: s.lowStdCount,
        seed: s.seed + i,
      })
    ).samples;
  const review = selectClassifierSamples(byMic, s.maxPerClass, s.seed);
  const sets = await Promise.all(
    mics.map(async (m, i) => {
      const k = kept(review[i]);
      return {
        patches: await classifierPatches(m.session, models, m.params, packXY(k)),
        labels: Uint8Array.from(k, (x) => x.label),
        n: k.length,
      };
    }),
  );
  const data = concatClassifierSets(sets);
  const r = await trainModel(
    { kind: 'classifier', ...data },
    { init: s.init, options: trainOptions(s), summary: { labels: 'unsupervised' } },
    models,
  );
  return { model: await asModel(r), result: r, counts: reviewCounts(review) };
}

/** The app's detector fine-tuning, the truth picks of the adaptation micrographs standing in for accepted picks. */
async function fineTuneDetector(mics: readonly Micrograph[], models: Models, o: RetrainBenchOptions) {
  const s = { ...DETECTOR_DEFAULTS, epochs: o.detectorEpochs, maxPicks: o.picks };
  const allPicks: Record<string, Point[]> = {};
  mics.forEach((m, i) => (allPicks[i] = truthPicks(m.sim).map((p) => ({ x: p.x, y: p.y }))));
  const review = selectDetectorSamples(allPicks, s.maxPicks, s.seed);
  const sets = await Promise.all(
    mics.map((m, i) => {
      const t = detectorTruth(review[i], allPicks[i], m.params.diameter);
      return detectorPatches(m.session, models, m.params, packXY(t.truth), Math.max(1, t.centres), s.seed + i);
    }),
  );
  const data = concatDetectorSamples(sets.filter((d) => d.n > 0));
  const r = await trainModel(
    { kind: 'detector', ...data },
    { init: s.init, options: trainOptions(s), summary: { labels: 'truth as accepted picks' } },
    models,
  );
  const fcrn = await asModel(r);
  return { models: { ...models, fcrn, fcrnMeta: readMetadata(fcrn) }, result: r, picks: reviewCounts(review).particles, patches: data.n };
}

function trainingNote(r: TrainResult): string {
  const last = r.history[r.history.length - 1];
  return `${r.history.length} epoch(s), ${r.seconds.toFixed(0)} s, ${last.samplesPerSecond.toFixed(1)} samples/s on ${r.backend}`;
}

/** The command line that reproduces a run with these options. */
function command(o: RetrainBenchOptions): string {
  const conditions = o.conditions ? ` --conditions ${o.conditions.join(',')}` : '';
  const only = o.supervisedOnly
    ? ' --supervised-only'
    : o.fineTuneOnly
      ? ' --fine-tune-only'
      : ` --picks ${o.picks} --classifier-epochs ${o.classifierEpochs} --detector-epochs ${o.detectorEpochs} --max-per-class ${o.maxPerClass}`;
  const seed = o.seed === 1 ? '' : ` --seed ${o.seed}`;
  return `npx tsx bench/retrain.ts --images ${o.images} --size ${o.size}${only}${conditions}${seed}`;
}

/** Runs the benchmark; returns markdown lines (a section for docs/benchmarks.md). */
export async function retrainBenchmark(o: RetrainBenchOptions): Promise<string[]> {
  const log = o.log ?? (() => {});
  if (o.images < 2) throw new Error('--images must be at least 2 (half adapt, half scored)');
  if (!Number.isInteger(o.seed)) throw new Error(`--seed must be a whole number, got ${o.seed}`);
  await startBackend('wasm');
  const shipped = await loadModels({ dir: o.models, withClassifier: true });
  const nAdapt = Math.ceil(o.images / 2);
  const lines = [
    `## Retraining on held-out simulated micrographs (${o.conditions?.join(', ') ?? BENCH_CONDITIONS.join(', ')})`,
    '',
    `Machine: ${machine()}. Command: \`${command(o)}\`.`,
    '',
    `Per condition ${o.images} simulated ${o.size}x${o.size} micrographs (scripts/heldout.ts test seeds): the first ${nAdapt} adapt the models, the other ${o.images - nAdapt} are scored.`,
    `Picking at the app's defaults (sigma ${DEFAULT_PICK_PARAMS.sigma}, threshold ${DEFAULT_PICK_PARAMS.threshold}, k ${DEFAULT_PICK_PARAMS.kLevel}, cutoff ${DEFAULT_PICK_PARAMS.cutoff}), or at the settings \`drpnet fine-tune\` wrote with the models; matching as in docs/quality.md (one particle radius, one-to-one).`,
    ...(o.fineTuneOnly || o.supervisedOnly
      ? []
      : [
          `Workbench classifier: the paper's unsupervised samples, classes balanced, at most ${o.maxPerClass} per class, continuing from the shipped classifier (lr ${CLASSIFIER_DEFAULTS.learningRate}, batch ${CLASSIFIER_DEFAULTS.batchSize}).`,
          `Workbench detector: up to ${o.picks} truth picks as patch centres (all the adapting micrographs hold when fewer; every truth particle of those micrographs in the labels), continuing from the shipped detector (lr ${DETECTOR_DEFAULTS.learningRate}, x${DETECTOR_DEFAULTS.lrDecay} per epoch, batch ${DETECTOR_DEFAULTS.batchSize}).`,
        ]),
    '`drpnet fine-tune` rows: its defaults (src/core/train/adapt.ts), on the adapting micrographs; `--truth` holds the last of them out and keeps the networks only if they pick that one at least as well, then chooses the pick settings on the others and keeps them only if they pick it better by at least half a point of F1 (SETTINGS_MARGIN); the scored micrographs are picked at the settings the models carry. Single-threaded wasm in Node.',
    '',
    '| condition | models | precision | recall | F1 | training |',
    '|---|---|---|---|---|---|',
  ];
  const wanted = o.conditions?.includes('all') ? CONDITIONS.map((c) => c.preset) : (o.conditions ?? BENCH_CONDITIONS);
  for (const preset of wanted) {
    const c = CONDITIONS.findIndex((x) => x.preset === preset || x.name === preset);
    if (c < 0) throw new Error(`--conditions: unknown condition '${preset}' (use ${CONDITIONS.map((x) => x.preset).join(', ')} or all)`);
    const mics = Array.from({ length: o.images }, (_, i) => micrograph(simulateCondition(CONDITIONS[c].preset, testSeed(c, i), o.size)));
    const [adapt, scored] = [mics.slice(0, nAdapt), mics.slice(nAdapt)];
    const name = CONDITIONS[c].name;
    const truthN = scored.reduce((s, m) => s + scorableTruth(m.sim, shipped.fcrnMeta.workingRadius).truth.length, 0);
    const row = (what: string, m: ReturnType<typeof aggregate>, note: string) => {
      lines.push(
        `| ${name} (${truthN} particles scored) | ${what} | ${pct(m.precision)} | ${pct(m.recall)} | **${pct(m.f1)}** | ${note} |`,
      );
      log(`${name}: ${what}: P ${pct(m.precision)} R ${pct(m.recall)} F1 ${pct(m.f1)} ${note}`);
    };
    row('shipped detector + classifier', await score(scored, shipped), '-');
    if (!o.fineTuneOnly && !o.supervisedOnly) await workbenchRows(adapt, scored, shipped, o, row);
    const base = { ...shipped, classifier: shipped.classifier! };
    const asTraining = (m: Micrograph, truth = false) => ({
      name: m.session.name,
      image: m.session.micrograph.image,
      diameter: m.params.diameter,
      negativeStain: m.params.negativeStain,
      truth: truth ? truthPicks(m.sim) : undefined,
    });
    if (!o.supervisedOnly) {
      const self = await adaptUnsupervised(
        base,
        adapt.map((m) => asTraining(m)),
        { seed: o.seed },
      );
      row('`drpnet fine-tune --unsupervised` (self-training)', await score(scored, self), `${self.seconds.toFixed(0)} s`);
    }
    const sup = await adaptSupervised(
      base,
      adapt.map((m) => asTraining(m, true)),
      { seed: o.seed },
    );
    row(
      '`drpnet fine-tune --truth` (truth of the adapting half as labels)',
      await score(scored, sup),
      `${sup.seconds.toFixed(0)} s, networks ${sup.adapted ? 'kept' : 'not kept (held-out check)'}, ${sup.settings?.kept ? `settings ${describeSettings(sup.settings.chosen)}` : 'settings not kept'}`,
    );
  }
  lines.push('');
  return lines;
}

type RowFn = (what: string, m: ReturnType<typeof aggregate>, note: string) => void;

/** The workbench's retraining runs: the paper's unsupervised classifier, the detector fine-tuned from picks, and both. */
async function workbenchRows(
  adapt: Micrograph[],
  scored: Micrograph[],
  shipped: Models,
  o: RetrainBenchOptions,
  row: RowFn,
): Promise<void> {
  const cls = await retrainClassifier(adapt, shipped, o);
  row(
    '+ classifier retrained, unsupervised',
    await score(scored, { ...shipped, classifier: cls.model }),
    `${cls.counts.particles} + ${cls.counts.background} patches, ${trainingNote(cls.result)}`,
  );

  const det = await fineTuneDetector(adapt, shipped, o);
  row(
    `detector fine-tuned from ${det.picks} picks + shipped classifier`,
    await score(scored, det.models),
    `${det.patches} patches, ${trainingNote(det.result)}`,
  );
  const both = await retrainClassifier(adapt, det.models, o);
  row(
    'fine-tuned detector + classifier retrained on it, unsupervised',
    await score(scored, { ...det.models, classifier: both.model }),
    `${both.counts.particles} + ${both.counts.background} patches, ${trainingNote(both.result)}`,
  );
  row('shipped detector alone (no classifier)', await score(scored, shipped, false), '-');
  row('fine-tuned detector alone (no classifier)', await score(scored, det.models, false), '-');
}

function parseArgs(argv: string[]): RetrainBenchOptions {
  const o: RetrainBenchOptions = { ...(argv.includes('--quick') ? QUICK : FULL) };
  const num: Record<string, keyof RetrainBenchOptions> = {
    '--images': 'images',
    '--size': 'size',
    '--picks': 'picks',
    '--classifier-epochs': 'classifierEpochs',
    '--detector-epochs': 'detectorEpochs',
    '--max-per-class': 'maxPerClass',
    '--seed': 'seed',
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') continue;
    if (a === '--models') o.models = path.resolve(argv[++i]);
    else if (a === '--conditions') o.conditions = argv[++i].split(',');
    else if (a === '--fine-tune-only') o.fineTuneOnly = true;
    else if (a === '--supervised-only') o.supervisedOnly = true;
    else if (num[a]) (o as unknown as Record<string, number>)[num[a]] = Number(argv[++i]);
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  const opts = {
    ...parseArgs(process.argv.slice(2)),
    log: (l: string) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0)}s] ${l}`),
  };
  retrainBenchmark(opts)
    .then((lines) => console.log(lines.join('\n')))
    .catch((e) => {
      console.error(e);
      process.exit(1);
    });
}
