// Writes the demo dataset the workbench opens on first start: public/samples/ holds a few
// simulated micrographs of one particle at one pixel size (as a real dataset would be), under
// different conditions, as int16 MRC of the electron counts (half the bytes of float32, within
// the project's 10 MB budget for samples, and read by RELION 3.1, which refuses float16), each
// with its ground truth as a RELION coordinate STAR, plus index.json.
//
//   npx tsx scripts/make-samples.ts [--out public/samples]
//
// Seeds are far from training (100,000+) and evaluation (8,000,000+) seeds.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCoordinates } from '../src/core/coords';
import { writeMrc } from '../src/core/io/mrc';
import { particleDiameterPx } from '../src/core/simulate/phantoms';
import { presetConfig, type SimPresetName } from '../src/core/simulate/presets';
import { simulateMicrograph, truthPicks } from '../src/core/simulate/simulate';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.indexOf('--out');
const out = outArg >= 0 ? resolve(process.argv[outArg + 1]) : join(root, 'public/samples');

/** beta-galactosidase at 2.6 A/px (a 1.3 A/px dataset binned twice, as one picks on). */
const KIND = 'betagal';
const PIXEL_SIZE = 2.6;
const SIZE = 1024;
const SAMPLES: { name: string; preset: SimPresetName; seed: number }[] = [
  { name: 'betagal_0001', preset: 'typical', seed: 7_000_001 },
  { name: 'betagal_0002', preset: 'carbon-edge', seed: 7_000_002 },
  { name: 'betagal_0003', preset: 'contamination', seed: 7_000_003 },
];

export interface SampleEntry {
  micrograph: string;
  truth: string;
  /** Particle diameter in original pixels, applied when the demo opens. */
  diameter: number;
  condition: string;
}

const diameter = Math.round(particleDiameterPx(KIND, PIXEL_SIZE));
mkdirSync(join(out, 'truth'), { recursive: true });
const index: SampleEntry[] = [];
let bytes = 0;
for (const s of SAMPLES) {
  const sim = simulateMicrograph(presetConfig(s.preset, { kind: KIND, pixelSize: PIXEL_SIZE, width: SIZE, height: SIZE, seed: s.seed }));
  const mrc = new Uint8Array(writeMrc(sim.image, { pixelSize: sim.pixelSize, mode: 1 }));
  const truth = truthPicks(sim);
  const star = writeCoordinates('star', truth, { micrographName: `${s.name}.mrc`, boxSize: diameter });
  writeFileSync(join(out, `${s.name}.mrc`), mrc);
  writeFileSync(join(out, 'truth', `${s.name}.star`), star);
  bytes += mrc.byteLength + star.length;
  index.push({ micrograph: `${s.name}.mrc`, truth: `truth/${s.name}.star`, diameter, condition: s.preset });
  console.log(`${s.name}.mrc: ${s.preset}, ${truth.length} particles, diameter ${diameter} px`);
}
writeFileSync(join(out, 'index.json'), JSON.stringify(index, null, 2) + '\n');
console.log(`wrote ${index.length} samples to ${out} (${(bytes / 2 ** 20).toFixed(1)} MiB)`);
