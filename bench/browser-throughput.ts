// Browser batch-picking throughput (issue 7): the workbench's own worker pool, in headless
// Chromium on the WASM backend, with 1, 2 and all workers, on simulated 4096x4096 micrographs.
// Starts its own Vite server, opens e2e/harness/throughput.html and calls measureThroughput().
//
//   npx tsx bench/browser-throughput.ts [--count 100] [--size 4096]
//
// bench/run.ts calls browserThroughputLines() and puts its lines into docs/benchmarks.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../e2e/chromium';
import { fmt, median, procStatus } from './stats';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PORT = 4391;

export interface BrowserThroughputOptions {
  /** Micrographs per run (default 100, the dataset size issue 7 states). */
  count?: number;
  /** Width and height (default 4096). */
  size?: number;
  log?: (line: string) => void;
}

interface HarnessResult {
  backend: string;
  workers: number;
  threadsPerWorker: number;
  picked: number;
  failed: number;
  seconds: number;
  micrographsPerMinute: number;
  timings: Record<string, number>[];
  /** Per worker, at the end of the batch. */
  memory: { sessions: number }[];
  hardwareConcurrency: number;
}

async function startVite(): Promise<ChildProcess> {
  const vite = spawn(
    process.execPath,
    [path.join(ROOT, 'node_modules/vite/bin/vite.js'), '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'],
    {
      cwd: ROOT,
      env: { ...process.env, DRPNET_NO_HMR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${PORT}/`)).ok) return vite;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  vite.kill();
  throw new Error('the Vite server did not start within 60 s');
}

/** Parent pid and resident memory (MiB) of every live process, from Linux /proc. */
function processTable(): Map<number, { ppid: number; rssMiB: number }> {
  const table = new Map<number, { ppid: number; rssMiB: number }>();
  for (const name of readdirSync('/proc')) {
    const status = /^\d+$/.test(name) ? procStatus(Number(name)) : undefined;
    if (status) table.set(Number(name), status);
  }
  return table;
}

/** Summed resident memory of this process's descendants, except the subtree of `skip` (Vite): the browser's processes. */
function browserRssMiB(skip: number | undefined): number {
  const table = processTable();
  const under = (pid: number, root: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = table.get(p)?.ppid ?? 0, hops++) if (p === root) return true;
    return false;
  };
  let sum = 0;
  for (const [pid, { rssMiB }] of table)
    if (pid !== process.pid && under(pid, process.pid) && !(skip !== undefined && under(pid, skip))) sum += rssMiB;
  return sum;
}

export async function browserThroughputLines(opts: BrowserThroughputOptions = {}): Promise<string[]> {
  const count = opts.count ?? 100;
  const size = opts.size ?? 4096;
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const vite = await startVite();
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS] });
  const rows: string[] = [];
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${PORT}/e2e/harness/throughput.html`);
    await page.waitForFunction(() => 'measureThroughput' in window, undefined, { timeout: 120_000 });
    const all = os.cpus().length;
    for (const workers of [...new Set([1, 2, all])]) {
      log(`browser throughput: ${workers} worker(s), ${count} micrographs of ${size}^2`);
      // The browser's resident memory, sampled each second while the batch runs.
      const rss: number[] = [];
      const sampler = setInterval(() => rss.push(browserRssMiB(vite.pid)), 1000);
      const r = await page
        .evaluate((o) => (window as unknown as { measureThroughput: (o: object) => Promise<HarnessResult> }).measureThroughput(o), {
          workers,
          count,
          size,
          backend: 'wasm',
          distinct: 2,
        })
        .finally(() => clearInterval(sampler));
      if (r.failed) throw new Error(`${r.failed} of ${count} micrographs failed in the browser`);
      const perPick = median(r.timings.map((t) => Object.values(t).reduce((a, b) => a + b, 0)));
      // Growth: the median of each quarter of the batch (micrographs go through at a steady rate).
      const q = rss.length / 4;
      const quarters =
        rss.length >= 8
          ? [0, 1, 2, 3].map((i) => median(rss.slice(Math.round(i * q), Math.round((i + 1) * q))).toFixed(0)).join(' / ') + ' MiB'
          : 'n/a (batch too short)';
      const open = r.memory.reduce((s, m) => s + m.sessions, 0);
      rows.push(
        `| ${r.workers} | ${r.threadsPerWorker} | ${r.picked} | ${r.seconds.toFixed(1)} s | **${r.micrographsPerMinute.toFixed(1)}** | ${fmt(perPick)} | ${quarters} | ${open} |`,
      );
    }
  } finally {
    await browser.close();
    vite.kill();
  }
  return [
    `## Browser batch picking, ${size}x${size} float32 MRC, WASM backend (headless Chromium, ${os.cpus().length} cores)`,
    '',
    `One batch of ${count} micrographs per row through the workbench's worker pool (e2e/harness/throughput.ts: each micrograph is read, decoded, preprocessed, detected, classified).`,
    '',
    '| workers | threads per worker | picked | wall time | micrographs / min | median worker time per micrograph | browser memory by quarter of the batch (median) | micrographs still open at the end |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    "Browser memory: the resident memory of all of headless Chromium's processes (page, GPU, workers) summed, sampled each second; shared pages count once per process, so the sum overstates the total. The workers keep recently picked micrographs open (for live re-picks and the viewer) up to a budget, a quarter of navigator.deviceMemory (src/app/pool-plan.ts), and close the least recently used beyond it: memory rises while that budget fills, then should stay level however long the batch.",
    '',
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { count: { type: 'string' }, size: { type: 'string' } } });
  const lines = await browserThroughputLines({
    count: values.count ? Number(values.count) : undefined,
    size: values.size ? Number(values.size) : undefined,
  });
  console.log(lines.join('\n'));
}
