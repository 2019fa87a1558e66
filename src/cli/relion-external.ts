// `drpnet relion-external`: DRPnet as a RELION External job (RELION 3.1, 4 and 5). Run from
// the RELION project directory; reads the micrographs STAR, picks each micrograph with the
// same loop as `drpnet pick`, and leaves in the job directory what RELION's own AutoPick job
// leaves: per-micrograph <name>_autopick.star files, the list files, RELION_OUTPUT_NODES.star
// and RELION_JOB_EXIT_SUCCESS, or RELION_JOB_EXIT_FAILURE with the reason on stderr and in
// drpnet.log. File layout facts and their sources: src/core/relion/job.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, promises as fs, writeFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseShard, selectShard, type Shard } from '../core/batch/shard';
import { readRelionMicrographs, writeRelionCoordinateList } from '../core/coords';
import { ParameterError } from '../core/errors';
import {
  COORDINATE_LIST_FILE,
  COORDS_SUFFIX_FILE,
  coordinateFilePath,
  coordsSuffixText,
  outputNodesText,
  pipelineVersion,
  RELION_JOB_ABORT_NOW,
  RELION_JOB_EXIT_ABORTED,
  RELION_JOB_EXIT_FAILURE,
  RELION_JOB_EXIT_SUCCESS,
  RELION_OUTPUT_NODES,
  RELION_PIPELINE,
  type RelionPipelineVersion,
} from '../core/relion/job';
import { ANGSTROM_OPTIONS, nearestOption, stoppingMessage, UsageError } from './args';
import { allExist, checkWritableFolder, describeFileSystemError, writeFileAtomic } from './files';
import { checkModelFiles } from './models';
import {
  checkDistinctOutputs,
  checkPixelSizesKnown,
  disagreementWarning,
  jobLabel,
  PICK_OPTIONS,
  PICK_OPTIONS_HELP,
  pickSettingsFrom,
  runPickBatch,
  type PickJob,
  type PickOptionValues,
  STOP_SIGNALS,
} from './pick';

const HELP = `usage (from the RELION project directory):
  drpnet relion-external --o JOB_DIR --in_mics MICROGRAPHS_STAR --diameter PX | --diameter_angstrom A [options]

RELION's External job passes --o, --in_mics, every parameter as --<label> <value> (a bare
--<label> when the value is empty) and --j. Option names may use - or _ (--k_level, --k-level).

${PICK_OPTIONS_HELP}
  --j N                pick with N processes (RELION's "Number of threads"; default 1)
  --overwrite          pick every micrograph again (default: keep coordinate files that
                       exist, like RELION's "only do unfinished")
  --relion_version V   3.1 or 4 (also for 5): which RELION_OUTPUT_NODES.star to write
                       (default: read from default_pipeline.star, else 4)
  --shard I/N          pick only part I of N (cluster arrays); writes no RELION exit files,
                       a later run without --shard finishes the job

Stopped by RELION's Abort (RELION_JOB_ABORT_NOW), SIGTERM (SLURM's time limit, scancel) or
SIGINT (Ctrl-C), it stops its worker processes and writes RELION_JOB_EXIT_ABORTED; Continue
keeps what was picked and picks the rest.`;

/** Log file in the job directory (RELION itself captures stdout/stderr in run.out/run.err). */
export const LOG_FILE = 'drpnet.log';

/**
 * The picking options of the run that first wrote coordinate files into the job directory (its
 * shards write the same), so that a later run (RELION's Continue, or the run after the shards)
 * says when the files it keeps were picked with other settings, and only then.
 */
const SETTINGS_FILE = 'drpnet_settings.json';

/** What SETTINGS_FILE holds once the job's files were made with more than one run's options: equal to no run's. */
const MIXED_SETTINGS = JSON.stringify({ mixed: 'coordinate files of runs with different options' }) + '\n';

/** The picking options given, without the job's own (--o, --j, --shard...): what decides the picks. */
function pickingOptions(v: Values): string {
  const own = new Set(Object.keys(OWN_OPTIONS));
  const entries = Object.entries(v).filter(([k, value]) => !own.has(k) && value !== undefined);
  return JSON.stringify(Object.fromEntries(entries.sort(([a], [b]) => a.localeCompare(b)))) + '\n';
}

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/drpnet.js');

