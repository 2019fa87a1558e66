// `drpnet pick`: picks every micrograph given (files or folders) and writes coordinate files
// in ORIGINAL micrograph pixels. A bad micrograph is reported and skipped; the exit status
// says whether any failed. For clusters: --shard I/N picks one deterministic part of the
// dataset, --resume skips micrographs whose outputs exist; outputs are written atomically.
// The per-micrograph loop (runPickBatch) is also what `drpnet relion-external` runs.
import { appendFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import fs from 'node:fs/promises';
import path from 'node:path';
import { canonicalOrder, parseShard, shardRange, type Shard } from '../core/batch/shard';
import { describeCalibration, UNLIKE_TRAINING_SHARE, unlikeTraining } from '../core/calibrate';
import { COORDINATE_FORMAT_IDS, COORDINATE_FORMATS, coordinateFileName, defaultBoxSize, writeCoordinates } from '../core/coords';
import type { CoordinateFormat } from '../core/coords/types';
import { DrpnetError, ParameterError } from '../core/errors';
import { MICROGRAPH_FORMATS } from '../core/io/formats';
import { formatFromFileName, isMicrographFileName, openMicrograph } from '../core/io/micrograph';
import type { BackendChoice } from '../core/model/backend';
import { PARAM_KEYS, PARAM_SPECS, type PickParams } from '../core/params';
import { formatPixelSize, isUsablePixelSize, pixelsToAngstrom, samePixelSize, toTenth } from '../core/pixel-size';
import { describeSettings, modelSettings } from '../core/tuning';
import { msSince, PickSession, pickMicrograph, type Models } from '../core/pipeline';
import { ABOVE_ZERO, choiceListOption, numberOption, parse, pathOption, UsageError, wholeFrom } from './args';
import { givenParams, paramHelp, paramOptions, paramsFromOptions, type OptionValues } from './param-options';
import {
  ANGSTROM_OPTION_TYPES,
  describeDiameter,
  diameterFromOptions,
  diameterHelp,
  noPixelSizeMessage,
  pixelDiameter,
  type AngstromDiameter,
} from './diameter-options';
import {
  allExist,
  checkWritableFolder,
  expandInputs,
  fileSystemReason,
  FileSystemError,
  isStarFile,
  nothingFoundMessage,
  openFileReader,
  ReadBuffer,
  realPath,
  STAR_NOT_MICROGRAPH,
  whyNotAFile,
  writeFileAtomic,
} from './files';
import {
  checkModelFiles,
  describeBackend,
  FINE_TUNE_REPORT,
  fineTunedDiameter,
  loadModels,
  startBackend,
  type ModelSources,
} from './models';

const FORMATS = COORDINATE_FORMAT_IDS;
const BACKENDS: readonly BackendChoice[] = ['auto', 'wasm', 'cpu', 'webgpu'];

/** The picking options every picking command shares (parseArgs form): the pick parameters' and these. */
export const PICK_OPTIONS = {
  ...paramOptions(),
  ...ANGSTROM_OPTION_TYPES,
  frame: { type: 'string' },
  models: { type: 'string' },
  detector: { type: 'string' },
  classifier: { type: 'string' },
  backend: { type: 'string' },
} as const;

export type PickOptionValues = OptionValues;

export const PICK_OPTIONS_HELP = `${diameterHelp('the micrographs STAR (relion-external) or ')}
${paramHelp(PARAM_KEYS.filter((k) => k !== 'diameter'))}
  --frame N            use frame N (0-based) of a stack instead of the average
  --models DIR         folder with fcrn/ and classifier/ models (default: the shipped ones); settings
                       that \`drpnet fine-tune\` chose and wrote with them replace the defaults
                       (options given here still win)
  --detector DIR       a detector's own folder (\`drpnet train-detector --out DIR\`), in place of
                       the one in --models
  --classifier DIR     a classifier's own folder (\`drpnet train-classifier --out DIR\`), in
                       place of the one in --models
  --backend B          ${BACKENDS.join('|')} (default auto: wasm in Node)`;

const HELP = `usage: drpnet pick <micrographs or folders...> --diameter PX | --diameter-angstrom A [options]

  --micrographs PATH   a micrograph file or folder, as fine-tune and train take them (repeat;
                       the same as naming it after the options)
${PICK_OPTIONS_HELP}
  --out DIR            output folder (default: next to each micrograph), one flat folder. For
                       RELION's Extract it must end with the micrographs' folder as the
                       micrographs STAR names it, less a leading <Job>/jobNNN/ (Movies/a.mrc or
                       MotionCorr/job002/Movies/a.mrc: --out picks/Movies, then --coord_dir
                       picks/); a flat folder gives Extract no particles, and no error.
                       relion-external lays its job folder out so itself
  --format LIST        any of ${FORMATS.join(',')} (default: star)
  --box-size PX        box size written to .box/.cbox files (default: the diameter in pixels)
  --shard I/N          pick only part I (0-based) of N of the sorted, de-duplicated micrograph
                       list (a file reached twice, through a link, counts once), e.g.
                       --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT
  --resume             skip micrographs whose output files (all formats) already exist
  --stats FILE         write measurements as JSON lines: the memory once the models are
                       loaded, then per micrograph its stage times and the peak memory so far
                       (one file per task: each run empties it first); a file that
                       cannot be written gets one warning, and picking goes on

Bad options, models that are not there and output folders that cannot be written are refused
before anything is picked (exit 2). An input that cannot be read (a missing path, a dangling
link, a named pipe) fails alone and the others are picked (exit 1); in a folder, a dangling
link fails the same way (a micrograph that should be there) and anything else that is not a
regular file (a named pipe, a folder called *.mrc) is skipped with a warning.

In Node one pick process computes on one CPU core; on a node with many, run several (--shard
I/N per process, or relion-external --j N).

Examples:
  drpnet pick micrographs/ --diameter 140 --out picks/
  # For RELION 3.1's Extract, from the project folder (the micrographs STAR names Movies/*.mrc):
  drpnet pick Movies/ --diameter 140 --out picks/Movies/
  relion_preprocess --i micrographs.star --coord_dir picks/ --coord_suffix _autopick.star \\
    --part_star Extract/particles.star --part_dir Extract/ --extract --extract_size 256`;

/** Everything that decides how one micrograph is picked. */
export interface PickSettings {
  /** The options given, over the defaults. Settings the models carry (drpnet fine-tune) replace defaults, not options: see settingsWithModels. */
  params: PickParams;
  /** The parameters whose options were given. */
  given: Partial<PickParams>;
  /** --diameter-angstrom: with `pixelSize` (--angpix) params.diameter is it in pixels already;
   * without, each micrograph's diameter comes from its own pixel size (micrographDiameter). */
  angstrom?: AngstromDiameter;
  frame?: number;
  /** Where the networks come from (--models, --detector, --classifier). */
  sources: ModelSources;
  backend: BackendChoice;
}

/** Reads the shared picking options; throws UsageError naming the bad one. */
export function pickSettingsFrom(v: PickOptionValues, help: string): PickSettings {
  const diameter = diameterFromOptions(v, help);
  const given = givenParams(v);
  if (diameter.px !== undefined) given.diameter = diameter.px;
  // The cutoff judges the classifier's scores: without the classifier it would go unused without a word.
  if (given.useClassifier === false && given.cutoff !== undefined)
    throw new UsageError(
      `--${PARAM_SPECS.cutoff.flag} sets the classifier's cutoff, which --${PARAM_SPECS.useClassifier.flag} leaves out; give one of them`,
    );
  // Without --angpix the diameter is set per micrograph; until then params.diameter is the table's default.
  const params = paramsFromOptions(v, help, given, diameter.angstrom ? ['diameter'] : []);
  const backend = (v.backend ?? 'auto') as BackendChoice;
  if (!BACKENDS.includes(backend)) throw new UsageError(`--backend: unknown backend '${String(backend)}' (use ${BACKENDS.join(', ')})`);
  const frame = numberOption(v.frame, 'frame', wholeFrom(0));
  const folder = (name: 'models' | 'detector' | 'classifier') => pathOption(typeof v[name] === 'string' ? v[name] : undefined, name);
  return {
    params,
    given,
    angstrom: diameter.angstrom,
    frame,
    sources: { dir: folder('models'), detector: folder('detector'), classifier: folder('classifier') },
    backend,
  };
}

/** How one micrograph's diameter in pixels was arrived at: the pixel size used, where from, and what disagreed. */
interface MicrographDiameter {
  px: number;
  /** The micrograph's pixel size (its list's, else its header's), where one is known. */
  pixelSize?: number;
  /** Where `pixelSize` comes from, in words ("its header", "the micrographs STAR ..."). */
  from?: string;
  /** Set when --diameter-angstrom was converted for this micrograph alone (no --angpix). */
  converted?: boolean;
  /** A pixel size that disagrees with the one used, said on the micrograph's line. */
  disagrees?: string;
}

/**
 * The particle diameter in one micrograph's pixels. With --diameter-angstrom and no --angpix, converted
 * with the pixel size its list gives (a RELION micrographs STAR, RELION's own), else its header's; a
 * pixel size that disagrees with the one used (--angpix, or the STAR's) is said.
 */
function micrographDiameter(settings: PickSettings, job: PickJob, header: number | undefined, refused?: number): MicrographDiameter {
  const listed = isUsablePixelSize(job.pixelSize) ? job.pixelSize : undefined;
  const own = listed ?? (isUsablePixelSize(header) ? header : undefined);
  const from = listed !== undefined ? (job.list ?? 'the list') : own !== undefined ? 'its header' : undefined;
  const differ = (a: number, b: number) => !samePixelSize(a, b);
  const a = settings.angstrom;
  if (!a || a.pixelSize !== undefined) {
    const disagrees =
      a?.pixelSize !== undefined && own !== undefined && differ(own, a.pixelSize) ? `${from} says ${formatPixelSize(own)} Å/px` : undefined;
    return { px: settings.params.diameter, pixelSize: own, from, disagrees };
  }
  const label = jobLabel(job);
  const refuse = (message: string): never => {
    throw new ParameterError(message, label);
  };
  const none =
    refused !== undefined
      ? `its header's, ${formatPixelSize(refused)} Å/px, is none a micrograph has`
      : job.list
        ? `neither ${job.list} nor its header gives one`
        : 'its file gives none';
  if (own === undefined) refuse(noPixelSizeMessage(none));
  const disagrees =
    listed !== undefined && isUsablePixelSize(header) && differ(header, listed)
      ? `its header says ${formatPixelSize(header)} Å/px`
      : undefined;
  return { px: pixelDiameter(a.diameter, own!, refuse), pixelSize: own, from, converted: true, disagrees };
}

/**
 * With --diameter-angstrom and no --angpix, refuses before picking the micrographs of a format
 * that carries no pixel size (formats.ts) and that no list gives one for: each would only fail in turn.
 */
export function checkPixelSizesKnown(jobs: readonly PickJob[], settings: PickSettings): void {
  if (!settings.angstrom || settings.angstrom.pixelSize !== undefined) return;
  const formatOf = (j: PickJob) => formatFromFileName(j.file);
  const none = jobs.filter((j) => {
    const format = formatOf(j);
    return j.problem === undefined && j.pixelSize === undefined && format !== undefined && !MICROGRAPH_FORMATS[format].pixelSize;
  });
  if (!none.length) return;
  const kinds = [...new Set(none.map((j) => MICROGRAPH_FORMATS[formatOf(j)!].label))].join('/');
  const more = none.length > 1 ? ` and ${none.length - 1} other ${kinds} micrograph(s)` : '';
  throw new UsageError(
    `${jobLabel(none[0])}${more}: ${kinds} files carry no pixel size, so --diameter-angstrom cannot be converted to pixels; give --angpix A (Å per pixel), or --diameter in pixels`,
  );
}

/**
 * The settings with what the models' metadata carries (ModelMetadata.pickSettings, chosen by
 * `drpnet fine-tune` on labelled micrographs) in place of defaults; options given still win.
 * Also returns which of the models' settings apply, for the log.
 */
export function settingsWithModels(settings: PickSettings, models: Models): { settings: PickSettings; fromModels: Partial<PickParams> } {
  const fromModels = Object.fromEntries(Object.entries(models.fcrnMeta.pickSettings ?? {}).filter(([k]) => !(k in settings.given)));
  return { settings: { ...settings, params: { ...modelSettings(models), ...settings.given } }, fromModels };
}

/** One micrograph of a batch and the coordinate files it gets. */
export interface PickJob {
  /** Micrograph file to read. */
  file: string;
  /** How progress lines and errors name it (default: the file). */
  label?: string;
  outputs: { path: string; format: CoordinateFormat }[];
  /** Box size written to .box/.cbox outputs (default: the diameter). */
  boxSize?: number;
  /** Å per pixel as a list of micrographs gives it (a RELION micrographs STAR), over the file's own. */
  pixelSize?: number;
  /** That list, as messages name it ("the micrographs STAR x.star"). */
  list?: string;
  /** Why this input cannot be picked, found before the batch (a missing path named on the
   * command line): it fails in its place in the batch, the others are picked. */
  problem?: string;
}

/** Said once after a batch where the two networks disagreed on some micrographs (calibrate.ts unlikeTraining). */
export function disagreementWarning(unlike: number, picked: number): string {
  return `warning: on ${unlike} of ${picked} micrograph(s) the two networks disagreed (the classifier kept under ${UNLIKE_TRAINING_SHARE * 100}% of the detector's particle estimate at the default cutoff): such micrographs are unlike the simulated data the shipped models learnt from, and their picks are less sure. Check some, and that --diameter is the particles' size in these micrographs' pixels; drpnet fine-tune on a few labelled micrographs may pick them better`;
}

/** How progress lines and errors name a job: its label, else its file. */
export function jobLabel(job: PickJob): string {
  return job.label ?? job.file;
}

export interface BatchOptions {
  /** Skip a micrograph whose outputs all exist. */
  resume: boolean;
  /** Receives one line per micrograph (and the backend line); `failed` lines carry the reason. */
  report: (line: string, kind: 'info' | 'done' | 'skipped' | 'failed') => void;
  /** Checked before each micrograph; true stops the batch (RELION's abort request). */
  shouldStop?: () => Promise<boolean>;
  /** Receives measurements: once when the models are loaded, then once per picked micrograph. */
  stats?: (record: PickStats) => void;
}

/** What `drpnet pick --stats` writes, one JSON line per record (memory in bytes, times in ms). */
export type PickStats =
  | { event: 'ready'; backend: string; rssBytes: number }
  | {
      event: 'micrograph';
      micrograph: string;
      picks: number;
      candidates: number;
      /** Whether per-micrograph calibration shifted the classifier's scores (src/core/calibrate.ts). */
      calibrated: boolean;
      workingSize: string;
      /** Per stage: open (header, or the whole file when not streamed), the pipeline's stages, write. */
      timings: Record<string, number>;
      /** From opening the file to the last coordinate file written. */
      totalMs: number;
      rssBytes: number;
      /** The process's peak resident memory so far. */
      maxRssBytes: number;
    };

const rss = () => process.memoryUsage().rss;
const maxRss = () => process.resourceUsage().maxRSS * 1024;

export interface BatchResult {
  picked: number;
  skipped: number;
  failed: { job: PickJob; message: string }[];
  /** True when shouldStop ended the batch early. */
  stopped: boolean;
  /** Micrographs on which the two networks disagreed (calibrate.ts unlikeTraining). */
  unlike: number;
}

/**
 * Writes a micrograph's coordinate files, each whole (written aside, then renamed). When one
 * cannot be written (a full disk), those already written go too: a micrograph that failed leaves
 * no file that looks complete to RELION, and --resume picks it again.
 */
async function writeOutputs(job: PickJob, text: (format: CoordinateFormat) => string): Promise<void> {
  const written: string[] = [];
  try {
    for (const out of job.outputs) {
      await writeFileAtomic(out.path, text(out.format));
      written.push(out.path);
    }
  } catch (e) {
    await Promise.allSettled(written.map((f) => fs.rm(f, { force: true }))); // the write's error is the one to say
    throw e;
  }
}

/**
 * Canonical order (sorted by real path, de-duplicated), optionally one shard of it. A file
 * reached twice under the same name (a folder and a symbolic link to it, as RELION projects
 * hold) is picked once, in one shard; two names of one file are two outputs, so both stay.
 */
export async function planFiles(files: readonly string[], shard?: Shard): Promise<{ all: string[]; part: string[] }> {
  const real = new Map(await Promise.all(files.map(async (f) => [f, await realPath(f)] as const)));
  const all = canonicalOrder(files, (f) => `${real.get(f)}\0${path.basename(f)}`);
  return { all, part: shard ? all.slice(...shardRange(all.length, shard)) : all };
}

/** Throws when two micrographs would write the same output file. */
export function checkDistinctOutputs(jobs: readonly PickJob[]): void {
  const owner = new Map<string, string>();
  for (const job of jobs) {
    for (const out of job.outputs) {
      const key = path.resolve(out.path);
      const other = owner.get(key);
      if (other !== undefined && other !== job.file) {
        throw new UsageError(`${other} and ${job.file} would both be written to ${out.path}; give them different names or output folders`);
      }
      owner.set(key, job.file);
    }
  }
}

async function errorText(e: unknown, job: PickJob): Promise<string> {
  const label = jobLabel(job);
  // An error about the micrograph's content (not its file) may not name it.
  if (e instanceof DrpnetError) return e.file ? e.message : `${label}: ${e.message}`;
  if (e instanceof FileSystemError) return e.file === job.file ? `${label}: ${e.reason}` : `${label}: ${e.message}`;
  const err = e as NodeJS.ErrnoException;
  if (err.code !== undefined && err.path === job.file) {
    // Opening the micrograph failed: say why in words (a dangling link, a loop, ...).
    const why = await whyNotAFile(job.file);
    if (err.code === 'ENOENT' && why === fileSystemReason(err)) return `${label}: the micrograph file does not exist (${job.file})`;
    return `${label}: ${why ?? fileSystemReason(err)}`;
  }
  return `${label}: ${err.message}`;
}

/** Opens one micrograph file and picks it; an MRC streams from the open file into the working
 * scale, so the full-resolution image is never held. */
async function pickFile(job: PickJob, models: Models, settings: PickSettings, buffer: ReadBuffer) {
  const { file } = job;
  const t = performance.now();
  const reader = await openFileReader(file, buffer);
  try {
    const micrograph = await openMicrograph(reader, file, { frame: settings.frame });
    const open = msSince(t);
    const diameter = micrographDiameter(settings, job, micrograph.pixelSize, micrograph.pixelSizeRefused);
    const picked = await pickMicrograph(new PickSession(file, micrograph), models, { ...settings.params, diameter: diameter.px });
    const timings: Record<string, number> = { open, ...picked.timings };
    return { picked, note: micrograph.note, timings, diameter };
  } finally {
    await reader.close();
  }
}

/**
 * Picks each job in order with the shared pipeline, writing every output atomically. The
 * backend and models are loaded on the first micrograph that needs picking, so a batch that
 * is already complete costs nothing. One bad micrograph does not stop the others.
 */
export async function runPickBatch(jobs: readonly PickJob[], settings: PickSettings, opts: BatchOptions): Promise<BatchResult> {
  const result: BatchResult = { picked: 0, skipped: 0, failed: [], stopped: false, unlike: 0 };
  let models: Promise<{ models: Models; settings: PickSettings }> | undefined;
  const perMicrograph = settings.angstrom !== undefined && settings.angstrom.pixelSize === undefined;
  // Models fine-tuned on one data set fit its particles: a very different diameter is likely another set.
  let tunedAt: number | undefined;
  const checkTunedDiameter = (px: number, which: string) => {
    if (!tunedAt || Math.abs(px / tunedAt - 1) <= 0.25) return;
    opts.report(
      `warning: the models in ${settings.sources.dir} were fine-tuned at diameter ${tunedAt} px (${FINE_TUNE_REPORT}); ${which} picked at ${px} px`,
      'info',
    );
    tunedAt = undefined; // said once
  };
  const getModels = () =>
    (models ??= (async () => {
      const info = await startBackend(settings.backend);
      const loaded = await loadModels({ ...settings.sources, withClassifier: settings.params.useClassifier });
      const backend = describeBackend(info);
      const withModels = settingsWithModels(settings, loaded);
      const carried = Object.keys(withModels.fromModels).length
        ? `; the models' own settings (drpnet fine-tune): ${describeSettings(withModels.fromModels)}`
        : '';
      opts.report(
        `backend ${backend}, diameter ${describeDiameter({ px: settings.params.diameter, angstrom: settings.angstrom })}${carried}`,
        'info',
      );
      const dir = settings.sources.dir;
      tunedAt = dir && !settings.sources.detector ? await fineTunedDiameter(dir) : undefined;
      if (!perMicrograph) checkTunedDiameter(settings.params.diameter, 'these micrographs are');
      opts.stats?.({ event: 'ready', backend, rssBytes: rss() });
      return { models: loaded, settings: withModels.settings };
    })());
  let pixelsSaid = false;
  const readBuffer = new ReadBuffer(); // one for the whole batch: micrographs are read one at a time
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i];
    const tag = `[${i + 1}/${jobs.length}]`;
    const label = jobLabel(job);
    if (opts.shouldStop && (await opts.shouldStop())) {
      result.stopped = true;
      break;
    }
    if (opts.resume && (await allExist(job.outputs.map((o) => o.path)))) {
      result.skipped++;
      opts.report(`${tag} ${label}: skipped, output exists`, 'skipped');
      continue;
    }
    if (job.problem !== undefined) {
      result.failed.push({ job, message: job.problem });
      opts.report(`${tag} FAILED ${job.problem}`, 'failed');
      continue;
    }
    const t0 = performance.now();
    // Outside the per-micrograph try: models that cannot be loaded stop the batch once, they
    // do not fail every micrograph in turn.
    const loaded = await getModels();
    try {
      const tPick = performance.now(); // the first micrograph's t0 also covers loading the models
      const { picked, note, timings, diameter } = await pickFile(job, loaded.models, loaded.settings, readBuffer);
      if (perMicrograph) checkTunedDiameter(diameter.px, `${label} is`);
      const name = path.basename(job.file);
      const boxSize = job.boxSize ?? defaultBoxSize(diameter.px);
      const tWrite = performance.now();
      await writeOutputs(job, (format) => writeCoordinates(format, picked.picks, { micrographName: name, boxSize }));
      timings.write = msSince(tWrite);
      const { width, height } = picked.detection.map;
      opts.stats?.({
        event: 'micrograph',
        micrograph: job.file,
        picks: picked.picks.length,
        candidates: picked.all.length,
        calibrated: !!picked.calibration?.adjusted,
        workingSize: `${width}x${height}`,
        timings,
        totalMs: msSince(tPick),
        rssBytes: rss(),
        maxRssBytes: maxRss(),
      });
      result.picked++;
      if (unlikeTraining(picked.calibration)) result.unlike++;
      const secs = ((performance.now() - t0) / 1000).toFixed(2);
      const calibrated = describeCalibration(picked.calibration);
      const notes = [describeConversion(diameter), note, calibrated && `calibrated: ${calibrated}`].filter(Boolean).join('; ');
      if (!settings.angstrom && diameter.pixelSize !== undefined && !pixelsSaid) {
        // A RELION user's diameter is in Å everywhere else: say once what this one is in Å.
        pixelsSaid = true;
        const inA = toTenth(pixelsToAngstrom(diameter.px, diameter.pixelSize));
        opts.report(
          `diameter ${diameter.px} px = ${inA} Å at ${formatPixelSize(diameter.pixelSize)} Å/px (${label}: ${diameter.from}); for a diameter in Å give --diameter-angstrom`,
          'info',
        );
      }
      opts.report(`${tag} ${label}: ${picked.picks.length} picks in ${secs} s${notes ? ` (${notes})` : ''}`, 'done');
    } catch (e) {
      const message = await errorText(e, job);
      result.failed.push({ job, message });
      opts.report(`${tag} FAILED ${message}`, 'failed');
    }
  }
  return result;
}

