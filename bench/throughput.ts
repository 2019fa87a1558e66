// CLI throughput at dataset scale (issue 7): one `drpnet pick` process over a folder of
// simulated micrographs; micrographs per minute, and the process's resident memory after
// each micrograph, to show that it does not grow with the number of micrographs.
// The dataset is simulated once into /tmp/drpnet-bench/throughput-<size>/ and reused.
//
//   npx tsx bench/throughput.ts [--count 300] [--distinct 100] [--size 4096] [--models DIR]
//
// bench/run.ts calls cliThroughputSection() and puts its lines into docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { particleDiameterPx } from '../src/core/simulate/phantoms';
import { ensureCliBundle } from '../scripts/build-cli.mjs';
import { BENCH_WORK, DRPNET_BIN, fmt, machine, median, procStatus, simulateCached } from './stats';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORK = BENCH_WORK;
const PIXEL_SIZE = 1.3;
const KIND = 'betagal';

export interface ThroughputOptions {
  /** Micrographs picked in the run (default 300). */
  count?: number;
  /** Distinct micrographs simulated for it, picked in turn (default 100): a long run costs
   * no more simulation, and memory growth is judged on many micrographs. */
  distinct?: number;
  /** Width and height in pixels (default 4096). */
  size?: number;
  /** Model folder passed to --models (default: the shipped models). */
  models?: string;
  /** Progress of the dataset simulation and the run (default: stderr). */
  log?: (line: string) => void;
}

interface Sample {
  index: number;
  /** Seconds since the process was started, when its progress line arrived. */
  at: number;
  /** The pick's own time for this micrograph, from its progress line. */
  pickSeconds: number;
  /** Resident set (VmRSS) and its peak so far (VmHWM) of the pick process, MiB. */
  rssMiB: number;
  hwmMiB: number;
}

/** Simulates the dataset micrographs that are not in the cache folder yet; returns the folder. */
async function ensureDataset(count: number, size: number, log: (line: string) => void): Promise<string> {
  const dir = path.join(WORK, `throughput-${size}`);
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `mic_${String(i + 1).padStart(4, '0')}.mrc`);
    const t0 = performance.now();
    if (await simulateCached(file, { width: size, height: size, pixelSize: PIXEL_SIZE, kind: KIND, seed: 7000 + i }))
      log(`simulated ${path.basename(file)} (${fmt(performance.now() - t0)})`);
  }
  return dir;
}

/** Runs one `drpnet pick` over the folder, sampling memory as each micrograph's line arrives. */
function runPick(dir: string, out: string, diameter: number, models: string | undefined, log: (line: string) => void) {
  const args = [DRPNET_BIN, 'pick', dir, '--diameter', String(diameter), '--out', out, ...(models ? ['--models', models] : [])];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const samples: Sample[] = [];
  let pending = '';
  let errors = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^\[(\d+)\/\d+\] .*: \d+ picks in ([\d.]+) s/.exec(line);
      if (!m) {
        if (/FAILED|error/i.test(line)) errors += line + '\n';
        continue;
      }
      const mem = child.pid !== undefined ? procStatus(child.pid) : undefined;
      if (mem)
        samples.push({
          index: Number(m[1]),
          at: (performance.now() - t0) / 1000,
          pickSeconds: Number(m[2]),
          rssMiB: mem.rssMiB,
          hwmMiB: mem.hwmMiB,
        });
      log(line);
    }
  });
  return new Promise<{ samples: Sample[]; wallSeconds: number }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`drpnet pick exited with ${code}:\n${errors}`));
      else resolve({ samples, wallSeconds: (performance.now() - t0) / 1000 });
    });
  });
}

/** Least-squares slope of y over x, and its standard error. */
function slope(xs: readonly number[], ys: readonly number[]): { slope: number; se: number } {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  if (!(den > 0) || n < 3) return { slope: 0, se: Infinity };
  const b = num / den;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (ys[i] - my - b * (xs[i] - mx)) ** 2;
  return { slope: b, se: Math.sqrt(rss / (n - 2) / den) };
}

