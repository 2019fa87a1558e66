// RELION 3.1's Laplacian-of-Gaussian autopicker side by side with our picker, on the held-out
// simulated conditions of scripts/heldout.ts (the seeds and truth scripts/evaluate.ts uses):
// the same micrographs, in the same run, scored the same way.
//
//   npx tsx bench/relion-peer.ts [--images 2] [--size 4096] [--models DIR] [--conditions typical,crowded]
//
// RELION runs as its users run it (test/relion/helpers/autopick.ts: the GUI's LoG options),
// on a RELION 3.1 project holding the micrographs as MRC files, with the particle diameter
// range 0.9-1.1x the true diameter, at its default threshold (--LoG_adjust_threshold 0) and at
// the best threshold of a sweep, chosen on these same test images (an oracle choice, generous
// to RELION). Ours: DEFAULT_PICK_PARAMS with the true diameter, the models in --models.
// relionPeerLines() returns the markdown so bench/run.ts can put it in docs/benchmarks.md.
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Particle } from '../src/core/coords/types';
import { decodeMicrograph } from '../src/core/io/micrograph';
import { aggregate, type MatchResult } from '../src/core/metrics';
import { DEFAULT_PICK_PARAMS } from '../src/core/params';
import { PickSession, pickMicrograph, type Models } from '../src/core/pipeline';
import type { SimResult } from '../src/core/simulate/simulate';
import { simDiameter, simMicrograph } from '../src/core/train/dataset';
import { readArrayBuffer } from '../src/cli/files';
import { loadModels, SHIPPED_MODELS_DIR, startBackend } from '../src/cli/models';
import { CONDITIONS, scorableTruth, scoreInBand, simulateCondition, testSeed, type Condition } from '../scripts/heldout';
import { runLoG } from '../test/relion/helpers/autopick';
import { createRelionProject, type RelionProject } from '../test/relion/helpers/project';
import { relionVersion } from '../test/relion/helpers/relion';
import { machine, median } from './stats';

/** --LoG_adjust_threshold values tried for RELION's best threshold (0 is its default). */
const LOG_ADJUST_SWEEP: readonly number[] = [-1, -0.75, -0.5, -0.25, 0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3];
/** LoG diameter range searched, as a fraction of the true diameter. */
export const LOG_DIAMETER_RANGE: readonly [number, number] = [0.9, 1.1];

export interface PeerOptions {
  images: number;
  size: number;
  /** Folder with fcrn/ and classifier/ (default: the shipped models). */
  models: string;
  /** Conditions to run (names or presets of CONDITIONS; default all). */
  conditions?: string[];
  /** Scratch folder for the RELION projects. */
  work: string;
}

export const DEFAULT_PEER_OPTIONS: PeerOptions = {
  images: 2,
  size: 4096,
  models: SHIPPED_MODELS_DIR,
  work: '/tmp/drpnet-bench/relion-peer',
};

interface ConditionResult {
  condition: Condition;
  truth: number;
  relionDefault: MatchResult;
  relionBest: MatchResult & { adjust: number };
  ours: MatchResult;
  relionSecondsPerMic: number;
  oursSecondsPerMic: number;
}

/** Pooled scores of per-micrograph picks against per-micrograph truth, both inside the scored band. */
function score(picks: Particle[][], sims: SimResult[], refRadius: number): MatchResult {
  return aggregate(picks.map((p, i) => scoreInBand(p, sims[i], refRadius)));
}