/** What a micrograph's line says of its diameter: the conversion made for it, and a pixel size that disagrees. */
function describeConversion(d: MicrographDiameter): string | undefined {
  const converted = d.converted && `diameter ${d.px} px at ${formatPixelSize(d.pixelSize!)} Å/px from ${d.from}`;
  const disagrees = d.disagrees && `${d.disagrees}, not used`;
  return [converted, disagrees].filter(Boolean).join(', ') || undefined;
}

/** How the log names the diameter: in pixels, or the Å given and how they become pixels. */
/** Appends --stats records to `file` (emptied first). Measurements are secondary: if the file
 * cannot be written, picking goes on, with one warning. */
async function statsWriter(file: string): Promise<((record: PickStats) => void) | undefined> {
  const warn = (e: unknown) =>
    process.stderr.write(
      `drpnet pick: warning: --stats ${file} cannot be written (${e instanceof FileSystemError ? e.reason : fileSystemReason(e)}); picking goes on without it\n`,
    );
  try {
    await writeFileAtomic(file, '');
  } catch (e) {
    warn(e);
    return undefined;
  }
  let failed = false;
  return (record) => {
    if (failed) return;
    try {
      appendFileSync(file, JSON.stringify(record) + '\n');
    } catch (e) {
      failed = true;
      warn(e);
    }
  };
}

