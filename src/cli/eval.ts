// `drpnet eval`: recall, precision and F1 of picks against ground truth, per micrograph and
// overall, matching coordinate files by micrograph name.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { coordinateExtensionList, isCoordinateFileName, readCoordinates } from '../core/coords';
import { micrographKey } from '../core/coords/names';
import type { Particle } from '../core/coords/types';
import { aggregate, matchPicks, type MatchResult } from '../core/metrics';
import { numberOption, parse, UsageError } from './args';

const HELP = `usage: drpnet eval --picks DIR --truth DIR [--radius PX | --diameter PX] [--json]

  --picks DIR      coordinate files to score (${coordinateExtensionList()})
  --truth DIR      ground-truth coordinate files, matched to picks by micrograph name
  --radius PX      matching radius in original pixels (default: the particle radius)
  --diameter PX    particle diameter; the default radius is half of it
  --json           print JSON instead of a table`;

/** All picks in a folder, keyed by micrograph name (files may hold one or many micrographs). */
async function readFolder(dir: string): Promise<Map<string, Particle[]>> {
  const names = (await fs.readdir(dir).catch(() => {
    throw new UsageError(`${dir}: no such folder`);
  })).filter((n) => isCoordinateFileName(n)).sort();
  const out = new Map<string, Particle[]>();
  for (const name of names) {
    const file = path.join(dir, name);
    const groups = readCoordinates(await fs.readFile(file, 'utf8'), file);
    for (const [mic, picks] of groups) {
      const key = micrographKey(mic);
      out.set(key, [...(out.get(key) ?? []), ...picks]);
    }
  }
  return out;
}

function row(name: string, m: MatchResult): string {
  const pct = (x: number) => (100 * x).toFixed(1).padStart(6);
  return `${name.padEnd(32)} ${String(m.tp).padStart(6)} ${String(m.fp).padStart(6)} ${String(m.fn).padStart(6)} ${pct(m.recall)} ${pct(m.precision)} ${pct(m.f1)}`;
}

export async function evalCommand(argv: string[]): Promise<number> {
  const args = parse(argv, { picks: { type: 'string' }, truth: { type: 'string' }, radius: { type: 'string' }, diameter: { type: 'string' }, json: { type: 'boolean' } }, HELP);
  if (args.wantsHelp) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const v = args.values;
  if (!v.picks || !v.truth) throw new UsageError(`--picks and --truth are required\n${HELP}`);
  const diameter = numberOption(v.diameter, 'diameter', (x) => x > 0);
  const radius = numberOption(v.radius, 'radius', (x) => x > 0) ?? (diameter !== undefined ? diameter / 2 : undefined);
  if (radius === undefined) throw new UsageError('give the matching radius with --radius PX (or the particle --diameter PX)');

  const [picks, truth] = await Promise.all([readFolder(v.picks), readFolder(v.truth)]);
  if (!truth.size) throw new UsageError(`${v.truth}: no ground-truth coordinate files found`);
  const perMicrograph: { micrograph: string; result: MatchResult }[] = [];
  for (const [mic, t] of [...truth].sort(([a], [b]) => a.localeCompare(b))) {
    perMicrograph.push({ micrograph: mic, result: matchPicks(picks.get(mic) ?? [], t, radius) });
  }
  const unmatched = [...picks.keys()].filter((k) => !truth.has(k));
  const overall = aggregate(perMicrograph.map((p) => p.result));

  if (v.json) {
    const strip = (m: MatchResult) => ({ tp: m.tp, fp: m.fp, fn: m.fn, recall: m.recall, precision: m.precision, f1: m.f1 });
    const json = { radius, micrographs: perMicrograph.map((p) => ({ micrograph: p.micrograph, ...strip(p.result) })), overall: strip(overall), picksWithoutTruth: unmatched };
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  } else {
    process.stdout.write(`${'micrograph'.padEnd(32)} ${'TP'.padStart(6)} ${'FP'.padStart(6)} ${'FN'.padStart(6)} ${'recall'.padStart(6)} ${'prec'.padStart(6)} ${'F1'.padStart(6)}\n`);
    for (const p of perMicrograph) process.stdout.write(row(p.micrograph, p.result) + '\n');
    process.stdout.write(row('overall', overall) + '\n');
    if (unmatched.length) process.stderr.write(`picks without ground truth (not scored): ${unmatched.join(', ')}\n`);
  }
  return 0;
}
