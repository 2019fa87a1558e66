// Simulated micrographs written to files for the end-to-end tests (large ones cannot go
// through setInputFiles as buffers), with their ground truth as a RELION STAR file.
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeCoordinates } from '../src/core/coords';
import { writeMrc } from '../src/core/io/mrc';
import { particleDiameterPx } from '../src/core/simulate/phantoms';
import { simulateMicrograph, truthPicks } from '../src/core/simulate/simulate';

export interface SimulatedFile {
  path: string;
  truthPath: string;
  name: string;
  /** Particle diameter in pixels. */
  diameter: number;
}

/** Where simulated inputs are kept between test files and runs (made once per name and settings). */
export const FIXTURE_DIR = path.join(tmpdir(), 'drpnet-e2e-fixtures');

/** A betagal micrograph `size` wide and `height` tall at `pixelSize` A/px, as float32 MRC + STAR truth in FIXTURE_DIR. */
export function simulatedMicrograph(name: string, size: number, seed: number, pixelSize = 1.3, height = size): SimulatedFile {
  const dir = path.join(FIXTURE_DIR, `${size}${height === size ? '' : `x${height}`}-${seed}-${pixelSize}`);
  mkdirSync(dir, { recursive: true });
  const diameter = Math.round(particleDiameterPx('betagal', pixelSize));
  const out = { path: path.join(dir, `${name}.mrc`), truthPath: path.join(dir, `${name}_truth.star`), name: `${name}.mrc`, diameter };
  if (existsSync(out.path) && existsSync(out.truthPath)) return out;
  const sim = simulateMicrograph({ width: size, height, pixelSize, kind: 'betagal', seed });
  // Written under a temporary name and renamed, so a half-written file is never taken as made.
  writeFileSync(`${out.path}.part`, new Uint8Array(writeMrc(sim.image, { pixelSize })));
  renameSync(`${out.path}.part`, out.path);
  writeFileSync(out.truthPath, writeCoordinates('star', truthPicks(sim), { micrographName: out.name, boxSize: diameter }));
  return out;
}

/** The bytes of an MRC file whose header promises a 4096x4096 float32 image it does not hold. */
export function corruptMrc(): Buffer {
  const corrupt = Buffer.alloc(2048, 7);
  corrupt.writeInt32LE(4096, 0);
  corrupt.writeInt32LE(4096, 4);
  corrupt.writeInt32LE(1, 8);
  corrupt.writeInt32LE(2, 12);
  corrupt.write('MAP ', 208, 'ascii');
  corrupt.writeUInt8(0x44, 212);
  corrupt.writeUInt8(0x44, 213);
  return corrupt;
}
