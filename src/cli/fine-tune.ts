// `drpnet fine-tune`: adapts the networks to the user's data and writes a models folder that
// `drpnet pick --models DIR` uses. With --truth, from a few labelled micrographs (the last one
// held out to check the result), and the pick settings chosen on them; with --unsupervised, by
// self-training on the micrographs themselves (src/core/train/adapt.ts).
import path from 'node:path';
import { micrographKey, micrographMatchKey } from '../core/coords/names';
import { decodeMicrograph, type Micrograph } from '../core/io/micrograph';
import { crowdedMessage, insideMicrograph, outsideMessage, overlapMessage } from '../core/coords/bounds';
import type { BackendChoice } from '../core/model/backend';
import type { Scores } from '../core/metrics';
import { ADAPT_DEFAULTS, SETTINGS_MARGIN, adaptSupervised, adaptUnsupervised, SELF_TRAINING, type AdaptResult } from '../core/train/adapt';
import type { LabelledMicrograph } from '../core/train/fine-tune';
import { describeSettings } from '../core/tuning';
import type { TrainingMicrograph } from '../core/train/training-micrograph';
import { coordinateExtensionList } from '../core/coords';
import { numberOption, parse, pathOption, UsageError } from './args';
import { describeTrainRange, isValidTrainOption, TRAIN_OPTION_SPECS } from '../core/train/train-options';
import { trainOptionFlags, trainOptionFromValue, trainOptionHelp } from './train-option-flags';
import { COORDINATE_SOURCES_SHORT, readCoordinateFolder, unusedTruthMessage } from './coordinate-folder';
import { checkWritableFolder, readArrayBuffer, someOf, trainingInputs, writeFileAtomic } from './files';
import { describeBackend, FINE_TUNE_REPORT, loadModels, startBackend, checkModelFiles } from './models';
import { paramFromOption, paramHelp, paramOptions } from './param-options';
import { ANGSTROM_OPTION_TYPES, describeDiameter, diameterFromOptions, diameterHelp, micrographPixels } from './diameter-options';
import { saveTrainedModel } from './train';

const BACKENDS: readonly BackendChoice[] = ['wasm', 'cpu'];
const EPOCHS = TRAIN_OPTION_SPECS.epochs;
const LABELS = ['partial', 'complete'] as const;

const HELP = `usage: drpnet fine-tune --micrographs DIR|FILES --diameter PX|--diameter-angstrom A --out DIR
         (--truth DIR | --unsupervised) [options]

Adapts the detector to your data, and the classifier where the labels show what background
is (--labels complete), and writes DIR/fcrn and DIR/classifier, which \`drpnet pick --models
DIR\` uses, and DIR/fine-tune.json, what was done and measured.

  --micrographs PATH   micrograph file or folder (repeat, or list several after the options)
  --truth DIR          labelled particles (${coordinateExtensionList()}), matched to micrographs
                       by name: ${COORDINATE_SOURCES_SHORT};
                       micrographs without a file are left out. With two or more, the last
                       (by name) is held out: the new models are kept only if they pick it at
                       least as well as the old ones, else the old ones are written (with one,
                       the same check runs on the micrograph they were trained on). Then the
                       peak threshold, cutoff and calibration are chosen on every labelled
                       micrograph and written with the models when they pick them better and,
                       chosen again with each left out in turn, pick those left out better (F1
                       pooled over them) by ${SETTINGS_MARGIN * 100} points (with one labelled micrograph:
                       better on it); \`drpnet pick --models DIR\` starts from them
  --unsupervised       no labels: self-training of the detector on the picks the models keep
                       at their settings (at most ${SELF_TRAINING.maxMicrographs} micrographs); the classifier is
                       written unchanged; nothing checks the result
  --labels KIND        ${LABELS.join('|')}: whether every particle of a labelled micrograph is labelled
                       (default partial: places nobody labelled count less than labels, and
                       the classifier, given no background, is kept as it was)
${diameterHelp()}
${paramHelp(['negativeStain'])}
  --out DIR            output folder (required)
  --models DIR         models to start from (default: the shipped ones)
${trainOptionHelp(['epochs'], { epochs: ADAPT_DEFAULTS.detectorEpochs }, { epochs: 'detector epochs' })}
  --classifier-epochs N
                       classifier epochs, with --truth --labels complete (partial labels keep
                       the classifier: they show it no background); 0 keeps the classifier (0, or ${EPOCHS.min}..${EPOCHS.max};
                       default ${ADAPT_DEFAULTS.classifierEpochs})
${trainOptionHelp(['seed'], { seed: ADAPT_DEFAULTS.seed }, { seed: "seed of the training's random choices" })}
  --backend B          ${BACKENDS.join('|')} (default wasm)`;

