// Small helpers shared by the benchmark scripts.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../src/cli/files';
import { writeMrc } from '../src/core/io/mrc';
import { simulateMicrograph, type SimConfig } from '../src/core/simulate/simulate';

/** Where the benchmarks keep simulated micrographs (a cache across runs) and their outputs. */
export const BENCH_WORK = '/tmp/drpnet-bench';
/** The shipped `drpnet` command, as the benchmarks run it. */
export const DRPNET_BIN = path.resolve(import.meta.dirname, '../bin/drpnet.js');

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[n >> 1] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

export function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

/** Parent pid, resident set (VmRSS) and its peak (VmHWM) of a live process in MiB, from Linux /proc; undefined once it is gone. */
export function procStatus(pid: number): { ppid: number; rssMiB: number; hwmMiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    return { ppid: field('PPid'), rssMiB: field('VmRSS') / 1024, hwmMiB: field('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/**
 * Simulates a micrograph into `file` as float32 MRC unless it is there already (a cache across
 * runs). Written atomically, so an interrupted run never leaves a truncated file that looks cached.
 * Returns whether it simulated.
 */
export async function simulateCached(file: string, cfg: Partial<SimConfig>): Promise<boolean> {
  if (existsSync(file)) return false;
  const sim = simulateMicrograph(cfg);
  await writeFileAtomic(file, new Uint8Array(writeMrc(sim.image, { pixelSize: sim.pixelSize })));
  return true;
}