/** The signals that stop a batch from outside: SIGTERM (SLURM's time limit, scancel, `kill`), SIGINT (Ctrl-C). */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

export async function pickCommand(argv: string[]): Promise<number> {
  const args = parse(
    argv,
    {
      ...PICK_OPTIONS,
      micrographs: { type: 'string', multiple: true },
      out: { type: 'string' },
      format: { type: 'string' },
      'box-size': { type: 'string' },
      shard: { type: 'string' },
      resume: { type: 'boolean' },
      stats: { type: 'string' },
    },
    HELP,
  );
  if (args.wantsHelp) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const v = args.values;
  const settings = pickSettingsFrom(v, HELP);
  const named = [...(v.micrographs ?? []), ...args.positionals];
  if (!named.length) throw new UsageError(`no micrographs given\n${HELP}`);
  const formats: CoordinateFormat[] = choiceListOption(v.format, 'format', FORMATS) ?? ['star'];
  // Not given: each micrograph's default, from its diameter (which --diameter-angstrom makes per micrograph).
  const boxSize = numberOption(v['box-size'], 'box-size', ABOVE_ZERO);
  if (boxSize !== undefined && !formats.some((f) => COORDINATE_FORMATS[f].boxSize))
    throw new UsageError(
      `--box-size is written to .box and .cbox files, and --format ${formats.join(',')} writes neither; add box to --format, or leave --box-size out`,
    );
  const shard = v.shard === undefined ? undefined : parseShard(v.shard);
  const out = pathOption(v.out, 'out');
  const statsFile = pathOption(v.stats, 'stats');
  await checkModelFiles(settings.sources, settings.params.useClassifier);

  const inputs = await expandInputs(named, isMicrographFileName);
  for (const s of inputs.skipped) process.stderr.write(`drpnet pick: warning: skipped ${s.message}\n`);
  // A named input that cannot be read is planned like the others (so one shard reports it)
  // and fails in its place.
  const problems = new Map(inputs.failed.map((f) => [f.file, f.message]));
  // A RELION STAR list named as a micrograph: relion-external is what picks what it lists.
  for (const f of inputs.files.filter(isStarFile))
    problems.set(
      f,
      `${f}: ${STAR_NOT_MICROGRAPH}; to pick the micrographs a RELION STAR file lists, run drpnet relion-external --in_mics ${f}`,
    );
  const found = [...inputs.files.filter((f) => !problems.has(f)), ...problems.keys()];
  if (!found.length) throw new UsageError(nothingFoundMessage(inputs));
  for (const s of inputs.unsearched) process.stderr.write(`drpnet pick: warning: ${s.message}\n`);
  const { all, part: files } = await planFiles(found, shard);
  const jobFor = (file: string): PickJob => ({
    file,
    boxSize,
    problem: problems.get(file),
    outputs: formats.map((format) => ({
      path: path.join(out ?? path.dirname(file), coordinateFileName(path.basename(file), format)),
      format,
    })),
  });
  // Checked over the whole plan, not this shard's part: two micrographs in different shards
  // would otherwise overwrite each other's picks (or, with --resume, one would be skipped).
  checkDistinctOutputs(all.map(jobFor));
  const jobs = files.map(jobFor);
  checkPixelSizesKnown(all.map(jobFor), settings); // as the outputs: every shard refuses alike
  // Every output folder is checked before the first micrograph is picked.
  const folders = new Set(jobs.filter((j) => j.problem === undefined).flatMap((j) => j.outputs.map((o) => path.dirname(o.path))));
  for (const folder of folders) {
    await checkWritableFolder(folder).catch((e: FileSystemError) => {
      throw new UsageError(`${e.message}${out === undefined ? ' (--out DIR writes the coordinate files elsewhere)' : ''}`);
    });
  }
  const part = shard ? `shard ${shard.index}/${shard.count}: ${files.length} of ${all.length}` : `${files.length}`;
  process.stderr.write(`drpnet pick: ${part} micrograph(s)${v.resume ? ', resuming' : ''}\n`);

  // SIGTERM (SLURM's time limit, scancel) or Ctrl-C stops the batch between micrographs, so no
  // half-written file is left and the count is said; a second one stops at once.
  let stoppedBy: NodeJS.Signals | undefined;
  const onStop = (signal: NodeJS.Signals) => {
    if (stoppedBy) process.exit(128 + osConstants.signals[signal]);
    stoppedBy = signal;
    process.stderr.write(`drpnet pick: ${signal}: stopping once the micrograph being picked is written (again: at once)\n`);
  };
  for (const s of STOP_SIGNALS) process.on(s, onStop);
  let res: BatchResult;
  try {
    res = await runPickBatch(jobs, settings, {
      resume: Boolean(v.resume),
      report: (line, kind) => process.stderr.write(`${kind === 'info' ? 'drpnet pick: ' : ''}${line}\n`),
      stats: statsFile === undefined ? undefined : await statsWriter(statsFile),
      shouldStop: async () => stoppedBy !== undefined,
    });
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onStop);
  }
  if (res.stopped && stoppedBy) {
    const left = jobs.length - res.picked - res.skipped - res.failed.length;
    process.stderr.write(
      `drpnet pick: stopped by ${stoppedBy}: ${res.picked} picked, ${res.skipped} skipped, ${res.failed.length} failed, ${left} not reached; run again with --resume to pick the rest\n`,
    );
    return 128 + osConstants.signals[stoppedBy];
  }
  const skipped = res.skipped ? `, ${res.skipped} skipped (outputs existed, kept as an earlier run picked them)` : '';
  process.stderr.write(`drpnet pick: ${res.picked} picked${skipped}, ${res.failed.length} failed\n`);
  // Said once, after the count: picks look as many as the particles there (calibration) and may still be half wrong.
  if (res.unlike) process.stderr.write(`drpnet pick: ${disagreementWarning(res.unlike, res.picked)}\n`);
  return res.failed.length ? 1 : 0;
}
