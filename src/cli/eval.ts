// `drpnet eval`: recall, precision and F1 of picks against ground truth, per micrograph and
// overall, matching coordinate files by micrograph name.
import path from 'node:path';
import { COORDINATE_FORMAT_IDS, coordinateExtensionList } from '../core/coords/formats';
import { crowdedMessage, extentMismatchMessage, outsideMessage } from '../core/coords/bounds';
import { micrographMatchKey } from '../core/coords/names';
import { insideEdgeMargin, type Point } from '../core/candidates';
import { openMicrograph } from '../core/io/micrograph';
import { aggregate, matchingRadius, matchInRegion, matchPicks, type Scores } from '../core/metrics';
import { ABOVE_ZERO, choiceListOption, numberOption, parse, pathOption, UsageError } from './args';
import { READ_PREFERENCE, readCoordinateFolder } from './coordinate-folder';
import { openFileReader, someOf, trainingInputs } from './files';

/** Each micrograph's size by its match key (the header only, for an MRC); one that cannot be read stops the command. */
async function micrographSizes(inputs: string[]): Promise<Map<string, { name: string; width: number; height: number }>> {
  const files = await trainingInputs(inputs, (line) => process.stderr.write(`drpnet eval: ${line}\n`));
  const sizes = new Map<string, { name: string; width: number; height: number }>();
  const unreadable: string[] = [];
  for (const file of files) {
    try {
      const reader = await openFileReader(file);
      try {
        const m = await openMicrograph(reader, file);
        sizes.set(micrographMatchKey(file), { name: path.basename(file), width: m.width, height: m.height });
      } finally {
        await reader.close();
      }
    } catch (e) {
      unreadable.push((e as Error).message);
    }
  }
  if (unreadable.length) throw new UsageError(`--micrographs: cannot read ${unreadable.join('; ')}`);
  return sizes;
}

const HELP = `usage: drpnet eval --picks DIR --truth DIR (--radius PX | --diameter PX) [--micrographs PATH] [--json]

  --picks DIR      coordinate files to score (${coordinateExtensionList()})
  --truth DIR      ground-truth coordinate files, matched to picks by micrograph name (or the
                   longest micrograph name a file name starts with)
  --radius PX      matching radius in original pixels; this or --diameter is required
  --diameter PX    particle diameter in original pixels: the matching radius is half of it
  --format LIST    which formats of --picks to read, most preferred first: where a micrograph
                   has files of several formats (pick --format star,box), only the first
                   one's is read (default ${READ_PREFERENCE.join(',')}; --truth always uses that order)
  --box-size PX    box size for .box files that give only the corner (two columns)
  --micrographs PATH
                   the micrographs (files or a folder; repeat for several): each is then scored
                   over the particles lying wholly inside it (centre at least the matching
                   radius from each edge, what pick's default edge margin keeps; a pick or a
                   particle cut by the edge is neither right nor wrong), and coordinates
                   written for another binning are refused (outside it) or said (all in its
                   top-left quarter)
  --json           print JSON instead of a table

Each of --picks and --truth is a folder of coordinate files, one file, or a folder that holds
none of its own but subfolders that do: a RELION job folder (its files mirror the micrographs'
folders; its list and job files are passed over) or crYOLO's output (CBOX/, STAR/, EMAN/).
A file that is not a coordinate file is skipped with a warning; one that cannot be read is
named, its micrograph is left out and the rest is scored, with exit status 1. A micrograph
with ground truth but no pick file is scored as nothing picked (and named).`;

function row(name: string, m: Scores): string {
  const pct = (x: number) => (100 * x).toFixed(1).padStart(6);
  return `${name.padEnd(32)} ${String(m.tp).padStart(6)} ${String(m.fp).padStart(6)} ${String(m.fn).padStart(6)} ${pct(m.recall)} ${pct(m.precision)} ${pct(m.f1)}`;
}

