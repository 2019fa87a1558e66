// relion_autopick --LoG (RELION 3.1's Laplacian-of-Gaussian picker) on a project, its
// coordinate files read back with our reader.
//
// Options are those the RELION 3.1 GUI's Auto-picking job passes for LoG picking (and the
// 3.1 tutorial uses): --shrink 0 (shrink to the low-pass resolution), --lowpass 20 (A),
// --LoG_diam_min/--LoG_diam_max in Angstrom, --LoG_adjust_threshold (0 = RELION's default
// threshold; positive: fewer picks, negative: more), --Log_invert for white particles.
// Coordinate files: <odir>/<micrograph path without extension>_<pickname>.star.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readCoordinates, type Particle } from '../../../src/core/coords';
import { coordinateFilePath, type RelionProject } from './project';
import { runRelion } from './relion';

export interface LoGOptions {
  /** Output folder, project-relative (e.g. "AutoPick/job001"). */
  odir: string;
  /** Particle diameter range searched, Angstrom. */
  diameterMinA: number;
  diameterMaxA: number;
  /** --LoG_adjust_threshold (default 0, RELION's own threshold). */
  adjustThreshold?: number;
  /** Particles brighter than the background (negative stain). */
  whiteParticles?: boolean;
}

export interface LoGResult {
  /** Picks per project-relative micrograph path, as read by readCoordinates. */
  picks: Map<string, Particle[]>;
  /** Wall-clock seconds of the whole relion_autopick run. */
  seconds: number;
  /** The particle total RELION printed ("Total number of particles from N micrographs is M"). */
  reportedTotal: number;
  /** RELION 3.1.3 aborted after writing its output (it does when it found nothing). */
  aborted: boolean;
}

/** Runs relion_autopick --LoG on every micrograph of the project. */
export function runLoG(project: RelionProject, opts: LoGOptions): LoGResult {
  const args = ['--i', project.micrographsStar, '--odir', `${opts.odir}/`, '--pickname', 'autopick', '--LoG'];
  args.push('--LoG_diam_min', opts.diameterMinA.toFixed(1), '--LoG_diam_max', opts.diameterMaxA.toFixed(1));
  args.push('--shrink', '0', '--lowpass', '20', '--LoG_adjust_threshold', String(opts.adjustThreshold ?? 0));
  if (opts.whiteParticles) args.push('--Log_invert');
  const run = runRelion('relion_autopick', args, project.dir, {
    tolerateAbortAfter: /Total number of particles from \d+ micrographs is 0\b/,
  });
  const total = /Total number of particles from \d+ micrographs is (\d+)/.exec(run.stdout);
  if (!total) throw new Error(`relion_autopick printed no particle total:\n${run.stdout.slice(-2000)}`);
  const picks = new Map<string, Particle[]>();
  for (const mic of project.micrographs) {
    const file = path.join(project.dir, coordinateFilePath(opts.odir, mic, '_autopick.star'));
    picks.set(mic, [...readCoordinates(readFileSync(file, 'utf8'), file).values()].flat());
  }
  return { picks, seconds: run.seconds, reportedTotal: Number(total[1]), aborted: run.signal !== null };
}