const OWN_OPTIONS = {
  o: 'string',
  'in-mics': 'string',
  j: 'string',
  overwrite: 'boolean',
  'relion-version': 'string',
  shard: 'string',
  'pipeline-control': 'string',
  help: 'boolean',
} as const;

type OptionType = 'string' | 'boolean';
const KNOWN: Record<string, OptionType> = {
  ...OWN_OPTIONS,
  ...Object.fromEntries(Object.entries(PICK_OPTIONS).map(([k, o]) => [k, o.type])),
};

type Values = Record<string, string | boolean | undefined>;

function booleanValue(name: string, value: string): boolean {
  if (/^(yes|y|true|on|1)$/i.test(value)) return true;
  if (/^(no|n|false|off|0)$/i.test(value)) return false;
  throw new UsageError(`--${name}: '${value}' is not yes or no`);
}

/** Options with nothing to fall back on when left empty (the others have defaults: the shipped models, the frame average, ...). */
const NO_DEFAULT = ['diameter', ...ANGSTROM_OPTIONS];

/**
 * RELION-style `--name value` / bare `--name` tokens; names folded to lower case with '-'. A
 * picking parameter that takes a value but has none is left out, with a line to `warn`: RELION passes a
 * parameter whose value the user left empty in the External job's tab as a bare `--name`. The
 * job's own options (--o, --in_mics, --shard, --j...) still need theirs.
 */
export function parseRelionArgs(argv: readonly string[], warn: (line: string) => void = () => {}): Values {
  const out: Values = {};
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (!token.startsWith('--') || token.length < 3)
      throw new UsageError(`unexpected argument '${token}' (options are --name value)\n${HELP}`);
    const eq = token.indexOf('=');
    const typed = eq > 0 ? token.slice(2, eq) : token.slice(2);
    const name = typed.toLowerCase().replace(/_/g, '-');
    const type = KNOWN[name];
    if (!type && name === 'particle-diameter')
      throw new UsageError(
        `unknown option --${typed}: RELION's particle diameter is in Å here too: give diameter_angstrom (or diameter, in pixels)`,
      );
    if (!type) {
      // Said in the spelling typed (RELION's tab gives underscores); the whole help would fill the job's log.
      const near = nearestOption(name, Object.keys(KNOWN));
      const spelt = near && typed.includes('_') ? near.replace(/-/g, '_') : near;
      throw new UsageError(
        `unknown option --${typed}${spelt ? `; did you mean --${spelt}?` : ''} (drpnet relion-external --help lists them)`,
      );
    }
    let value: string | undefined = eq > 0 ? token.slice(eq + 1) : undefined;
    if (value === undefined && i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    if (type === 'boolean') out[name] = value === undefined ? true : booleanValue(name, value);
    else if (value !== undefined && value !== '') out[name] = value;
    // Only a picking parameter has a default to fall back on; --o, --in_mics, --shard and --j must say what they mean.
    else if (name in PICK_OPTIONS)
      warn(
        `--${typed} has no value (left empty in the job's parameters?): ${NO_DEFAULT.includes(name) ? 'left out' : 'its default is used'}`,
      );
    else throw new UsageError(`--${name} needs a value`);
  }
  return out;
}

interface Plan {
  /** Job directory as RELION names it, relative to the project ("External/job005"). */
  jobRel: string;
  /** Micrograph names in the STAR's order, duplicates removed. */
  names: string[];
  jobs: PickJob[];
}

function projectRelative(cwd: string, p: string): string {
  const rel = path.relative(cwd, path.resolve(cwd, p));
  return (rel.startsWith('..') || path.isAbsolute(rel) ? path.resolve(cwd, p) : rel).split(path.sep).join('/');
}

