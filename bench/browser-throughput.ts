// Browser batch-picking throughput (issue 7): the workbench's own worker pool, in headless
// Chromium on the WASM backend, with 1, 2 and all workers, on simulated 4096x4096 micrographs.
// Starts its own Vite server, opens e2e/harness/throughput.html and calls measureThroughput().
//
//   npx tsx bench/browser-throughput.ts [--count 8] [--size 4096]
//
// bench/run.ts calls browserThroughputLines() and puts its lines into docs/benchmarks.md.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { fmt } from './stats';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PORT = 4391;
// The flags Debian's chromium needs here (see playwright.config.ts).
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface BrowserThroughputOptions {
  /** Micrographs per run (default 8). */
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
  hardwareConcurrency: number;
}

async function startVite(): Promise<ChildProcess> {
  const vite = spawn(process.execPath, [path.join(ROOT, 'node_modules/vite/bin/vite.js'), '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], {
    cwd: ROOT,
    env: { ...process.env, DRPNET_NO_HMR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export async function browserThroughputLines(opts: BrowserThroughputOptions = {}): Promise<string[]> {
  const count = opts.count ?? 8;
  const size = opts.size ?? 4096;
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const vite = await startVite();
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const rows: string[] = [];
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${PORT}/e2e/harness/throughput.html`);
    await page.waitForFunction(() => 'measureThroughput' in window, undefined, { timeout: 120_000 });
    const all = os.cpus().length;
    for (const workers of [...new Set([1, 2, all])]) {
      log(`browser throughput: ${workers} worker(s), ${count} micrographs of ${size}^2`);
      const r = await page.evaluate(
        (o) => (window as unknown as { measureThroughput: (o: object) => Promise<HarnessResult> }).measureThroughput(o),
        { workers, count, size, backend: 'wasm', distinct: 2 },
      );
      if (r.failed) throw new Error(`${r.failed} of ${count} micrographs failed in the browser`);
      const perPick = median(r.timings.map((t) => Object.values(t).reduce((a, b) => a + b, 0)));
      rows.push(`| ${r.workers} | ${r.threadsPerWorker} | ${r.picked} | ${r.seconds.toFixed(1)} s | **${r.micrographsPerMinute.toFixed(1)}** | ${fmt(perPick)} |`);
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
    '| workers | threads per worker | picked | wall time | micrographs / min | median worker time per micrograph |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { count: { type: 'string' }, size: { type: 'string' } } });
  const lines = await browserThroughputLines({ count: values.count ? Number(values.count) : undefined, size: values.size ? Number(values.size) : undefined });
  console.log(lines.join('\n'));
}
