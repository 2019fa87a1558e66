// `npm run bench`: every speed, memory, throughput and comparison target of the issues,
// measured on this machine, printed and written to docs/benchmarks.md. Medians throughout.
//
//   npm run bench                  the full run (tens of minutes on 2 cores)
//   npm run bench -- --quick       smaller sizes and counts, to check the script itself
//   npm run bench -- --only pick,repick,blur,cli,browser,mainthread,relion,retrain,real
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeMicrograph } from '../src/core/io/micrograph';
import { createImage } from '../src/core/image';
import { FCRN_FLOPS_PER_PIXEL } from '../src/core/model/fcrn';
import { DEFAULT_PICK_PARAMS } from '../src/core/params';
import { PickSession } from '../src/core/pipeline';
import { gaussianBlur } from '../src/core/preprocess/gaussian';
import { particleDiameterPx } from '../src/core/simulate/phantoms';
import { readArrayBuffer } from '../src/cli/files';
import { loadModels, startBackend } from '../src/cli/models';
import type { PickStats } from '../src/cli/pick';
import { ensureCliBundle } from '../scripts/build-cli.mjs';
import { browserThroughputLines } from './browser-throughput';
import { mainThreadLines } from './main-thread';
import { realLines } from './real';
import { relionPeerLines } from './relion-peer';
import { FULL as RETRAIN_FULL, QUICK as RETRAIN_QUICK, retrainBenchmark } from './retrain';
import { BENCH_WORK, DRPNET_BIN, fmt, machine, median, simulateCached } from './stats';
import { cliThroughputSection } from './throughput';

const SECTIONS = ['pick', 'blur', 'repick', 'cli', 'browser', 'mainthread', 'relion', 'retrain', 'real'] as const;
type Section = (typeof SECTIONS)[number];

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, only: { type: 'string' } } });
const quick = Boolean(values.quick);
const only = new Set<Section>((values.only?.split(',') as Section[] | undefined) ?? SECTIONS);
for (const s of only) if (!SECTIONS.includes(s)) throw new Error(`--only: unknown section '${s}' (use ${SECTIONS.join(',')})`);

const WORK = BENCH_WORK;
mkdirSync(WORK, { recursive: true });
const lines: string[] = [];
const say = (s = '') => {
  console.log(s);
  lines.push(s);
};
const progress = (s: string) => process.stderr.write(`[bench] ${s}\n`);

type MicrographStats = Extract<PickStats, { event: 'micrograph' }>;
/** One `drpnet pick` run's measurements (its --stats file): the memory once the models were loaded, and the micrograph's. */
type PickOnce = MicrographStats & { rssReadyBytes: number };