async function planJob(cwd: string, jobDir: string, inMics: string, shard: Shard | undefined): Promise<Plan> {
  const starPath = path.resolve(cwd, inMics);
  const text = await fs.readFile(starPath, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new ParameterError(`${inMics}: cannot read the micrographs STAR file (${e.code === 'ENOENT' ? 'no such file' : e.message})`);
  });
  const entries = readRelionMicrographs(text, inMics);
  const names = [...new Set(entries.map((m) => m.name))];
  // The STAR's pixel size (its optics group's) is RELION's own for the micrograph: --diameter-angstrom converts with it.
  const pixelSizes = new Map(entries.map((m) => [m.name, m.pixelSize]));
  if (!names.length) throw new ParameterError(`${inMics}: the micrographs STAR file lists no micrographs`);
  // RELION names files relative to the project directory and runs jobs there: from anywhere
  // else every micrograph would fail on its own, one line each.
  const found = await Promise.all(
    names.map((n) =>
      fs.stat(path.resolve(cwd, n)).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (!found.some(Boolean))
    throw new ParameterError(
      `${inMics}: none of its ${names.length} micrograph(s) is found from ${cwd} (e.g. ${names[0]}); RELION names them relative to the project directory: run drpnet relion-external from there`,
    );
  const jobRel = projectRelative(cwd, jobDir);
  const jobAbs = path.resolve(cwd, jobDir);
  const all: PickJob[] = names.map((name) => {
    const out = path.resolve(cwd, coordinateFilePath(jobRel, name));
    if (!out.startsWith(jobAbs + path.sep))
      throw new ParameterError(`${inMics}: micrograph ${name} would get a coordinate file outside the job directory (${out})`);
    return {
      file: path.resolve(cwd, name),
      label: name,
      pixelSize: pixelSizes.get(name),
      list: `the micrographs STAR ${inMics}`,
      outputs: [{ path: out, format: 'star' }],
    };
  });
  checkDistinctOutputs(all);
  const byName = new Map(names.map((n, i) => [n, all[i]]));
  const order = shard ? selectShard(names, (n) => n, shard) : names;
  return { jobRel, names, jobs: order.map((n) => byName.get(n)!) };
}

/** The RELION version whose output-node file to write: the option, else the project's pipeline file. */
async function resolveVersion(cwd: string, option: string | undefined): Promise<RelionPipelineVersion> {
  if (option !== undefined) {
    if (/^3(\.1)?$/.test(option)) return '3.1';
    if (/^[45](\.\d+)?$/.test(option)) return '4';
    throw new UsageError(`--relion_version: '${option}' is not 3.1, 4 or 5`);
  }
  const text = await fs.readFile(path.join(cwd, RELION_PIPELINE), 'utf8').catch(() => '');
  return pipelineVersion(text) ?? '4';
}

/** What a worker process (--j) tells the job when it has been through its part: the parent
 * neither picks those micrographs again nor reports their failures twice, and counts them. */
export interface WorkerReport {
  /** The micrographs of its part (their names in the micrographs STAR), each picked, already done or failed. */
  labels: string[];
  picked: number;
  skipped: number;
  failed: { label: string; message: string }[];
  /** Micrographs picked on which the two networks disagreed (pick.ts BatchResult.unlike). */
  unlike: number;
}

/** Set in a worker's environment: it reports to the job over the IPC channel instead of summing up itself. */
const WORKER_ENV = 'DRPNET_RELION_WORKER';

/** How this process reports its part when it is a worker of a job, else undefined. */
function workerReporter(): ((report: WorkerReport) => Promise<void>) | undefined {
  const send = process.send?.bind(process);
  if (process.env[WORKER_ENV] !== '1' || !send) return undefined;
  return (report) =>
    new Promise((resolve) =>
      send(report, undefined, {}, () => {
        process.disconnect(); // the channel would keep the worker alive
        resolve();
      }),
    );
}

/** Runs `drpnet relion-external ... --shard i/n` for i < n in parallel, each added to
 * `children` as it starts (a stop signal stops them too); resolves when all exit, with the
 * reports of those that went through their part (one that crashed or was stopped sends none)
 * and a line for each killed by a signal. */
async function runChildren(
  argv: readonly string[],
  n: number,
  cwd: string,
  children: ChildProcess[],
): Promise<{ reports: WorkerReport[]; lost: string[] }> {
  const base: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (/^--(j|shard)$/.test(argv[i])) i++;
    else if (!/^--(j|shard)=/.test(argv[i])) base.push(argv[i]);
  }
  const reports: WorkerReport[] = [];
  const reported = new Set<ChildProcess>();
  for (let i = 0; i < n; i++) {
    const child = spawn(process.execPath, [BIN, 'relion-external', ...base, '--shard', `${i}/${n}`], {
      cwd,
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, [WORKER_ENV]: '1' },
    });
    child.on('message', (m) => {
      reports.push(m as WorkerReport);
      reported.add(child);
    });
    children.push(child);
  }
  await Promise.all(children.map(closed));
  // Killed by a signal (a worker that fails or stops on RELION's abort exits and says why itself).
  const lost = children
    .filter((c) => !reported.has(c) && c.signalCode)
    .map(
      (c) =>
        `worker process ${children.indexOf(c) + 1} of ${n} was killed (${c.signalCode}${c.signalCode === 'SIGKILL' ? ': from outside, or out of memory' : ''})`,
    );
  return { reports, lost };
}

