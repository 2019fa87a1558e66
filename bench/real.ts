// Picking quality on REAL micrographs (the `real` section of `npm run bench`, and the table
// of docs/quality.md): the shared apoferritin set with its fixed split (bench/realdata.ts),
// every number from the 14 scoring micrographs, every run the command a user would type.
// `--set` measures another set laid out the same way (micrographs/ and coordinates/, one file per
// micrograph as `drpnet eval` matches them; the first `--labelled` by name are the labelled
// part), such as micrographs kept back from here. USAGE below says the options.
//
// Rows: the models at default settings (only --diameter); the same without per-micrograph
// calibration; the best classifier cutoff and the best peak threshold chosen afterwards on
// these micrographs (ranking, apart from calibration); `drpnet fine-tune --truth` on the 5
// labelled micrographs; `drpnet fine-tune --unsupervised` on the 14 themselves; RELION 3.1's
// LoG autopicker at its best threshold of a sweep (chosen on the 14: generous to RELION).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { someOf } from '../src/cli/files';
import { readCoordinates } from '../src/core/coords';
import { writeRelionCoordinates } from '../src/core/coords/relion';
import type { Scores } from '../src/core/metrics';
import { DEFAULT_PICK_PARAMS } from '../src/core/params';
import { PickSession, pickMicrograph, type ScoredPick } from '../src/core/pipeline';
import type { SettingsReport } from '../src/core/train/adapt';
import { describeSettings } from '../src/core/tuning';
import { FINE_TUNE_REPORT, loadModels, SHIPPED_MODELS_DIR, startBackend } from '../src/cli/models';
import { createRelionProject } from '../test/relion/helpers/project';
import { relionVersion } from '../test/relion/helpers/relion';
import { bestLoG, LOG_DIAMETER_RANGE, sweepLoG } from './relion-peer';
import {
  APOFERRITIN,
  bestOver,
  labelsOf,
  loadRealMicrograph,
  realLabels,
  realSetAt,
  realSetAvailable,
  realSplit,
  scoreSet,
  stem,
  type RealMicrograph,
  type RealSet,
} from './realdata';
import { BENCH_WORK, DRPNET_BIN, machine } from './stats';

/** Pixel size given to RELION when the set states none (the apoferritin README estimates ~2 A/px). LoG works in A, so only the product with the diameter matters. */
const RELION_PIXEL_A = 2;

interface Row {
  what: string;
  command: string;
  scores: Scores;
  picksPerMicrograph: number;
  seconds?: number;
  note?: string;
}

/** This run's work folder (picks, labels, models), its own so that two runs at once do not mix. */
let WORK = '';