export async function evalCommand(argv: string[]): Promise<number> {
  const args = parse(
    argv,
    {
      picks: { type: 'string' },
      truth: { type: 'string' },
      radius: { type: 'string' },
      diameter: { type: 'string' },
      format: { type: 'string' },
      'box-size': { type: 'string' },
      micrographs: { type: 'string', multiple: true },
      json: { type: 'boolean' },
    },
    HELP,
  );
  if (args.wantsHelp) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const v = args.values;
  if (!v.picks || !v.truth) throw new UsageError(`--picks and --truth are required\n${HELP}`);
  const diameter = numberOption(v.diameter, 'diameter', ABOVE_ZERO);
  // Both given and different would leave one unused without a word (a tester scored at radius 10 with --diameter 140 given too).
  if (v.diameter !== undefined && v.radius !== undefined)
    throw new UsageError('give the matching radius once: --radius PX, or --diameter PX (the radius is half of it)');
  const radius = numberOption(v.radius, 'radius', ABOVE_ZERO) ?? (diameter !== undefined ? matchingRadius(diameter) : undefined);
  if (radius === undefined) throw new UsageError('give the matching radius with --radius PX (or the particle --diameter PX)');
  const formats = choiceListOption(v.format, 'format', COORDINATE_FORMAT_IDS);
  const boxSize = numberOption(v['box-size'], 'box-size', ABOVE_ZERO);

  const sizes = v.micrographs ? await micrographSizes(v.micrographs) : undefined;

  const micrographs = sizes && [...sizes.values()].map((s) => s.name);
  const truthRead = await readCoordinateFolder(pathOption(v.truth, 'truth') as string, { label: '--truth', boxSize, micrographs });
  // Without the micrographs, the truth names them: picks named `mic_01_topaz-run3.txt` still meet `mic_01.star`.
  const picked = await readCoordinateFolder(pathOption(v.picks, 'picks') as string, {
    label: '--picks',
    formats,
    boxSize,
    formatOption: true,
    micrographs: micrographs ?? [...truthRead.names.values()],
  });
  for (const r of [picked, truthRead]) {
    process.stderr.write(`drpnet eval: ${r.summary}\n`);
    for (const w of r.warnings) process.stderr.write(`drpnet eval: warning: ${w}\n`);
    for (const f of r.failed) process.stderr.write(`drpnet eval: FAILED ${f}\n`);
  }
  const failures = picked.failed.length + truthRead.failed.length;
  const picks = picked.picks;
  const truth = truthRead.picks;
  if (!truth.size && !truthRead.failed.length) throw new UsageError(`${v.truth}: no ground-truth coordinate files found`);
  if (!picks.size && !picked.failed.length) throw new UsageError(`${v.picks}: no coordinate files to score found`);
  // Nothing left to match against: say so, rather than that the two sets do not match.
  if (!truth.size) throw new UsageError(`--truth: none of its ${truthRead.failed.length} coordinate file(s) could be read (FAILED above)`);
  const withoutTruth = [...picks.keys()].filter((k) => !truth.has(k));
  // Listed below: not the micrographs whose truth file failed (said above), nor files that pick nothing.
  const unmatched = withoutTruth
    .filter((k) => !truthRead.failedKeys.has(k) && (picks.get(k) as Point[]).length > 0)
    .map((k) => picked.names.get(k) ?? k);
  if (picks.size && withoutTruth.length === picks.size)
    throw new UsageError(
      `no micrograph of --picks has ground truth in --truth (picks for ${someOf([...picked.names.values()])}; truth for ${someOf([...truthRead.names.values()])}): are they of the same data set?`,
    );
  // A micrograph whose pick file could not be read is left out, not scored as picking nothing.
  const scored = [...truth].filter(([mic]) => !picked.failedKeys.has(mic)).sort(([a], [b]) => a.localeCompare(b));
  // Nothing to score: no table of zeros, which a script would read as an F1 of 0.
  if (!scored.length) throw new UsageError(`--picks: none of its ${picked.failed.length} coordinate file(s) could be read (FAILED above)`);
  const named = (key: string): string => truthRead.names.get(key) ?? key;
  const refused: string[] = [];
  const warnings: string[] = [];
  const unsized: string[] = [];
  const perMicrograph: { micrograph: string; result: Scores }[] = [];
  for (const [mic, t] of scored) {
    const p = picks.get(mic) ?? [];
    const size = sizes?.get(mic);
    if (!size) {
      if (sizes) unsized.push(named(mic));
      const mismatch = extentMismatchMessage(p, t, named(mic));
      if (mismatch) warnings.push(mismatch);
      perMicrograph.push({ micrograph: named(mic), result: matchPicks(p, t, radius) });
      continue;
    }
    const { width, height } = size;
    for (const [what, points] of [
      ['--truth', t],
      ['--picks', p],
    ] as const) {
      // A radius past the edge lets through a particles STAR's recentred edge particles, as the workbench does.
      const outside = outsideMessage(points, size.name, width, height, radius);
      if (outside) refused.push(`${what}: ${outside}`);
      const crowded = crowdedMessage(points, size.name, width, height);
      if (crowded) warnings.push(`${what}: ${crowded}`);
    }
    const inside = (q: Point) => insideEdgeMargin(q.x, q.y, width, height, radius);
    perMicrograph.push({ micrograph: named(mic), result: matchInRegion(p, t, radius, inside) });
  }
  if (refused.length) throw new UsageError(`${refused.join('\n')}\nNothing scored; give the coordinates of these micrographs`);
  for (const w of warnings) process.stderr.write(`drpnet eval: warning: ${w}\n`);
  if (unsized.length)
    process.stderr.write(`drpnet eval: no micrograph in --micrographs for ${someOf(unsized)}: scored over all its particles\n`);
  const withoutPicks = scored.filter(([mic]) => !picks.has(mic)).map(([mic]) => named(mic));
  const overall = aggregate(perMicrograph.map((p) => p.result));

  if (v.json) {
    const strip = (m: Scores) => ({ tp: m.tp, fp: m.fp, fn: m.fn, recall: m.recall, precision: m.precision, f1: m.f1 });
    const json = {
      radius,
      region: !sizes ? 'everywhere' : unsized.length ? 'inside each micrograph given, everywhere on the others' : 'inside each micrograph',
      micrographs: perMicrograph.map((p) => ({ micrograph: p.micrograph, ...strip(p.result) })),
      overall: strip(overall),
      picksWithoutTruth: unmatched,
    };
    process.stdout.write(JSON.stringify(json, null, 2) + '\n');
  } else {
    process.stdout.write(
      `${'micrograph'.padEnd(32)} ${'TP'.padStart(6)} ${'FP'.padStart(6)} ${'FN'.padStart(6)} ${'recall'.padStart(6)} ${'prec'.padStart(6)} ${'F1'.padStart(6)}\n`,
    );
    for (const p of perMicrograph) process.stdout.write(row(p.micrograph, p.result) + '\n');
    process.stdout.write(row('overall', overall) + '\n');
    if (unmatched.length) process.stderr.write(`picks without ground truth (not scored): ${unmatched.join(', ')}\n`);
  }
  if (withoutPicks.length)
    process.stderr.write(`drpnet eval: ground truth without a pick file, scored as nothing picked: ${someOf(withoutPicks)}\n`);
  if (failures) process.stderr.write(`drpnet eval: ${failures} coordinate file(s) could not be read; the scores leave them out\n`);
  return failures ? 1 : 0;
}
