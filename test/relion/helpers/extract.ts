// relion_preprocess --extract on a project, and what it wrote, read back with our readers.
//
// The command line is RELION 3.1's (relion_preprocess --help in 3.1.3): --i micrographs STAR,
// --coord_dir/--coord_suffix for the coordinate files, --part_star/--part_dir for the output,
// --extract --extract_size B, and the options a user normally sets in the Extract job:
// --norm --bg_radius R (R = 75% of the box radius, the GUI default) and --invert_contrast, so
// particles come out bright on a zero-mean background.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readCoordinates, type Particle } from '../../../src/core/coords';
import { columnIndex, findBlock, findLoopWith, parseStar } from '../../../src/core/coords/star';
import type { RelionProject } from './project';
import { runRelion } from './relion';
import { pooledMean, readStackMean, type StackMean } from './stack';

export interface Extraction {
  /** Project-relative particles STAR. */
  particlesStar: string;
  /** Particles as RELION wrote them, by _rlnMicrographName (read with readCoordinates). */
  picks: Map<string, Particle[]>;
  /** Mean of every extracted box, over all stacks. */
  mean: StackMean;
  /** Box side in pixels, as the optics block says (_rlnImageSize). */
  boxSize: number;
}

/** An even box of about 1.8 particle diameters. */
export function boxSizeFor(diameter: number): number {
  return 2 * Math.round(0.9 * diameter);
}

/** Runs relion_preprocess --extract and reads back the particles STAR and the stacks. */
export function extractParticles(
  project: RelionProject,
  coordDir: string,
  coordSuffix: string,
  boxSize: number,
  outDir: string,
  invertContrast = true,
): Extraction {
  const particlesStar = `${outDir}/particles.star`;
  const args = [
    '--i',
    project.micrographsStar,
    '--coord_dir',
    `${coordDir}/`,
    '--coord_suffix',
    coordSuffix,
    '--part_star',
    particlesStar,
    '--part_dir',
    `${outDir}/`,
  ];
  args.push('--extract', '--extract_size', String(boxSize), '--norm', '--bg_radius', String(Math.round(0.375 * boxSize)));
  if (invertContrast) args.push('--invert_contrast');
  runRelion('relion_preprocess', args, project.dir);
  const text = readFileSync(path.join(project.dir, particlesStar), 'utf8');
  const doc = parseStar(text, particlesStar);
  const images = findLoopWith(findBlock(doc, 'particles') ?? doc, ['rlnImageName'])!.loop;
  const col = columnIndex(images, 'rlnImageName');
  // "000012@Extract/Micrographs/mic_0001.mrcs": box 12 of that stack.
  const stacks = [...new Set(images.rows.map((r) => r[col].split('@')[1]))];
  const optics = findLoopWith(findBlock(doc, 'optics')!, ['rlnImageSize'])!.loop;
  return {
    particlesStar,
    picks: readCoordinates(text, particlesStar),
    mean: pooledMean(stacks.map((s) => readStackMean(path.join(project.dir, s)))),
    boxSize: Number(optics.rows[0][columnIndex(optics, 'rlnImageSize')]),
  };
}
