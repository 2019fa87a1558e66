// How long the page's main thread stalls while a user drops large micrographs: the production
// build (`npm start`) against the development server (`npm run dev`). Each run opens the page
// on the WASM backend, waits for the demo micrographs to be picked, drops three simulated
// 4096x4096 MRCs and records the long tasks (main-thread tasks over 50 ms, the browser's
// PerformanceObserver) until all three are picked. Prints medians over the runs.
//
//   npx tsx bench/main-thread.ts [--runs 3] [--size 4096]
//
// bench/run.ts calls mainThreadLines() and puts its lines into docs/benchmarks.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM_FLAGS, CHROMIUM_PATH } from '../e2e/chromium';
import { BENCH_WORK, machine, median, simulateCached } from './stats';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** One port per way of serving: a server being stopped is never taken for the next one. */
const PORTS = [4393, 4394];
const VITE = path.join(ROOT, 'node_modules/vite/bin/vite.js');
const DROPPED = 3;

/** Runs `args` of Vite on `port` and resolves once it serves the page (it failing, or a minute passing, throws). */
async function serve(args: string[], port: number): Promise<ChildProcess> {
  const server = spawn(process.execPath, [VITE, ...args, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: ROOT,
    env: { ...process.env, DRPNET_NO_HMR: '1' },
    stdio: 'ignore',
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && server.exitCode === null) {
    const up = await fetch(`http://127.0.0.1:${port}/`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return server;
    await new Promise((r) => setTimeout(r, 300));
  }
  await stop(server);
  throw new Error(`vite ${args.join(' ')} did not serve on port ${port}`);
}

/** Stops a server and resolves once it has exited. */
function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    server.once('exit', () => resolve());
    server.kill();
  });
}

/** Rows of the micrograph list that say 'picked' (the page's own words, so both builds are read alike). */
const pickedRows = (page: Page, n: number, timeout: number) =>
  page.waitForFunction((k) => document.querySelectorAll('[data-testid=mic-row][data-status=picked]').length === k, n, {
    timeout,
    polling: 200,
  });

interface RunResult {
  longest: number;
  total: number;
  seconds: number;
}

async function oneRun(files: string[], port: number): Promise<RunResult> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_FLAGS] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`http://127.0.0.1:${port}/?backend=wasm`);
    await pickedRows(page, 3, 180_000); // the demo micrographs: the engine is up
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] };
      w.longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.longTasks.push(e.duration);
      }).observe({ type: 'longtask' });
    });
    const t0 = Date.now();
    await page.getByTestId('file-input').setInputFiles(files);
    await pickedRows(page, 3 + files.length, 600_000);
    const seconds = (Date.now() - t0) / 1000;
    const tasks = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
    return { longest: Math.max(0, ...tasks), total: tasks.reduce((a, b) => a + b, 0), seconds };
  } finally {
    await browser.close();
  }
}

export interface MainThreadOptions {
  /** Runs per way of serving the page (default 3). */
  runs?: number;
  /** Width and height of the dropped micrographs (default 4096). */
  size?: number;
  log?: (line: string) => void;
}

export async function mainThreadLines(opts: MainThreadOptions = {}): Promise<string[]> {
  const runs = opts.runs ?? 3;
  const size = opts.size ?? 4096;
  const log = opts.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const lines: string[] = [];
  const dir = path.join(BENCH_WORK, 'main-thread');
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < DROPPED; i++) {
    const file = path.join(dir, `mic_${size}_${i + 1}.mrc`);
    await simulateCached(file, { width: size, height: size, pixelSize: 1.3, kind: 'betagal', seed: 500 + i });
    files.push(file);
  }

  const modes: { name: string; args: string[] }[] = [
    { name: 'production build (`npm start`)', args: ['preview', '--outDir', 'dist/bench-web'] },
    { name: 'development server (`npm run dev`)', args: [] },
  ];
  lines.push(`## Main-thread stalls while ${DROPPED} ${size}x${size} MRCs are dropped and picked (WASM backend, headless Chromium)`);
  lines.push('');
  lines.push(
    `Long tasks (over 50 ms) of the page's main thread from the drop until all ${DROPPED} are picked, medians of ${runs} runs (bench/main-thread.ts; ${machine()}).`,
  );
  lines.push('');
  lines.push('| served by | longest stall | all stalls over 50 ms, summed | dropped to all picked |');
  lines.push('|---|---|---|---|');
  await new Promise<void>((resolve, reject) =>
    spawn(process.execPath, [VITE, 'build', '--outDir', 'dist/bench-web'], { cwd: ROOT, stdio: 'ignore' }).on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`vite build exited with ${code}`)),
    ),
  );
  for (const [i, mode] of modes.entries()) {
    const server = await serve(mode.args, PORTS[i]);
    try {
      const results: RunResult[] = [];
      for (let r = 0; r < runs; r++) {
        log(`main thread: ${mode.name}, run ${r + 1} of ${runs}`);
        results.push(await oneRun(files, PORTS[i]));
      }
      const m = (f: (x: RunResult) => number) => median(results.map(f));
      lines.push(
        `| ${mode.name} | ${m((x) => x.longest).toFixed(0)} ms | ${m((x) => x.total).toFixed(0)} ms | ${m((x) => x.seconds).toFixed(1)} s |`,
      );
    } finally {
      await stop(server);
    }
  }
  lines.push('');
  return lines;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { runs: { type: 'string' }, size: { type: 'string' } } });
  const lines = await mainThreadLines({
    runs: values.runs ? Number(values.runs) : undefined,
    size: values.size ? Number(values.size) : undefined,
  });
  console.log(lines.join('\n'));
}
