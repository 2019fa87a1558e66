// `drpnet simulate`: writes simulated micrographs (MRC mode 2 with the pixel size in the
// header) and their ground truth (RELION coordinate STAR in truth/<name>.star).
import path from 'node:path';
import { defaultBoxSize, writeCoordinates } from '../core/coords';
import { writeMrc } from '../core/io/mrc';
import { isParticleKind, PARTICLE_KINDS, particleDiameterPx, type ParticleKind } from '../core/simulate/phantoms';
import { presetConfig, SIM_PRESET_NAMES, type SimPresetName } from '../core/simulate/presets';
import { simulateMicrograph, truthPicks, type CarbonMode, type SimConfig } from '../core/simulate/simulate';
import { ABOVE_ZERO, listOption, numberOption, parse, UsageError, WHOLE, wholeFrom } from './args';
import { writeFileAtomic } from './files';

const HELP = `usage: drpnet simulate --out DIR [options]

  --out DIR              output folder: DIR/<name>.mrc and DIR/truth/<name>.star
  --count N              number of micrographs (default 1)
  --size PX              width and height in pixels (default 4096)
  --pixel A              pixel size in angstrom (default: the preset's: 1.3 for most;
                         ribosome and rod 1.8, negative-stain 2, shell 2.2)
  --particle KINDS       ${PARTICLE_KINDS.join('|')}, or several comma-separated (default betagal)
  --preset NAME          ${SIM_PRESET_NAMES.join('|')} (default typical)
  --particles N          particles placed per micrograph (default: from the preset's density);
                         truth/ lists those lying wholly inside and not under contamination
  --dose E               electrons per square angstrom
  --defocus MIN,MAX      defocus range in micrometres (underfocus positive)
  --carbon MODE          none|edge|area
  --contamination N      ice-contamination blobs per micrograph
  --negative-stain       negative-stain image formation
  --seed S               seed of the first micrograph; micrograph i uses S+i (default 1)
  --prefix NAME          file name prefix (default mic)`;

export async function simulateCommand(argv: string[]): Promise<number> {
  const args = parse(
    argv,
    {
      out: { type: 'string' },
      count: { type: 'string' },
      size: { type: 'string' },
      pixel: { type: 'string' },
      particle: { type: 'string' },
      preset: { type: 'string' },
      particles: { type: 'string' },
      dose: { type: 'string' },
      defocus: { type: 'string' },
      carbon: { type: 'string' },
      contamination: { type: 'string' },
      'negative-stain': { type: 'boolean' },
      seed: { type: 'string' },
      prefix: { type: 'string' },
    },
    HELP,
  );
  if (args.wantsHelp) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  const v = args.values;
  if (!v.out) throw new UsageError(`--out is required\n${HELP}`);
  const count = numberOption(v.count, 'count', wholeFrom(1)) ?? 1;
  const size = numberOption(v.size, 'size', wholeFrom(64)) ?? 4096;
  const seed = numberOption(v.seed, 'seed', WHOLE) ?? 1;
  const preset = (v.preset ?? 'typical') as SimPresetName;
  if (!SIM_PRESET_NAMES.includes(preset)) throw new UsageError(`--preset: unknown preset '${preset}' (use ${SIM_PRESET_NAMES.join(', ')})`);
  const kinds = listOption(v.particle, 'particle') ?? ['betagal'];
  for (const k of kinds)
    if (!isParticleKind(k)) throw new UsageError(`--particle: unknown particle '${k}' (use ${PARTICLE_KINDS.join(', ')})`);
  const overrides: Partial<SimConfig> = {
    width: size,
    height: size,
    kind: kinds.length === 1 ? (kinds[0] as ParticleKind) : (kinds as ParticleKind[]),
  };
  const pixel = numberOption(v.pixel, 'pixel', ABOVE_ZERO);
  if (pixel !== undefined) overrides.pixelSize = pixel;
  const particles = numberOption(v.particles, 'particles', wholeFrom(0));
  if (particles !== undefined) overrides.count = particles;
  const dose = numberOption(v.dose, 'dose', ABOVE_ZERO);
  if (dose !== undefined) overrides.dose = dose;
  if (v.defocus !== undefined) {
    const range = (listOption(v.defocus, 'defocus') ?? []).map(Number);
    if (range.length !== 2 || !range.every((x) => x > 0) || range[0] > range[1])
      throw new UsageError(`--defocus: expected MIN,MAX in micrometres, got '${v.defocus}'`);
    overrides.defocusUm = [range[0], range[1]];
  }
  if (v.carbon !== undefined) {
    if (!['none', 'edge', 'area'].includes(v.carbon)) throw new UsageError(`--carbon: expected none, edge or area, got '${v.carbon}'`);
    overrides.carbon = v.carbon as CarbonMode;
  }
  const contamination = numberOption(v.contamination, 'contamination', wholeFrom(0));
  if (contamination !== undefined) overrides.contamination = contamination;
  if (v['negative-stain']) overrides.negativeStain = true;
  const prefix = v.prefix ?? 'mic';

  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const result = simulateMicrograph(presetConfig(preset, { ...overrides, seed: seed + i }));
    const name = `${prefix}_${String(i + 1).padStart(4, '0')}`;
    const truth = truthPicks(result);
    const diameter = Math.max(...kinds.map((k) => particleDiameterPx(k as ParticleKind, result.pixelSize)));
    await writeFileAtomic(path.join(v.out, `${name}.mrc`), new Uint8Array(writeMrc(result.image, { pixelSize: result.pixelSize })));
    await writeFileAtomic(
      path.join(v.out, 'truth', `${name}.star`),
      writeCoordinates('star', truth, { micrographName: `${name}.mrc`, boxSize: defaultBoxSize(diameter) }),
    );
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    const defocus = result.params.defocusMeanUm.toFixed(2);
    process.stderr.write(
      `[${i + 1}/${count}] ${name}.mrc: ${truth.length} particles (diameter ${diameter.toFixed(0)} px), defocus ${defocus} um, ${secs} s\n`,
    );
  }
  return 0;
}