async function runCondition(c: number, opts: PeerOptions, models: Models, log: (m: string) => void): Promise<ConditionResult> {
  const condition = CONDITIONS[c];
  const refRadius = models.fcrnMeta.workingRadius;
  const sims = Array.from({ length: opts.images }, (_, i) => simulateCondition(condition.preset, testSeed(c, i), opts.size));
  const truth = sims.map((s) => scorableTruth(s, refRadius).truth);
  const dir = path.join(opts.work, `${condition.preset}-${opts.size}`);
  rmSync(dir, { recursive: true, force: true });
  const p = sims[0].params;
  const project: RelionProject = createRelionProject(
    dir,
    sims.map((s, i) => ({ fileName: `mic_${String(i + 1).padStart(4, '0')}.mrc`, image: s.image })),
    { pixelSize: sims[0].pixelSize, voltageKv: p.voltageKv, csMm: p.csMm, amplitudeContrast: p.amplitudeContrast },
  );
  const diameter = simDiameter(sims[0]);
  const dA = diameter * sims[0].pixelSize;

  const sweep = sweepLoG(project, dA, (picks) => score(picks, sims, refRadius), p.negativeStain);
  const perMic = sweep.map((r) => r.seconds / opts.images);
  const relionDefault = sweep.find((r) => r.adjust === 0)?.scores;
  const best = bestLoG(sweep);
  const relionBest = { ...best.scores, adjust: best.adjust };

  // Ours, default settings, reading the same MRC files.
  const ours: Particle[][] = [];
  const oursSeconds: number[] = [];
  for (const mic of project.micrographs) {
    const file = path.join(project.dir, mic);
    const t0 = performance.now();
    const micrograph = await decodeMicrograph(await readArrayBuffer(file), file);
    const res = await pickMicrograph(new PickSession(file, micrograph), models, {
      ...DEFAULT_PICK_PARAMS,
      diameter,
      negativeStain: p.negativeStain,
    });
    oursSeconds.push((performance.now() - t0) / 1000);
    ours.push(res.picks);
  }
  const result: ConditionResult = {
    condition,
    truth: truth.reduce((s, t) => s + t.length, 0),
    relionDefault: relionDefault!,
    relionBest,
    ours: score(ours, sims, refRadius),
    relionSecondsPerMic: median(perMic),
    oursSecondsPerMic: median(oursSeconds),
  };
  rmSync(dir, { recursive: true, force: true });
  log(
    `${condition.name}: RELION default F1 ${pct(result.relionDefault.f1)}, best F1 ${pct(result.relionBest.f1)} (adjust ${result.relionBest.adjust}); ours F1 ${pct(result.ours.f1)}`,
  );
  return result;
}

export interface LoGRun<S> {
  adjust: number;
  /** Picks per micrograph, in the project's order. */
  picks: Particle[][];
  scores: S;
  /** Wall clock of the relion_autopick process over all the micrographs. */
  seconds: number;
}

/** RELION's LoG over LOG_ADJUST_SWEEP (diameter range LOG_DIAMETER_RANGE of diameterA): one relion_autopick process per threshold, each scored. */
export function sweepLoG<S>(
  project: RelionProject,
  diameterA: number,
  score: (picks: Particle[][]) => S,
  whiteParticles = false,
): LoGRun<S>[] {
  return LOG_ADJUST_SWEEP.map((adjust) => {
    const res = runLoG(project, {
      odir: `AutoPick/adjust_${adjust}`,
      diameterMinA: LOG_DIAMETER_RANGE[0] * diameterA,
      diameterMaxA: LOG_DIAMETER_RANGE[1] * diameterA,
      adjustThreshold: adjust,
      whiteParticles,
    });
    const picks = project.micrographs.map((mic) => res.picks.get(mic) ?? []);
    return { adjust, picks, scores: score(picks), seconds: res.seconds };
  });
}

/** The sweep's run of highest F1 (the first of equals): RELION at its best threshold, chosen afterwards. */
export function bestLoG<S extends { f1: number }>(runs: readonly LoGRun<S>[]): LoGRun<S> {
  return runs.reduce((best, r) => (r.scores.f1 > best.scores.f1 ? r : best));
}

const pct = (v: number) => (100 * v).toFixed(1);
/** A folder as the table names it: relative to the working directory when inside it. */
const shownPath = (p: string) => {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') ? rel : p;
};
const rpf = (m: MatchResult) => `${pct(m.recall)} / ${pct(m.precision)} / ${pct(m.f1)}`;