/** One whole pick of a micrograph file by the shipped command (`drpnet pick --stats`), in a fresh process. */
function pickOnce(file: string, diameter: number): PickOnce {
  const stats = path.join(WORK, 'pick-once.stats.jsonl');
  execFileSync(process.execPath, [DRPNET_BIN, 'pick', file, '--diameter', String(diameter), '--out', WORK, '--stats', stats], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const [ready, mic] = readFileSync(stats, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as PickStats);
  if (ready.event !== 'ready' || mic?.event !== 'micrograph') throw new Error(`unexpected --stats records in ${stats}`);
  return { ...mic, rssReadyBytes: ready.rssBytes };
}

/** Whole pick of a 4096x4096 float32 micrograph, each run a fresh process (memory alone). */
async function wholePick(): Promise<void> {
  const DIAMETER = 140;
  const runsN = quick ? 2 : 5;
  const mic = path.join(WORK, 'betagal_4096.mrc');
  await simulateCached(mic, { width: 4096, height: 4096, pixelSize: 1.3, kind: 'betagal', seed: 4096 });
  await ensureCliBundle(); // a rebuild, if one is due, happens before the timed runs
  const runs: PickOnce[] = [];
  for (let i = 0; i < runsN; i++) {
    progress(`whole pick ${i + 1}/${runsN}`);
    runs.push(pickOnce(mic, DIAMETER));
  }
  const stages = [...new Set(runs.flatMap((r) => Object.keys(r.timings)))];
  const micBytes = 4096 * 4096 * 4;
  const rss = median(runs.map((r) => r.maxRssBytes));
  const fcrnMs = median(runs.map((r) => r.timings.fcrn));
  say(`## Whole pick, 4096x4096 float32 MRC, diameter ${DIAMETER} px, wasm backend (${runsN} runs, a fresh process each)`);
  say();
  say('| stage | median |');
  say('|---|---|');
  const label: Record<string, string> = {
    open: 'open (read the MRC header)',
    preprocess: 'preprocess (streams the pixels from the file)',
    write: 'write STAR',
  };
  for (const s of stages) say(`| ${label[s] ?? s} | ${fmt(median(runs.map((r) => r.timings[s] ?? 0)))} |`);
  say(`| **whole pick** | **${fmt(median(runs.map((r) => r.totalMs)))}** (target <= 3 s) |`);
  say();
  const [mapW, mapH] = runs[0].workingSize.split('x').map(Number);
  const gflops = (FCRN_FLOPS_PER_PIXEL * mapW * mapH) / (fcrnMs / 1000) / 1e9;
  say(
    `Command: \`drpnet pick betagal_4096.mrc --diameter ${DIAMETER} --stats FILE\` (bin/drpnet.js: the bundled CLI in plain Node), timed by the command itself from opening the file to the STAR file written.`,
  );
  say(
    `Picks: ${median(runs.map((r) => r.picks))} kept of ${median(runs.map((r) => r.candidates))} candidates. FCRN: ${gflops.toFixed(1)} GFLOP/s achieved (${FCRN_FLOPS_PER_PIXEL} FLOP per working pixel, ${runs[0].workingSize} working pixels).`,
  );
  const before = median(runs.map((r) => r.rssReadyBytes));
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  say(`Peak resident memory (micrograph: ${mib(micBytes)} as float32; target < 3x):`);
  say(
    `- the whole process: ${mib(rss)} = **${(rss / micBytes).toFixed(2)}x**, of which ${mib(before)} is there before the micrograph (Node, tfjs, the WASM runtime, both models).`,
  );
  say(
    `- what the pick adds, peak minus the process before reading the micrograph: ${mib(rss - before)} = ${((rss - before) / micBytes).toFixed(2)}x. The micrograph is streamed from its file into the working scale in 1 MiB bands and never held whole (src/core/io/mrc-stream.ts).`,
  );
  // The fixed part weighs less on a larger micrograph: the same pick on the largest size the
  // workbench is specified for (issue 2), once.
  const big = path.join(WORK, 'betagal_7676x7420.mrc');
  await simulateCached(big, { width: 7676, height: 7420, pixelSize: 1.3, kind: 'betagal', seed: 7676 });
  progress('whole pick 7676x7420');
  const b = pickOnce(big, DIAMETER);
  const bigBytes = 7676 * 7420 * 4;
  say(
    `- the same pick of a 7676x7420 float32 micrograph (${mib(bigBytes)}, one run): ${fmt(b.totalMs)}; the whole process peaks at ${mib(b.maxRssBytes)} = **${(b.maxRssBytes / bigBytes).toFixed(2)}x**, what the pick adds ${mib(b.maxRssBytes - b.rssReadyBytes)} = ${((b.maxRssBytes - b.rssReadyBytes) / bigBytes).toFixed(2)}x.`,
  );
  say();
}

/** The sigma-100 background estimate must cost the same as a small blur. */
function blur(): void {
  const img = createImage(1366, 1366);
  for (let i = 0; i < img.data.length; i++) img.data[i] = Math.sin(i * 0.37) + (i % 1366) * 1e-3;
  say('## Gaussian blur of a 1366x1366 image (the illumination background uses sigma 100)');
  say();
  say('| sigma | median |');
  say('|---|---|');
  for (const sigma of [2, 5, 20, 50, 100]) {
    const ts: number[] = [];
    for (let i = 0; i < (quick ? 3 : 9); i++) {
      const t0 = performance.now();
      gaussianBlur(img, sigma);
      ts.push(performance.now() - t0);
    }
    say(`| ${sigma} | ${fmt(median(ts))} |`);
  }
  say();
}

/** Re-pick on a kept 1800x1800 map: what makes the sliders live. */
async function repick(): Promise<void> {
  await startBackend('wasm');
  const models = await loadModels({ withClassifier: true });
  // Particles of radius 7 px (the detector's working radius): the map is the full 1800x1800.
  const pixelSize = 4.3;
  const diameter = Math.round(particleDiameterPx('small', pixelSize));
  const mic = path.join(WORK, 'small_1800.mrc');
  await simulateCached(mic, { width: 1800, height: 1800, pixelSize, kind: 'small', seed: 1800 });
  const session = new PickSession('small_1800', await decodeMicrograph(await readArrayBuffer(mic), mic));
  const params = { ...DEFAULT_PICK_PARAMS, diameter };
  const det = await session.runDetector(models, params);
  const thresholds = [2, 3, 4, 5, 6, 8];
  const timed = async (p: typeof params, preview = false) => {
    const t0 = performance.now();
    const out = await session.repick(models, p, { preview });
    return { ms: performance.now() - t0, out };
  };
  // A first visit is what a slider move does in the workbench: a preview from the classifier
  // cache at once, then the exact result with the new candidates classified.
  const coldPreview: number[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  const newCandidates: number[] = [];
  let candidates = 0;
  for (const threshold of thresholds) {
    const preview = await timed({ ...params, threshold }, true);
    coldPreview.push(preview.ms);
    newCandidates.push(preview.out.unclassified);
    cold.push((await timed({ ...params, threshold })).ms);
  }
  for (const threshold of thresholds) {
    const r = await timed({ ...params, threshold });
    warm.push(r.ms);
    candidates = r.out.picks.length;
  }
  const sigmaPreview: number[] = [];
  const sigmaChange: number[] = [];
  for (const sigma of [3, 4, 5, 6]) {
    sigmaPreview.push((await timed({ ...params, sigma }, true)).ms);
    sigmaChange.push((await timed({ ...params, sigma })).ms);
  }
  say(
    `## Re-pick on a kept ${det.map.width}x${det.map.height} map (peaks, edge margin, screens, classifier cache, calibration; diameter ${diameter} px)`,
  );
  say();
  say('| re-pick | median |');
  say('|---|---|');
  say(`| threshold change, candidates already classified | **${fmt(median(warm))}** (target <= 50 ms) |`);
  say(
    `| threshold change, first visit: preview from the classifier cache (what the slider shows at once) | **${fmt(median(coldPreview))}** |`,
  );
  say(`| threshold change, first visit: exact result, new candidates classified (follows in the background) | ${fmt(median(cold))} |`);
  say(`| sigma change: preview (one more blur, cached classifier outputs) | ${fmt(median(sigmaPreview))} |`);
  say(`| sigma change: exact result | ${fmt(median(sigmaChange))} |`);
  say();
  say(`Candidates at the last threshold: ${candidates}; new (unclassified) candidates per first visit, median: ${median(newCandidates)}.`);
  say();
}

say('# Benchmarks');
say();
say('Generated by `npm run bench` (bench/run.ts; sections can be run alone with `--only`); numbers are medians.');
say(`Machine: ${machine()}.${quick ? ' QUICK RUN: smaller sizes and counts than the targets are stated for.' : ''}`);
say();
if (only.has('pick')) await wholePick();
if (only.has('blur')) blur();
if (only.has('repick')) await repick();
if (only.has('cli'))
  for (const l of await cliThroughputSection({ count: quick ? 4 : 300, size: quick ? 1024 : 4096, log: progress })) say(l);
if (only.has('browser'))
  for (const l of await browserThroughputLines({ count: quick ? 2 : 100, size: quick ? 1024 : 4096, log: progress })) say(l);
if (only.has('mainthread'))
  for (const l of await mainThreadLines({ runs: quick ? 1 : 3, size: quick ? 1024 : 4096, log: progress })) say(l);
if (only.has('relion')) for (const l of await relionPeerLines(quick ? { images: 1, size: 1024 } : {}, progress)) say(l);
if (only.has('retrain')) for (const l of await retrainBenchmark({ ...(quick ? RETRAIN_QUICK : RETRAIN_FULL), log: progress })) say(l);
if (only.has('real')) for (const l of await realLines({ skip: quick ? new Set(['relion', 'adapt']) : undefined }, progress)) say(l);

const out = only.size === SECTIONS.length && !quick ? 'docs/benchmarks.md' : path.join(WORK, 'benchmarks-partial.md');
writeFileSync(out, lines.join('\n') + '\n');
progress(`wrote ${out}`);