const OPTIONS = {
  micrographs: { type: 'string', multiple: true },
  truth: { type: 'string' },
  unsupervised: { type: 'boolean' },
  labels: { type: 'string' },
  ...paramOptions(['diameter', 'negativeStain']),
  ...ANGSTROM_OPTION_TYPES,
  out: { type: 'string' },
  models: { type: 'string' },
  ...trainOptionFlags(['epochs', 'seed']),
  'classifier-epochs': { type: 'string' },
  backend: { type: 'string' },
} as const;

const log = (line: string) => process.stderr.write(line + '\n');
const pct = (s: Scores) =>
  `F1 ${(100 * s.f1).toFixed(1)} (recall ${(100 * s.recall).toFixed(1)}, precision ${(100 * s.precision).toFixed(1)})`;

export async function fineTuneCommand(argv: string[]): Promise<number> {
  const args = parse(argv, OPTIONS, HELP);
  if (args.wantsHelp) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const v = args.values;
  const diameter = diameterFromOptions(v, HELP);
  const out = pathOption(v.out, 'out');
  if (!out) throw new UsageError(`--out is required\n${HELP}`);
  const truthDir = pathOption(v.truth, 'truth');
  const unsupervised = Boolean(v.unsupervised);
  if (unsupervised === Boolean(truthDir)) throw new UsageError(`give exactly one of --truth DIR and --unsupervised\n${HELP}`);
  const labels = (v.labels ?? 'partial') as (typeof LABELS)[number];
  if (!LABELS.includes(labels)) throw new UsageError(`--labels: unknown kind '${String(v.labels)}' (use ${LABELS.join(', ')})`);
  if (unsupervised && v.labels !== undefined) throw new UsageError('--labels goes with --truth');
  if (unsupervised && v['classifier-epochs'] !== undefined)
    throw new UsageError('--classifier-epochs goes with --truth: self-training keeps the classifier');
  const backendChoice = (v.backend ?? 'wasm') as BackendChoice;
  if (!BACKENDS.includes(backendChoice))
    throw new UsageError(`--backend: unknown backend '${String(v.backend)}' (use ${BACKENDS.join(', ')})`);
  const options = {
    detectorEpochs: trainOptionFromValue(v, 'epochs') ?? ADAPT_DEFAULTS.detectorEpochs,
    classifierEpochs:
      numberOption(v['classifier-epochs'], 'classifier-epochs', {
        test: (x) => x === 0 || isValidTrainOption('epochs', x),
        says: `0, or ${describeTrainRange(EPOCHS)}`,
      }) ?? ADAPT_DEFAULTS.classifierEpochs,
    seed: trainOptionFromValue(v, 'seed') ?? ADAPT_DEFAULTS.seed,
    labelsComplete: labels === 'complete',
  };
  const negativeStain = paramFromOption(v, 'negativeStain') ?? false;
  const inputs = [...(v.micrographs ?? []), ...args.positionals];
  if (!inputs.length) throw new UsageError(`no micrographs given (--micrographs DIR|FILES)\n${HELP}`);
  const files = (await trainingInputs(inputs, log)).sort((a, b) => path.basename(a).localeCompare(path.basename(b)));
  const modelsDir = pathOption(v.models, 'models');
  await checkModelFiles({ dir: modelsDir }, true);
  const truth = truthDir ? await readCoordinateFolder(truthDir, { label: '--truth', micrographs: files }) : undefined;
  for (const w of truth?.warnings ?? []) log(`warning: ${w}`);
  for (const f of truth?.failed ?? []) log(`skipped truth file ${f}`);
  const unused = truth && unusedTruthMessage(truth, files, `--truth ${truthDir}`);
  if (unused && files.some((f) => truth.picks.has(micrographMatchKey(f)))) log(`warning: ${unused}`);
  // Labels named for other micrographs would otherwise leave every one out, one line each.
  if (truth && !files.some((f) => truth.picks.has(micrographMatchKey(f))))
    throw new UsageError(
      truth.picks.size
        ? `no micrograph of --micrographs has labels in --truth (micrographs ${someOf(files.map((f) => micrographKey(f)))}; labels for ${someOf([...truth.names.values()])}): are they of the same data set?`
        : truth.failed.length
          ? `--truth ${truthDir}: none of its ${truth.failed.length} coordinate file(s) could be read (skipped above)`
          : `--truth ${truthDir}: no coordinate files found`,
    );
  await checkWritableFolder(out);

  const backend = describeBackend(await startBackend(backendChoice));
  const base = await loadModels({ dir: modelsDir, withClassifier: true });

  const micrographs: LabelledMicrograph[] = [];
  const unreadable: string[] = [];
  const misplaced: string[] = [];
  /** Labels crowded into the top-left quarter of their micrograph (crowdedMessage). */
  const corner: string[] = [];
  for (const file of files) {
    const key = micrographMatchKey(file);
    const picks = truth?.picks.get(key);
    if (truth && !picks?.length) {
      const why = picks
        ? `its coordinate file ${truth.files.get(key)} holds no particles`
        : truth.failedKeys.has(key)
          ? 'its coordinate file could not be read (skipped above)'
          : `no coordinates for it in ${truthDir}`;
      log(`${file}: ${why}; left out`);
      continue;
    }
    let m: Micrograph;
    try {
      m = await decodeMicrograph(await readArrayBuffer(file), file);
    } catch (e) {
      const why = (e as Error).message;
      unreadable.push(why.includes(file) ? why : `${file}: ${why}`);
      continue;
    }
    const { width, height } = m.image;
    let px: number;
    try {
      px = micrographPixels(diameter, m.pixelSize, file);
    } catch (e) {
      throw new UsageError(`${(e as Error).message}; nothing trained`);
    }
    // A radius past the edge lets through a particles STAR's recentred edge particles, as eval and the workbench do.
    const outside = picks && outsideMessage(picks, path.basename(file), width, height, px / 2);
    if (outside) misplaced.push(`${truth!.files.get(key)}: ${outside}`);
    else {
      micrographs.push({
        name: path.basename(file),
        image: m.image,
        diameter: px,
        negativeStain,
        truth: picks && insideMicrograph(picks, width, height),
      } satisfies TrainingMicrograph);
    }
    const crowded = !outside && picks && crowdedMessage(picks, path.basename(file), width, height);
    if (crowded) corner.push(`${truth!.files.get(key)}: ${crowded}`);
  }
  for (const c of corner) log(`warning: ${c}`);
  // Every labelled micrograph so: labels of a binned micrograph, which would choose settings that pick worse (a tester: 93.7 -> 73.3).
  if (truth && micrographs.length && corner.length === micrographs.length)
    throw new UsageError(
      `the labels of every micrograph lie in its top-left quarter (above): written for the micrographs binned by 2? Nothing trained; give labels in these micrographs' pixels (or, if you labelled only that corner of each, some particles elsewhere too)`,
    );
  // As with a missing input: leaving one out would change which micrograph is held out, unseen.
  if (unreadable.length) throw new UsageError(`cannot read ${unreadable.join('; ')}; mend or remove it and run again`);
  // Labels of another binning would teach the detector particles where there are none.
  if (misplaced.length) throw new UsageError(`${misplaced.join('; ')} Nothing trained; mend or remove the file and run again`);
  if (!micrographs.length) {
    log(`drpnet fine-tune: no usable ${truth ? 'labelled ' : ''}micrograph; nothing adapted`);
    return 1;
  }
  // A diameter twice the particles' trains and picks at the wrong size without a word (a tester: F1 21 for 58).
  const overlap = truth && overlapMessage(micrographs.map((m) => ({ points: m.truth ?? [], diameter: m.diameter })));
  if (overlap) log(`warning: ${overlap} Check --diameter`);
  // With --diameter-angstrom and no --angpix, each micrograph's own pixels: one number when their pixel sizes agree.
  const pixels = [...new Set(micrographs.map((m) => m.diameter))];
  log(
    `drpnet fine-tune: ${micrographs.length} micrograph(s), diameter ${describeDiameter(diameter, pixels)}, ${unsupervised ? 'self-training' : `${labels} labels`}, backend ${backend}, from ${modelsDir ?? 'the shipped models'}`,
  );
  const t0 = performance.now();
  const opts = {
    ...options,
    onProgress: (stage: string, detail: string) => log(`[${((performance.now() - t0) / 1000).toFixed(0)} s] ${stage}: ${detail}`),
    onEpoch: (stage: string, e: { epoch: number; loss: number }) => log(`  ${stage} epoch ${e.epoch + 1}: loss ${e.loss.toFixed(4)}`),
  };
  const r: AdaptResult = unsupervised
    ? await adaptUnsupervised(base as Required<typeof base>, micrographs, opts)
    : await adaptSupervised(base as Required<typeof base>, micrographs, opts);
  await saveTrainedModel(r.fcrn, path.join(out, 'fcrn'), r.fcrnMeta);
  await saveTrainedModel(r.classifier, path.join(out, 'classifier'), r.classifierMeta);
  // How the run was made, so a models folder says where it came from.
  const run = {
    diameter: pixels.length === 1 ? pixels[0] : null,
    ...(diameter.angstrom ? { diameterAngstrom: diameter.angstrom.diameter } : {}),
    negativeStain,
    ...(unsupervised ? { unsupervised } : { truth: path.resolve(truthDir!), labels, classifierEpochs: options.classifierEpochs }),
    epochs: options.detectorEpochs,
    seed: options.seed,
    models: modelsDir ? path.resolve(modelsDir) : 'shipped',
  };
  const report = { adapted: r.adapted, seconds: Math.round(r.seconds), check: r.check, run, ...r.summary };
  await writeFileAtomic(path.join(out, FINE_TUNE_REPORT), JSON.stringify(report, null, 2) + '\n');
  if (r.check) {
    const where = r.check.heldOut
      ? `held-out ${r.check.micrograph}`
      : `${r.check.micrograph}, the only labelled micrograph (nothing held out, so the new models are checked on what they were trained on)`;
    log(`${where}: old models ${pct(r.check.base)}; new models ${pct(r.check.adapted)}`);
  }
  const st = r.settings;
  if (st) {
    const held = st.check
      ? `; each of the ${st.check.micrographs} left out of the choice in turn: ${pct(st.check.current)} -> ${pct(st.check.tuned)}`
      : '';
    log(
      `pick settings: ${describeSettings(st.chosen)} on the labelled micrographs: ${pct(st.train.current)} -> ${pct(st.train.tuned)}${held}`,
    );
  }
  // A tester read a precision of 8.6 % as a failure: with partial labels it cannot be more than a bound.
  if (!unsupervised && labels === 'partial' && (r.check || st))
    log('(partial labels: particles nobody labelled count as false picks, so precision and F1 above are lower bounds)');
  const settingsNote = st?.kept ? ', with the pick settings chosen above' : '';
  log(
    r.adapted
      ? `drpnet fine-tune: wrote the ${unsupervised ? 'self-trained detector and the classifier it started from' : 'adapted models'} to ${out}${settingsNote} in ${r.seconds.toFixed(0)} s; pick with --models ${out}`
      : `drpnet fine-tune: the adapted networks picked ${r.check?.heldOut === false ? 'the labelled' : 'the held-out'} micrograph worse; wrote the old networks to ${out}${settingsNote || ' unchanged'}${st?.kept ? `; pick with --models ${out}` : ''}`,
  );
  return 0;
}