/** Resolves when the process has exited and its output is closed (at once when it already has). */
function closed(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => c.once('close', () => resolve()));
}

/** How long a stopped job waits for its worker processes to stop before it kills them. */
const WORKER_STOP_MS = 5000;

/** Stops the worker processes with `signal`; resolves when all have exited, killing any still running after WORKER_STOP_MS. */
async function stopChildren(children: readonly ChildProcess[], signal: NodeJS.Signals): Promise<void> {
  const running = children.filter((c) => c.exitCode === null && c.signalCode === null);
  for (const c of running) c.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, WORKER_STOP_MS)));
  await Promise.race([Promise.all(running.map(closed)), late]);
  clearTimeout(timer);
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.all(running.map(closed));
}

/** Sums what the worker processes and this process's own pass did. */
function jobTotals(
  reports: readonly WorkerReport[],
  own: { picked: number; skipped: number; unlike: number; failed: { message: string }[] },
) {
  return {
    picked: reports.reduce((s, r) => s + r.picked, own.picked),
    skipped: reports.reduce((s, r) => s + r.skipped, own.skipped),
    unlike: reports.reduce((s, r) => s + r.unlike, own.unlike),
    failed: [...reports.flatMap((r) => r.failed.map((f) => f.message)), ...own.failed.map((f) => f.message)],
  };
}

/** What a whole run (not a shard) writes once, at its end: the exit files, the list files and the output node. */
const JOB_OUTCOME_FILES = [
  RELION_JOB_EXIT_SUCCESS,
  RELION_JOB_EXIT_FAILURE,
  RELION_JOB_EXIT_ABORTED,
  COORDS_SUFFIX_FILE,
  COORDINATE_LIST_FILE,
  RELION_OUTPUT_NODES,
];

/** Whether every output exists, written at `since` (ms since the epoch) or later. */
async function writtenSince(outputs: readonly { path: string }[], since: number): Promise<boolean> {
  const stats = await Promise.all(outputs.map((o) => fs.stat(o.path).catch(() => undefined)));
  return stats.every((st) => st && st.mtimeMs >= since);
}

/** The value of the first of `names` given in `argv` (`--o DIR` or `--o=DIR`), before the options are parsed. */
function rawOption(argv: readonly string[], names: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    for (const n of names) {
      if (argv[i] === n) return argv[i + 1];
      if (argv[i].startsWith(`${n}=`)) return argv[i].slice(n.length + 1);
    }
  }
  return undefined;
}

export interface ExternalEnv {
  /** The RELION project directory (default: the working directory). */
  cwd?: string;
}