/** Simulates (or reuses) the dataset, runs the CLI over it, and returns a markdown section. */
export async function cliThroughputSection(opts: ThroughputOptions = {}): Promise<string[]> {
  const count = opts.count ?? 300;
  const distinct = Math.min(count, opts.distinct ?? 100);
  const size = opts.size ?? 4096;
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const diameter = Math.round(particleDiameterPx(KIND, PIXEL_SIZE));
  const dir = await ensureDataset(distinct, size, log);
  const out = path.join(WORK, `throughput-${size}-picks`);
  await rm(out, { recursive: true, force: true });
  // Only the first `distinct` micrographs (the cache may hold more from an earlier, larger
  // run), linked in turn under `count` names.
  const name = (i: number) => `mic_${String(i + 1).padStart(4, '0')}.mrc`;
  const listDir = path.join(WORK, `throughput-${size}-n${count}`);
  await rm(listDir, { recursive: true, force: true });
  await mkdir(listDir, { recursive: true });
  for (let i = 0; i < count; i++) await symlink(path.join(dir, name(i % distinct)), path.join(listDir, name(i)));

  await ensureCliBundle(); // a rebuild, if one is due, happens before the timed run
  const { samples, wallSeconds } = await runPick(listDir, out, diameter, opts.models, log);
  if (samples.length !== count) throw new Error(`expected ${count} progress lines with memory samples, got ${samples.length}`);
  const steady = samples.length > 1 ? (samples.length - 1) / (samples[samples.length - 1].at - samples[0].at) : NaN;
  const rss = samples.map((s) => s.rssMiB);
  // Growth is judged on the second half of the run: the first micrographs include model
  // loading and the allocator's and JIT's warm-up, after which a leak-free process is flat.
  const later = samples.slice(Math.floor(samples.length / 2));
  const { slope: growth, se } = slope(
    later.map((s) => s.index),
    later.map((s) => s.rssMiB),
  );
  const micMiB = (size * size * 4) / 2 ** 20;
  const projected = growth * 1000;
  // Resident memory moves by several MiB between micrographs with the garbage collector's
  // timing, so the trend is judged with its uncertainty (two standard errors).
  const low = (growth - 2 * se) * 1000;
  const high = (growth + 2 * se) * 1000;
  // "Does not grow": less than one micrograph's float32 size per 1000 micrographs. The smallest
  // image the pipeline makes per micrograph is its working-scale map (1/scale^2 of it, ~1/100 at
  // 4096 px and diameter 140), so leaking even that would grow ten times faster.
  const limit = micMiB;
  const trend = `${projected.toFixed(0)} MiB per 1000 micrographs (${low.toFixed(0)} to ${high.toFixed(0)} within two standard errors)`;
  const verdict =
    later.length < 10
      ? `Too few micrographs (${count}) to judge memory growth (the trend uses the second half of the run); use --count 20 or more.`
      : high < limit
        ? `Memory does not grow with the number of micrographs: the trend projects to ${trend}, under one micrograph's float32 size (${limit.toFixed(0)} MiB) per 1000; leaking one working-scale map per micrograph would add about ten times that.`
        : low > limit
          ? `Memory GROWS with the number of micrographs: the trend projects to ${trend}, over one micrograph's float32 size (${limit.toFixed(0)} MiB) per 1000.`
          : `This run cannot tell whether memory grows: the trend projects to ${trend}, a range that holds one micrograph's float32 size (${limit.toFixed(0)} MiB) per 1000; use a larger --count.`;
  const series = samples.filter((_, i) => i === 0 || i === samples.length - 1 || i % Math.max(1, Math.round(count / 10)) === 0);

  return [
    `## CLI throughput: ${count} simulated ${size}x${size} micrographs (${distinct} distinct, picked in turn), one \`drpnet pick\` process`,
    '',
    `Machine: ${machine()}`,
    `Command: \`drpnet pick <folder of ${count} float32 MRC> --diameter ${diameter} --out <dir>${opts.models ? ' --models <dir>' : ''}\` (${KIND}, ${PIXEL_SIZE} A/px, wasm backend); dataset cached in ${dir}.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| whole run, process start to exit | ${fmt(wallSeconds * 1000)} |`,
    `| micrographs per minute, whole run | **${((count / wallSeconds) * 60).toFixed(1)}** |`,
    `| micrographs per minute, steady state (first to last micrograph) | ${Number.isFinite(steady) ? (steady * 60).toFixed(1) : 'n/a (one micrograph)'} |`,
    `| pick time per micrograph, median (read, pick, write) | ${fmt(median(samples.map((s) => s.pickSeconds)) * 1000)} |`,
    `| resident memory after micrograph 1 / median / after micrograph ${count} | ${rss[0].toFixed(0)} / ${median(rss).toFixed(0)} / ${rss[rss.length - 1].toFixed(0)} MiB |`,
    `| peak resident memory of the process (VmHWM) | ${Math.max(...samples.map((s) => s.hwmMiB)).toFixed(0)} MiB |`,
    `| memory trend over micrographs ${later[0]?.index ?? '-'}..${count} (least squares) | ${growth >= 0 ? '+' : ''}${growth.toFixed(3)} ± ${(2 * se).toFixed(3)} MiB per micrograph (${projected >= 0 ? '+' : ''}${projected.toFixed(0)} MiB per 1000) |`,
    '',
    `Resident memory after micrograph i (MiB): ${series.map((s) => `${s.index}: ${s.rssMiB.toFixed(0)}`).join(', ')}.`,
    verdict,
    '',
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { count: { type: 'string' }, distinct: { type: 'string' }, size: { type: 'string' }, models: { type: 'string' } },
  });
  const lines = await cliThroughputSection({
    count: values.count ? Number(values.count) : undefined,
    distinct: values.distinct ? Number(values.distinct) : undefined,
    size: values.size ? Number(values.size) : undefined,
    models: values.models,
  });
  console.log(lines.join('\n'));
}
