// The particle diameter as every command that picks or trains takes it: --diameter in pixels,
// or --diameter-angstrom in Å, converted with --angpix or with each micrograph's own pixel size.
// pick, relion-external, fine-tune and train-* read it here, so each refuses and converts alike.
import { ParameterError } from '../core/errors';
import { describeRange, isValidParam, PARAM_SPECS } from '../core/params';
import { angstromToPixels, formatPixelSize, isUsablePixelSize, toTenth } from '../core/pixel-size';
import { ABOVE_ZERO, ANGSTROM_OPTIONS, decimalValue, numberOption, UsageError } from './args';
import { helpEntry, paramFromOption, paramHelp, type OptionValues } from './param-options';

/** parseArgs options of the diameter in Å and the pixel size (--diameter in pixels is a pick parameter: paramOptions). */
export const ANGSTROM_OPTION_TYPES = Object.fromEntries(ANGSTROM_OPTIONS.map((name) => [name, { type: 'string' }])) as Record<
  (typeof ANGSTROM_OPTIONS)[number],
  { type: 'string' }
>;

/** --help lines of the diameter options; `listed` names where else a micrograph's pixel size can come from. */
export function diameterHelp(listed = ''): string {
  return `${paramHelp(['diameter'], { diameter: '--diameter-angstrom' })}
${helpEntry(
  '--diameter-angstrom A',
  `particle diameter in Å instead: in each micrograph's own pixels from --angpix, else from its pixel size in ${listed}its MRC header (TIFF, PNG and JPEG carry none)`,
)}
${helpEntry('--angpix A', "pixel size in Å per pixel for --diameter-angstrom (RELION's name), over what the files say (-1, as in RELION: what they say)")}`;
}

/** A diameter given in Å: with `pixelSize` (--angpix) one conversion for all, else one per micrograph. */
export interface AngstromDiameter {
  diameter: number;
  pixelSize?: number;
}

/** The diameter options read: `px` when it is known for every micrograph (--diameter, or Å with --angpix). */
export interface DiameterSetting {
  px?: number;
  angstrom?: AngstromDiameter;
}

/** The number of a value written with Å after it ('120A', '120 Å', '120 angstrom'), else undefined. */
function withAngstroms(value: unknown): string | undefined {
  return typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(?:a|å|angstroms?)\s*$/i.exec(value)?.[1] : undefined;
}

/** A diameter in Å as pixels (to 0.1 px, as the workbench shows it); `refuse` throws when it is outside the parameter's range. */
export function pixelDiameter(angstrom: number, pixelSize: number, refuse: (message: string) => never): number {
  const px = toTenth(angstromToPixels(angstrom, pixelSize));
  if (!isValidParam('diameter', px))
    refuse(
      `--diameter-angstrom ${angstrom} is ${px} px at ${formatPixelSize(pixelSize)} Å/px, and the diameter must be ${describeRange(PARAM_SPECS.diameter)}`,
    );
  return px;
}

/** --diameter, or --diameter-angstrom with --angpix, checked: exactly one diameter, --angpix only to convert it. */
export function diameterFromOptions(v: OptionValues, help: string): DiameterSetting {
  const inA = withAngstroms(v.diameter);
  if (inA) throw new UsageError(`--diameter is in pixels; for ${inA} Å give --diameter-angstrom ${inA}`);
  const inAToo = withAngstroms(v['diameter-angstrom']);
  if (inAToo) throw new UsageError(`--diameter-angstrom is in Å already: give --diameter-angstrom ${inAToo}`);
  const diameter = numberOption(v['diameter-angstrom'], 'diameter-angstrom', ABOVE_ZERO);
  // RELION's programs read --angpix -1 as "the pixel size the files give".
  const pixelSize = decimalValue(v.angpix) === -1 ? undefined : numberOption(v.angpix, 'angpix', ABOVE_ZERO);
  if (diameter === undefined && v.diameter === undefined)
    throw new UsageError(`--diameter PX (pixels) or --diameter-angstrom A (Å) is required\n${help}`);
  if (pixelSize !== undefined && diameter === undefined)
    throw new UsageError('--angpix converts --diameter-angstrom to pixels; with --diameter in pixels leave it out');
  if (diameter !== undefined && v.diameter !== undefined)
    throw new UsageError('give the particle diameter once: --diameter in pixels or --diameter-angstrom in Å');
  if (diameter === undefined) return { px: paramFromOption(v, 'diameter') };
  const angstrom = { diameter, pixelSize };
  if (pixelSize === undefined) return { angstrom };
  const px = pixelDiameter(diameter, pixelSize, (message) => {
    throw new UsageError(message);
  });
  return { px, angstrom };
}

/** The diameter in words, for a command's first line (`pixels`: what it came to in the micrographs, once read). */
export function describeDiameter(d: DiameterSetting, pixels?: readonly number[]): string {
  const a = d.angstrom;
  if (!a) return `${d.px} px`;
  if (a.pixelSize !== undefined) return `${a.diameter} Å = ${d.px} px at ${formatPixelSize(a.pixelSize)} Å/px (--angpix)`;
  if (pixels?.length) return `${a.diameter} Å = ${pixels.join(', ')} px from the micrographs' pixel sizes`;
  return `${a.diameter} Å, in each micrograph's pixels from its own pixel size`;
}

/** Why a diameter in Å cannot be converted for a micrograph whose pixel size is not known (`why`: what gives none). */
export function noPixelSizeMessage(why: string): string {
  return `no pixel size is known for this micrograph (${why}), so --diameter-angstrom cannot be converted to pixels; give --angpix A (Å per pixel), or --diameter in pixels`;
}

/** One micrograph's diameter in its own pixels: the setting's, else its Å over the micrograph's pixel size; ParameterError naming `file` where that cannot be. */
export function micrographPixels(d: DiameterSetting, pixelSize: number | undefined, file: string): number {
  if (d.px !== undefined) return d.px;
  const refuse = (message: string): never => {
    throw new ParameterError(message, file);
  };
  if (!d.angstrom) throw new Error('a diameter setting holds pixels or Å');
  if (!isUsablePixelSize(pixelSize)) refuse(noPixelSizeMessage('its file gives none'));
  return pixelDiameter(d.angstrom.diameter, pixelSize!, refuse);
}
