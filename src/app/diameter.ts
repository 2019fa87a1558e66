// The session's particle diameter (entered in Å or px) in each micrograph's own pixels, with
// the header's pixel size (Å per pixel). The result stays inside the diameter's range in the
// parameter table (src/core/params.ts).
import { PICK_PARAMETERS } from '../core/params';
import { angstromToPixels, isUsablePixelSize, pixelsToAngstrom, toTenth } from '../core/pixel-size';
import { formatFromFileName, MICROGRAPH_FORMATS } from '../core/io/formats';
import { checkedPicks, type TrackedFields } from './history';
import { pixelSizeOf, type DiameterSetting, type DiameterUnit, type MicrographEntry, type SessionSettings } from './store';

const SPEC = PICK_PARAMETERS.diameter;

/** Pixels to one decimal, inside the table's range. */
export function clampDiameterPx(px: number): number {
  return toTenth(Math.min(SPEC.max, Math.max(SPEC.min, px)));
}

/** The diameter in pixels of a micrograph with this pixel size; undefined when Å cannot be converted (no pixel size). */
export function diameterInPx(setting: DiameterSetting, pixelSize: number | undefined): number | undefined {
  if (setting.unit === 'px') return clampDiameterPx(setting.value);
  return isUsablePixelSize(pixelSize) ? clampDiameterPx(angstromToPixels(setting.value, pixelSize)) : undefined;
}

/**
 * Why a micrograph is picked at another size than the session's, when its conversion falls
 * outside the table's range (a pixel size unlike the one the field's range was set with), else undefined.
 */
export function outOfRangeNote(setting: DiameterSetting, pixelSize: number | undefined): string | undefined {
  const exact =
    setting.unit === 'px' ? setting.value : isUsablePixelSize(pixelSize) ? angstromToPixels(setting.value, pixelSize) : undefined;
  if (exact === undefined || (exact >= SPEC.min && exact <= SPEC.max)) return undefined;
  return `${setting.value} ${unitLabel(setting.unit)} is ${toTenth(exact)} px in this micrograph, outside the picker's ${SPEC.min}-${SPEC.max} px: picked at ${clampDiameterPx(exact)} px`;
}

/** The same physical diameter in another unit (the number is kept when no pixel size is known). */
export function convertSetting(setting: DiameterSetting, unit: DiameterUnit, pixelSize: number | undefined): DiameterSetting {
  if (setting.unit === unit || !isUsablePixelSize(pixelSize)) return { value: setting.value, unit };
  const value = unit === 'A' ? pixelsToAngstrom(setting.value, pixelSize) : angstromToPixels(setting.value, pixelSize);
  return { value: toTenth(value), unit };
}

/** The values the diameter field accepts in a unit: the table's pixel range, in Å with a known pixel size. */
export function diameterRange(unit: DiameterUnit, pixelSize: number | undefined): { min: number; max: number } {
  if (unit === 'px' || !isUsablePixelSize(pixelSize)) return unit === 'px' ? { min: SPEC.min, max: SPEC.max } : { min: 1, max: 10000 };
  return { min: toTenth(pixelsToAngstrom(SPEC.min, pixelSize)), max: toTenth(pixelsToAngstrom(SPEC.max, pixelSize)) };
}

export function unitLabel(unit: DiameterUnit): string {
  return unit === 'A' ? 'Å' : 'px';
}

/** Whether a micrograph has no pixel size of its own: its header gave none, or, before it is opened, its format carries none (PNG, JPEG, TIFF). */
export function lacksPixelSize(m: Pick<MicrographEntry, 'name' | 'info'>): boolean {
  if (m.info) return !m.info.pixelSize;
  const format = formatFromFileName(m.name);
  return format !== undefined && !MICROGRAPH_FORMATS[format].pixelSize;
}

/** Rounding to a tenth in each unit may move a size by a tenth of a pixel: no difference. */
export const UNIT_ROUNDING_PX = 0.25;

/**
 * Micrographs added after a step set the session's size, which took it on arrival (no step
 * recorded that), with the size `restored` gives them: what an undo or redo of that step changes
 * besides its own micrographs (a tester's undo of the first diameter left the micrographs added
 * since at it, and the next one dropped was picked at the size restored). One at a size of its
 * own stays; a reviewed one keeps its checked picks in the step (history.ts CheckedPicks).
 */
export function sessionFollowers(
  now: SessionSettings,
  restored: SessionSettings,
  added: readonly MicrographEntry[],
): Record<string, Partial<TrackedFields>> {
  const out: Record<string, Partial<TrackedFields>> = {};
  for (const m of added) {
    if (m.demo || !m.info) continue;
    const at = diameterInPx(now.diameter, pixelSizeOf(m, now));
    if (at === undefined || Math.abs(at - m.params.diameter) > UNIT_ROUNDING_PX) continue; // a size of its own
    const back = diameterInPx(restored.diameter, pixelSizeOf(m, restored));
    if (back === undefined || Math.abs(back - m.params.diameter) <= UNIT_ROUNDING_PX) continue;
    out[m.key] = { ...(m.reviewed ? checkedPicks(m) : {}), params: { ...m.params, diameter: back } };
  }
  return out;
}

/** Said when the diameter is switched to Å before any micrograph gives a pixel size; taken down once one does (viewing.ts). */
export const NO_PIXEL_SIZE_YET =
  'None of your micrographs gives a pixel size yet: enter the diameter in Å; each micrograph converts it with its own header.';