export async function relionExternalCommand(argv: string[], env: ExternalEnv = {}): Promise<number> {
  const cwd = env.cwd ?? process.cwd();
  // Find --o first: once the job directory is known, every failure must leave an exit file
  // there, or RELION shows the job as running forever.
  const oArg = rawOption(argv, ['--o']);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  if (!oArg || oArg.startsWith('--')) throw new UsageError(`--o JOB_DIR is required\n${HELP}`);
  const jobDir = path.resolve(cwd, oArg);
  // The folder of the micrographs STAR is another job's (MotionCorr/job002/): writing there, and
  // first clearing its RELION_OUTPUT_NODES.star, would damage that job. Refused before anything is written.
  const inMicsArg = rawOption(argv, ['--in_mics', '--in-mics']);
  if (inMicsArg && path.dirname(path.resolve(cwd, inMicsArg)) === jobDir)
    throw new UsageError(
      `--o ${oArg} is the folder of --in_mics ${inMicsArg}, the job that made it; an External job writes into a folder of its own (External/jobNNN/), as RELION gives it`,
    );
  const inJob = (name: string) => path.join(jobDir, name);
  const sharded = argv.some((a) => a === '--shard' || a.startsWith('--shard='));
  /** A worker process of a job run with --j: the job reports for it. */
  const isWorker = process.env[WORKER_ENV] === '1';
  const log = async (line: string) => fs.appendFile(inJob(LOG_FILE), `${new Date().toISOString()} ${line}\n`);
  // Set once the job's outcome is being written: a stop signal then lets it finish.
  let ending = false;
  /** The signal that stopped the job: its handler writes the outcome, nothing else may. */
  let stoppedBy: NodeJS.Signals | undefined;
  /** Where the job goes once a stop signal has taken over: nowhere, until its handler exits. */
  const halted = () => new Promise<number>(() => {});
  /** Worker processes (--j), stopped with the job. */
  const children: ChildProcess[] = [];
  const fail = async (reason: string): Promise<number> => {
    if (stoppedBy) return halted();
    ending = true;
    // A worker process (--j) that stops before reporting leaves its part to the job's own pass,
    // which meets the same failure and says it once (it was said once per process); the log keeps
    // the worker's reason as a note, in case the job's pass then succeeds.
    if (isWorker) {
      await log(`a worker process stopped (${reason}); the job picks its micrographs itself`);
      return 1;
    }
    process.stderr.write(`drpnet relion-external: ${reason}\n`);
    await log(`FAILED: ${reason}`);
    if (!sharded) await writeFileAtomic(inJob(RELION_JOB_EXIT_FAILURE), '');
    return 1;
  };

  const startedAt = Date.now();
  const runJob = async (): Promise<number> => {
    try {
      const warnings: string[] = [];
      const v = parseRelionArgs(argv, (line) => warnings.push(line));
      // Said once, by the job: its worker processes (--j) parse the same arguments.
      for (const line of isWorker ? [] : warnings) {
        process.stderr.write(`drpnet relion-external: warning: ${line}\n`);
        await log(`warning: ${line}`);
      }
      if (!v['in-mics']) throw new UsageError('--in_mics MICROGRAPHS_STAR is required');
      const settings = pickSettingsFrom(v as PickOptionValues, HELP);
      await checkModelFiles(settings.sources, settings.params.useClassifier);
      const shard = typeof v.shard === 'string' ? parseShard(v.shard) : undefined;
      const j = v.j === undefined ? 1 : Number(v.j);
      if (!Number.isInteger(j) || j < 1) throw new UsageError(`--j: '${String(v.j)}' is not a positive whole number`);
      const version = await resolveVersion(cwd, v['relion-version'] as string | undefined);
      const inMics = v['in-mics'] as string;
      const plan = await planJob(cwd, oArg, inMics, shard);
      checkPixelSizesKnown(plan.jobs, settings);
      const prefix = shard ? `[shard ${shard.index}/${shard.count}] ` : '';
      process.stdout.write(`${prefix}drpnet relion-external: ${plan.jobs.length} micrograph(s) from ${inMics} into ${plan.jobRel}/\n`);

      // Read before this run writes it: what the files already there were picked with.
      const options = pickingOptions(v);
      const earlier = await fs.readFile(inJob(SETTINGS_FILE), 'utf8').catch(() => undefined);
      // Other options than the files there were made with: from now on they are mixed (until an --overwrite run has picked them all).
      if (earlier !== options) await writeFileAtomic(inJob(SETTINGS_FILE), earlier === undefined ? options : MIXED_SETTINGS);
      const workers = shard ? 1 : Math.min(j, plan.jobs.length);
      const { reports, lost } = workers > 1 ? await runChildren(argv, workers, cwd, children) : { reports: [], lost: [] };
      if (stoppedBy) return halted();
      for (const line of lost) {
        const warning = `warning: ${line}; this process picks its micrographs itself`;
        process.stderr.write(`drpnet relion-external: ${warning}\n`);
        await log(warning);
      }
      // After worker processes, this pass picks only the parts of those that did not report
      // (one crashed, or stopped on RELION's abort, which this pass then stops on too).
      const covered = new Set(reports.flatMap((r) => r.labels));
      const abortFile = inJob(RELION_JOB_ABORT_NOW);
      const res = await runPickBatch(
        plan.jobs.filter((job) => !covered.has(jobLabel(job))),
        settings,
        {
          resume: workers > 1 || !v.overwrite,
          report: (line, kind) => {
            // The workers already said which micrographs they picked; this pass only checks.
            if (workers > 1 && kind === 'skipped') return;
            // The workers share settings: what is said once (the backend, the diameter) is said by the first.
            if (kind === 'info' && isWorker && shard && shard.index > 0) return;
            (kind === 'failed' ? process.stderr : process.stdout).write(`${prefix}${line}\n`);
          },
          shouldStop: () => allExist([abortFile]),
        },
      );
      for (const f of res.failed) await log(`micrograph failed: ${f.message}`);
      const toJob = workerReporter();
      if (toJob && !res.stopped) {
        // The job sums up the parts: a failure is said once, in its totals.
        const failed = res.failed.map((f) => ({ label: jobLabel(f.job), message: f.message }));
        ending = true; // the channel closes after the report: no stop
        await toJob({ labels: plan.jobs.map(jobLabel), picked: res.picked, skipped: res.skipped, failed, unlike: res.unlike });
        return failed.length ? 1 : 0;
      }
      if (res.stopped) {
        // A worker process (--j) stops quietly: the job says it once, with the whole count.
        if (isWorker) return 1;
        // Counted from the job directory: worker processes (--j) pick beside this one, and earlier
        // runs count too, unless --overwrite picks them again: then only files written since it started.
        const done = await Promise.all(
          plan.jobs.map((job) => (v.overwrite ? writtenSince(job.outputs, startedAt) : allExist(job.outputs.map((o) => o.path)))),
        );
        const again = v.overwrite ? ' again by this run (--overwrite)' : '';
        const note = `stopped on ${RELION_JOB_ABORT_NOW} with ${done.filter(Boolean).length} of ${plan.jobs.length} micrograph(s) picked${again}`;
        process.stderr.write(`${prefix}drpnet relion-external: ${note}\n`);
        await log(note);
        ending = true;
        if (!sharded) {
          await fs.rm(abortFile, { force: true });
          await writeFileAtomic(inJob(RELION_JOB_EXIT_ABORTED), '');
        }
        return 1;
      }
      const totals = jobTotals(reports, res);
      if (!sharded && earlier !== options) {
        // None picked with these options (a Continue that found every file there, or whose
        // micrographs to pick all failed): the files, and so the record, are as before.
        if (!totals.picked) {
          if (earlier !== undefined) await writeFileAtomic(inJob(SETTINGS_FILE), earlier);
        }
        // Every file picked with these options (a run that kept none, where with --overwrite none
        // failed either: a failed one keeps its old file): the record says so again.
        else if (!totals.skipped && !(v.overwrite && totals.failed.length)) await writeFileAtomic(inJob(SETTINGS_FILE), options);
      }
      if (totals.failed.length) {
        const list = totals.failed.map((message) => `  ${message}`).join('\n');
        return await fail(`${totals.failed.length} of ${plan.jobs.length} micrograph(s) failed:\n${list}`);
      }
      await log(`${totals.picked} picked, ${totals.skipped} already done${workers > 1 ? ` (${workers} worker processes)` : ''}`);
      if (totals.unlike) {
        const warning = disagreementWarning(totals.unlike, totals.picked);
        process.stdout.write(`drpnet relion-external: ${warning}\n`);
        await log(warning);
      }
      // Files of other options than these in the job (never said when they were picked with these:
      // the shards before this run, a Continue after an abort). RELION's Continue keeps finished
      // files; a tester changed the diameter and got the old picks back without a word.
      if (!sharded && earlier !== options && totals.skipped)
        process.stdout.write(
          `drpnet relion-external: ${totals.skipped} micrograph(s) kept the coordinate files of an earlier run, picked with that run's settings; --overwrite picks them again with these\n`,
        );
      if (sharded) return 0;

      ending = true;
      const listEntries = plan.names.map((name) => ({ micrographName: name, coordinateFile: coordinateFilePath(plan.jobRel, name) }));
      await writeFileAtomic(inJob(COORDS_SUFFIX_FILE), coordsSuffixText(inMics));
      await writeFileAtomic(inJob(COORDINATE_LIST_FILE), writeRelionCoordinateList(listEntries));
      await writeFileAtomic(inJob(RELION_OUTPUT_NODES), outputNodesText(plan.jobRel, version));
      await writeFileAtomic(inJob(RELION_JOB_EXIT_SUCCESS), '');
      process.stdout.write(
        `drpnet relion-external: done, ${plan.names.length} coordinate file(s) listed in ${plan.jobRel}/${version === '3.1' ? COORDS_SUFFIX_FILE : COORDINATE_LIST_FILE}\n`,
      );
      return 0;
    } catch (e) {
      return fail(stoppingMessage(e));
    }
  };

  // A job stopped from outside must still leave an exit file, or RELION shows it as running
  // forever: on SIGTERM or SIGINT, log it, pass the signal on to the worker processes and wait
  // for them (WORKER_STOP_MS at most: none may pick on after the job is marked), write
  // RELION_JOB_EXIT_ABORTED (as RELION's own programs do when aborted; RELION 3.1.3's
  // relion_pipeliner then marks the job aborted, test/relion/external-job.test.ts) and exit
  // with 128 + the signal's number. Without workers at once, written synchronously: nothing else
  // runs before the exit; with them, only they are waited for (this process only waits on them).
  const onStopSignal = (signal: NodeJS.Signals) => {
    if (ending) return;
    ending = true;
    stoppedBy = signal;
    const note = `stopped by ${signal}`;
    // Said by the job, not again by each of its worker processes (they get the signal too).
    if (!isWorker) process.stderr.write(`drpnet relion-external: ${note}\n`);
    const abort = () => {
      try {
        mkdirSync(jobDir, { recursive: true }); // stopped before it was made
        if (!sharded) writeFileSync(inJob(RELION_JOB_EXIT_ABORTED), '');
      } catch (e) {
        process.stderr.write(`drpnet relion-external: ${describeFileSystemError(e, inJob(RELION_JOB_EXIT_ABORTED))}\n`);
      }
      process.exit(128 + osConstants.signals[signal]);
    };
    try {
      mkdirSync(jobDir, { recursive: true });
      if (!isWorker) appendFileSync(inJob(LOG_FILE), `${new Date().toISOString()} ${note}\n`);
    } catch {
      // The exit file's write below says what is wrong with the folder.
    }
    if (!children.length) abort();
    else void stopChildren(children, signal).then(abort);
  };
  for (const s of STOP_SIGNALS) process.on(s, onStopSignal);
  // A worker process whose job died without stopping it (SIGKILL, out of memory) sees its channel
  // close: it stops as on SIGTERM, rather than pick on beside a rerun of the job.
  const onParentGone = () => onStopSignal('SIGTERM');
  if (isWorker) process.on('disconnect', onParentGone);
  try {
    // No exit file can be written where the job directory cannot be: said in words, exit 2.
    await checkWritableFolder(jobDir);
    // What an earlier run of the job ended with goes first: a run that fails must not leave
    // the list files and output node of an earlier success beside its RELION_JOB_EXIT_FAILURE.
    // The coordinate files stay: a rerun keeps them ("only do unfinished").
    if (!sharded) for (const f of JOB_OUTCOME_FILES) await fs.rm(inJob(f), { force: true });
    await log(`drpnet relion-external ${argv.join(' ')}`);
    return await runJob();
  } finally {
    for (const s of STOP_SIGNALS) process.off(s, onStopSignal);
    process.off('disconnect', onParentGone);
  }
}