/** Runs the comparison and returns its markdown (a section for docs/benchmarks.md). */
export async function relionPeerLines(options: Partial<PeerOptions> = {}, log: (m: string) => void = () => {}): Promise<string[]> {
  const opts: PeerOptions = { ...DEFAULT_PEER_OPTIONS, ...options };
  const version = relionVersion();
  await startBackend('wasm');
  const models = await loadModels({ dir: opts.models, withClassifier: DEFAULT_PICK_PARAMS.useClassifier });
  const wanted = opts.conditions;
  const indices = CONDITIONS.map((_, c) => c).filter(
    (c) => !wanted || wanted.includes(CONDITIONS[c].name) || wanted.includes(CONDITIONS[c].preset),
  );
  if (!indices.length)
    throw new Error(`no condition matches ${wanted?.join(', ')}; conditions: ${CONDITIONS.map((c) => c.preset).join(', ')}`);

  // One untimed pick first: WASM kernels compile on first use, a cost paid once per process.
  const warm = simulateCondition(CONDITIONS[indices[0]].preset, testSeed(indices[0], 0), Math.min(opts.size, 1024));
  await pickMicrograph(new PickSession('warm-up', simMicrograph(warm)), models, { ...DEFAULT_PICK_PARAMS, diameter: simDiameter(warm) });

  const results: ConditionResult[] = [];
  for (const c of indices) results.push(await runCondition(c, opts, models, log));

  const ratio = (r: ConditionResult) => r.oursSecondsPerMic / r.relionSecondsPerMic;
  const lines = [
    `## RELION ${version} LoG autopicking vs our picker (held-out simulated micrographs)`,
    '',
    `Command: \`npx tsx bench/relion-peer.ts --images ${opts.images} --size ${opts.size}${wanted ? ` --conditions ${wanted.join(',')}` : ''}\` (or \`npm run bench\`). Machine: ${machine()}.`,
    `${opts.images} micrograph(s) of ${opts.size}x${opts.size} px per condition, seeds of scripts/heldout.ts (test seeds 9,000,000+), the same micrographs for both pickers.`,
    `RELION: \`relion_autopick --LoG\` with the RELION 3.1 GUI's options (--shrink 0 --lowpass 20), diameter range ${LOG_DIAMETER_RANGE[0]}-${LOG_DIAMETER_RANGE[1]}x the true diameter, --Log_invert for negative stain;`,
    `default = --LoG_adjust_threshold 0, best = the best F1 over ${LOG_ADJUST_SWEEP.join(', ')} chosen on these test images (generous to RELION).`,
    `Ours: DEFAULT_PICK_PARAMS with the true diameter, models from ${shownPath(opts.models)}.`,
    'Scoring: one-to-one matches within one particle radius (matchPicks), counts pooled over the micrographs of a condition, picks and truth both restricted to the band every picker can pick in (scripts/heldout.ts).',
    'Time per micrograph: RELION = wall clock of one relion_autopick process over all the micrographs / their number (its start-up, MRC reads and logfile.pdf included), median over the sweep;',
    'ours = read + decode the MRC + pickMicrograph in this process (models loaded once, after one warm-up pick), WASM backend, median over the micrographs.',
    '',
    '| condition | truth | RELION default R / P / F1 | RELION best (adjust) R / P / F1 | ours R / P / F1 | RELION s/mic | ours s/mic | ours / RELION time |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.condition.name} | ${r.truth} | ${rpf(r.relionDefault)} | (${r.relionBest.adjust}) ${rpf(r.relionBest)} | **${rpf(r.ours)}** | ${r.relionSecondsPerMic.toFixed(2)} | ${r.oursSecondsPerMic.toFixed(2)} | ${ratio(r).toFixed(1)}x |`,
    ),
    '',
  ];
  const behind = results.filter((r) => !(r.ours.f1 > r.relionBest.f1));
  lines.push(
    behind.length
      ? `Our default F1 is NOT above RELION LoG's best threshold on: ${behind.map((r) => `${r.condition.name} (${pct(r.ours.f1)} vs ${pct(r.relionBest.f1)})`).join(', ')}.`
      : "Our default F1 is above RELION LoG's best threshold on every condition.",
  );
  lines.push(`Median time ratio (ours / RELION) over the conditions: ${median(results.map(ratio)).toFixed(1)}x.`);
  return lines;
}

function parseArgs(argv: string[]): Partial<PeerOptions> {
  const out: Partial<PeerOptions> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--images') out.images = Number(v);
    else if (k === '--size') out.size = Number(v);
    else if (k === '--models') out.models = path.resolve(v);
    else if (k === '--conditions') out.conditions = v.split(',');
    else if (k === '--work') out.work = path.resolve(v);
    else throw new Error(`unknown option ${k} (use --images N --size PX --models DIR --conditions a,b --work DIR)`);
  }
  for (const k of ['images', 'size'] as const) {
    const n = out[k];
    if (n !== undefined && !(Number.isInteger(n) && n > 0)) throw new Error(`--${k} must be a positive integer`);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = performance.now();
  const lines = await relionPeerLines(parseArgs(process.argv.slice(2)), (m) =>
    console.error(`[${((performance.now() - t0) / 1000).toFixed(0)}s] ${m}`),
  );
  console.log(lines.join('\n'));
}