function drpnet(args: string[]): number {
  const t0 = performance.now();
  execFileSync(process.execPath, [DRPNET_BIN, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  return (performance.now() - t0) / 1000;
}

/** Scores the STAR files `drpnet pick` wrote for the scoring micrographs. */
function scoreFolder(dir: string, mics: RealMicrograph[]): { scores: Scores; perMic: number } {
  const picks = mics.map((m) => {
    const file = path.join(dir, `${stem(m.name)}_autopick.star`);
    return [...readCoordinates(readFileSync(file, 'utf8'), file).values()].flat();
  });
  return scoreSet(picks, mics);
}

/** `drpnet pick` of the scoring micrographs at default settings (only --diameter), scored. */
function pickRow(set: RealSet, what: string, models: string | undefined, mics: RealMicrograph[], extra: string[] = []): Row {
  const out = path.join(WORK, `picks-${what.replace(/\W+/g, '-')}`);
  rmSync(out, { recursive: true, force: true });
  const args = [
    'pick',
    ...mics.map((m) => m.file),
    '--diameter',
    String(set.diameter),
    '--out',
    out,
    ...extra,
    ...(models ? ['--models', models] : []),
  ];
  const seconds = drpnet(args);
  const { scores, perMic } = scoreFolder(out, mics);
  return {
    what,
    command: `drpnet ${args.slice(0, 1).join(' ')} <${mics.length} micrographs> ${args
      .slice(1 + mics.length)
      .join(' ')
      .replace(out, 'OUT')
      .replace(WORK, '...')}`,
    scores,
    picksPerMicrograph: perMic,
    seconds,
  };
}

/** `drpnet fine-tune` of these micrographs at the set's diameter, labelled as `how` says. */
function fineTuneArgs(set: RealSet, files: string[], how: string[], out: string, models: string | undefined): string[] {
  return ['fine-tune', ...files, ...how, '--diameter', String(set.diameter), '--out', out, ...(models ? ['--models', models] : [])];
}

async function oracleRows(set: RealSet, models: string | undefined, mics: RealMicrograph[]): Promise<Row[]> {
  await startBackend('wasm');
  const m = await loadModels({ dir: models, withClassifier: true });
  // Every candidate the peak search finds at a low threshold, with its classifier p and peak height.
  const params = { ...DEFAULT_PICK_PARAMS, diameter: set.diameter, threshold: 0.5, cutoff: 1, calibrate: false };
  const all: ScoredPick[][] = [];
  for (const mic of mics) all.push((await pickMicrograph(new PickSession(mic.name, mic.micrograph), m, params)).all);
  const cls = bestOver(all, mics, (p) => p.pClassifier);
  const peak = bestOver(all, mics, (p) => p.peakHeight);
  return [
    {
      what: 'best classifier cutoff, chosen afterwards',
      command: `(p(particle) >= ${cls.threshold.toFixed(3)}, threshold 0.5)`,
      scores: cls.scores,
      picksPerMicrograph: cls.perMic,
    },
    {
      what: 'best peak threshold, chosen afterwards',
      command: `(peak height >= ${peak.threshold.toFixed(3)}, no classifier)`,
      scores: peak.scores,
      picksPerMicrograph: peak.perMic,
    },
  ];
}

function relionRow(set: RealSet, mics: RealMicrograph[]): Row {
  const pixelA = set.pixelA ?? RELION_PIXEL_A;
  const dir = path.join(WORK, 'relion');
  rmSync(dir, { recursive: true, force: true });
  const project = createRelionProject(
    dir,
    mics.map((m) => ({ fileName: `${stem(m.name)}.mrc`, image: m.micrograph.image })),
    { pixelSize: pixelA, voltageKv: 300, csMm: 2.7, amplitudeContrast: 0.1 },
  );
  const sweep = sweepLoG(project, set.diameter * pixelA, (picks) => scoreSet(picks, mics).scores);
  rmSync(dir, { recursive: true, force: true });
  const best = bestLoG(sweep);
  return {
    what: `RELION ${relionVersion()} LoG, best threshold of a sweep`,
    command: `relion_autopick --LoG --LoG_adjust_threshold ${best.adjust} (diameter ${LOG_DIAMETER_RANGE.join('-')}x)`,
    scores: best.scores,
    picksPerMicrograph: best.picks.flat().length / mics.length,
    seconds: sweep.reduce((t, r) => t + r.seconds, 0) / sweep.length,
  };
}

const pct = (v: number) => (100 * v).toFixed(1);

/** What fine-tune.json says of the networks: adapted and kept, or refused by the held-out check. */
function networksNote(report: { adapted: boolean; check: { micrograph: string; base: Scores; adapted: Scores } | null }): string {
  if (!report.check) return 'networks kept without a check (one labelled micrograph: none held out)';
  const f1s = `held-out ${report.check.micrograph} F1 ${pct(report.check.base.f1)} -> ${pct(report.check.adapted.f1)}`;
  return report.adapted ? `networks kept: ${f1s}` : `networks not kept (${f1s}): the old ones were written`;
}

/** What fine-tune.json says of the pick settings chosen on the labelled micrographs. */
function settingsNote(report: { settings?: SettingsReport }): string {
  const st = report.settings;
  if (!st) return 'no pick settings chosen';
  const held = st.check ? `, each left out in turn F1 ${pct(st.check.current.f1)} -> ${pct(st.check.tuned.f1)}` : '';
  return `pick settings ${describeSettings(st.chosen)} ${st.kept ? 'written with them' : 'not kept'} (labelled F1 ${pct(st.train.current.f1)} -> ${pct(st.train.tuned.f1)}${held})`;
}

/** Runs every row and returns the markdown section. */
export async function realLines(
  opts: { models?: string; skip?: Set<string>; set?: RealSet } = {},
  log: (m: string) => void = () => {},
): Promise<string[]> {
  const set = opts.set ?? APOFERRITIN;
  if (!realSetAvailable(set))
    return ['## Real micrographs', '', `Not measured: ${set.dir} is not there (real data lives outside the repository).`, ''];
  mkdirSync(BENCH_WORK, { recursive: true });
  WORK = mkdtempSync(path.join(BENCH_WORK, 'real-'));
  try {
    return await measure(set, opts, log);
  } finally {
    rmSync(WORK, { recursive: true, force: true });
  }
}

async function measure(set: RealSet, opts: { models?: string; skip?: Set<string> }, log: (m: string) => void): Promise<string[]> {
  const skip = opts.skip ?? new Set<string>();
  const labels = await realLabels(set);
  const fixed = realSplit(set);
  // A micrograph without labels is left out (and said), before any work: the split stays the fixed one.
  const unlabelled = [...fixed.labelled, ...fixed.scoring].filter((n) => !labelsOf(labels, n));
  if (unlabelled.length) log(`real: no coordinate file in ${set.dir}/coordinates for ${someOf(unlabelled)}: left out`);
  const split = { labelled: fixed.labelled.filter((n) => labelsOf(labels, n)), scoring: fixed.scoring.filter((n) => labelsOf(labels, n)) };
  if (!split.scoring.length)
    throw new Error(
      `${set.dir}: no labelled micrograph is left to score after the first ${set.labelled} by name (micrographs/: ${fixed.labelled.length + fixed.scoring.length}, with a coordinate file: ${fixed.labelled.length + fixed.scoring.length - unlabelled.length})`,
    );
  const scoring = await Promise.all(split.scoring.map((n) => loadRealMicrograph(set, n, labels)));
  const labelledCount = `${split.labelled.length} labelled`;
  const models = opts.models;
  const rows: Row[] = [];
  log('real: default settings');
  rows.push(pickRow(set, 'models at default settings (only --diameter)', models, scoring));
  rows.push(pickRow(set, 'the same without per-micrograph calibration', models, scoring, ['--no-calibrate']));
  log('real: thresholds chosen afterwards');
  rows.push(...(await oracleRows(set, models, scoring)));
  if (!skip.has('fine-tune') && split.labelled.length) {
    log(`real: fine-tune on the ${labelledCount} micrographs`);
    const truth = path.join(WORK, 'truth');
    mkdirSync(truth, { recursive: true });
    // The labels as read, one STAR per micrograph whatever their files were called or written as.
    for (const n of split.labelled) writeFileSync(path.join(truth, `${stem(n)}.star`), writeRelionCoordinates(labelsOf(labels, n)!));
    const out = path.join(WORK, 'fine-tuned');
    const args = fineTuneArgs(
      set,
      split.labelled.map((n) => path.join(set.dir, 'micrographs', n)),
      ['--truth', truth],
      out,
      models,
    );
    const seconds = drpnet(args);
    const report = JSON.parse(readFileSync(path.join(out, FINE_TUNE_REPORT), 'utf8'));
    const row = pickRow(set, `after \`drpnet fine-tune --truth\` on the ${labelledCount}`, out, scoring);
    rows.push({
      ...row,
      command: `drpnet fine-tune <${labelledCount}> --truth TRUTH --diameter ${set.diameter} --out DIR; then pick --models DIR`,
      seconds,
      note: `${networksNote(report)}; ${settingsNote(report)}`,
    });
  }
  if (!skip.has('adapt')) {
    log(`real: unsupervised adaptation on the ${scoring.length}`);
    const out = path.join(WORK, 'adapted');
    const args = fineTuneArgs(
      set,
      scoring.map((m) => m.file),
      ['--unsupervised'],
      out,
      models,
    );
    const seconds = drpnet(args);
    const row = pickRow(set, `after \`drpnet fine-tune --unsupervised\` on the ${scoring.length}`, out, scoring);
    rows.push({
      ...row,
      command: `drpnet fine-tune <${scoring.length} micrographs> --unsupervised --diameter ${set.diameter} --out DIR; then pick --models DIR`,
      seconds,
    });
  }
  if (!skip.has('relion')) {
    log('real: RELION LoG sweep');
    rows.push(relionRow(set, scoring));
  }
  const truth = scoring.reduce((n, m) => n + m.truth.length, 0);
  const sizes = [...new Set(scoring.map((m) => `${m.micrograph.image.width} x ${m.micrograph.image.height}`))].join(', ');
  const shared = set === APOFERRITIN;
  const command = shared
    ? '`npx tsx bench/real.ts` (or `npm run bench -- --only real`)'
    : `\`npx tsx bench/real.ts --set ${set.dir} --diameter ${set.diameter} --labelled ${set.labelled}${set.pixelA ? ` --pixel ${set.pixelA}` : ''}\``;
  return [
    `## Real micrographs: ${shared ? 'EMPIAR-10146 apoferritin' : set.name} (zero-shot)`,
    '',
    `Command: ${command}. Machine: ${machine()}.`,
    `The ${scoring.length} scoring micrographs of the fixed split (${truth} labelled particles; ${set.dir}), ${sizes} px, diameter ${set.diameter} px.` +
      (unlabelled.length ? ` Left out, with no coordinate file: ${unlabelled.join(', ')}.` : ''),
    `Models: ${models ?? path.relative(process.cwd(), SHIPPED_MODELS_DIR)} (trained on simulated micrographs only, never on these). Scoring: one-to-one matches within one radius (${set.diameter / 2} px), over particles lying wholly inside; picks and truth outside that region count neither way (bench/realdata.ts).`,
    '',
    '| what | recall | precision | **F1** | picks / micrograph | seconds | how |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.what} | ${pct(r.scores.recall)} | ${pct(r.scores.precision)} | **${pct(r.scores.f1)}** | ${r.picksPerMicrograph.toFixed(0)} | ${r.seconds === undefined ? '-' : r.seconds.toFixed(0)} | ${r.command}${r.note ? `; ${r.note}` : ''} |`,
    ),
    '',
    `Seconds: the whole command (Node start-up and model loading included); for RELION, one relion_autopick run over the ${scoring.length}, mean over the sweep.`,
    '',
  ];
}

const USAGE = `npx tsx bench/real.ts [--models DIR] [--skip relion,fine-tune,adapt]
                        [--set DIR --diameter PX [--labelled N] [--pixel A]]

  --models DIR    models to measure (default: the shipped ones, public/models)
  --skip LIST     rows to leave out: relion (RELION's LoG sweep), fine-tune, adapt
  --set DIR       another labelled set: DIR/micrographs/ and DIR/coordinates/ (one coordinate
                  file per micrograph, named as drpnet eval matches them); default: the shared
                  apoferritin set (../shared/realdata)
  --diameter PX   that set's particle diameter in its micrographs' own pixels (needed with --set)
  --labelled N    how many micrographs, first by name, form its labelled part (default 5)
  --pixel A       its pixel size in A, for RELION's LoG (default 2)
  --help          this text`;

/** The options of the command line; a mistake stops it before any work (exit 2). */
function parseArgs(args: string[]): { models?: string; skip: Set<string>; set?: RealSet } | undefined {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (flag === '--help' || flag === '-h') return undefined;
    if (!['--models', '--skip', '--set', '--diameter', '--labelled', '--pixel'].includes(flag)) throw new Error(`unknown option ${flag}`);
    const value = args[++i];
    if (value === undefined || value.startsWith('--')) throw new Error(`${flag} needs a value`);
    values.set(flag, value);
  }
  const skip = new Set(values.get('--skip')?.split(',') ?? []);
  for (const s of skip)
    if (!['relion', 'fine-tune', 'adapt'].includes(s)) throw new Error(`--skip ${s}: the rows are relion, fine-tune and adapt`);
  const setDir = values.get('--set');
  if (setDir && !values.has('--diameter'))
    throw new Error("--set needs --diameter PX, the particle diameter in the micrographs' own pixels");
  for (const flag of ['--diameter', '--labelled', '--pixel'])
    if (!setDir && values.has(flag)) throw new Error(`${flag} describes a set given with --set DIR; the apoferritin set has its own`);
  const set = setDir
    ? realSetAt(
        setDir,
        Number(values.get('--diameter')),
        Number(values.get('--labelled') ?? 5),
        values.has('--pixel') ? Number(values.get('--pixel')) : undefined,
      )
    : undefined;
  // A set named on the command line that is not there is a mistake, not a run without real data.
  if (set && !realSetAvailable(set)) throw new Error(`--set ${setDir}: no micrographs/ folder in it`);
  const models = values.get('--models');
  return { models: models && path.resolve(models), skip, set };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let opts: ReturnType<typeof parseArgs>;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`bench/real.ts: ${(e as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (!opts) {
    console.log(USAGE);
    process.exit(0);
  }
  const t0 = performance.now();
  const lines = await realLines(opts, (m) => console.error(`[${((performance.now() - t0) / 1000).toFixed(0)}s] ${m}`));
  console.log(lines.join('\n'));
}
