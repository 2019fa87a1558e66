// Running the real RELION 3.1 programs (Debian package `relion`) from the integration tests
// and the peer benchmark. Nothing here is skipped when RELION is missing: the caller gets an
// error that says how to install it (CI does, in .ci/run).
import { spawnSync } from 'node:child_process';

/** The RELION programs the tests and the benchmark run. */
export const RELION_PROGRAMS = ['relion_preprocess', 'relion_autopick', 'relion_pipeliner'] as const;
export type RelionProgram = (typeof RELION_PROGRAMS)[number];

/** The RELION version line (`relion_preprocess --version`), or an Error saying what is missing. */
export function relionVersion(): string {
  const missing = RELION_PROGRAMS.filter((p) => spawnSync('sh', ['-c', `command -v ${p}`]).status !== 0);
  if (missing.length) {
    throw new Error(
      `RELION is not installed: ${missing.join(', ')} not found on the PATH. These tests run the real RELION 3.1 ` +
        '(Debian: `apt-get install -y relion`; .ci/run installs it when relion_preprocess is missing).',
    );
  }
  const out = spawnSync('relion_preprocess', ['--version'], { encoding: 'utf8' });
  const line = `${out.stdout}${out.stderr}`.split('\n').find((l) => /RELION version/i.test(l));
  if (!line) throw new Error(`relion_preprocess --version printed no version line:\n${out.stdout}${out.stderr}`);
  return line.replace(/^.*RELION version:\s*/i, '').trim();
}

export interface RelionRun {
  stdout: string;
  stderr: string;
  /** Wall-clock seconds of the program. */
  seconds: number;
  /** The signal that ended it, when it crashed after finishing its work (see tolerateAbortAfter). */
  signal: string | null;
}

export interface RunOptions {
  timeoutMs?: number;
  /**
   * A crash by signal is not a failure when stdout already matches this: RELION 3.1.3's
   * relion_autopick aborts ("buffer overflow detected") while drawing its log when it found
   * no particle at all, after writing every coordinate file.
   */
  tolerateAbortAfter?: RegExp;
}

/** Runs one RELION program in `cwd` (the project directory); throws with its output when it fails. */
export function runRelion(program: RelionProgram, args: string[], cwd: string, opts: RunOptions = {}): RelionRun {
  const t0 = performance.now();
  const res = spawnSync(program, args, { cwd, encoding: 'utf8', timeout: opts.timeoutMs ?? 300_000, maxBuffer: 64 * 2 ** 20 });
  const seconds = (performance.now() - t0) / 1000;
  if (res.error) throw new Error(`${program} could not run: ${res.error.message}`);
  const tolerated = res.signal === 'SIGABRT' && opts.tolerateAbortAfter !== undefined && opts.tolerateAbortAfter.test(res.stdout);
  // RELION reports errors on stderr, sometimes with exit status 0: both count as failure.
  const failed = (res.status !== 0 && !tolerated) || /^\s*ERROR/m.test(res.stderr);
  if (failed) {
    const tail = (s: string) => s.split('\n').slice(-30).join('\n');
    const how = res.signal ? `signal ${res.signal}` : `status ${res.status}`;
    throw new Error(`${program} ${args.join(' ')} (in ${cwd}) failed with ${how}:\n${tail(res.stdout)}\n${tail(res.stderr)}`);
  }
  return { stdout: res.stdout, stderr: res.stderr, seconds, signal: res.signal };
}
