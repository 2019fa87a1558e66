// The session's diameter: one particle size for every micrograph, in Å or px, each micrograph
// taking it in its own pixels.
import { formatPixelSize, isUsablePixelSize } from '../../core/pixel-size';
import { clampDiameterPx, convertSetting, diameterInPx, NO_PIXEL_SIZE_YET, outOfRangeNote, UNIT_ROUNDING_PX, unitLabel } from '../diameter';
import type { TrackedFields } from '../history';
import {
  knownPixelSize,
  overriddenHeader,
  pixelSizeOf,
  repickTakesReview,
  waitsForPixelSize,
  type DiameterSetting,
  type DiameterUnit,
  type EnteredPixelSize,
  type MicrographEntry,
} from '../store';
import { mic, refusedReadOnly, someNames, store } from './context';
import { ensurePicked, repickStale } from './picking';
import { arrivalDiameter } from './viewing';

/**
 * The session diameter: every micrograph (but the demo data, which keeps its own) takes it in
 * its own pixels and is picked again; new micrographs inherit it. One undo step.
 */
export function setSessionDiameter(setting: DiameterSetting): void {
  // A size entered is the user's own, converted from nothing.
  applySessionSize('particle diameter', { value: setting.value, unit: setting.unit }, enteredPixelSize());
}

function enteredPixelSize(): EnteredPixelSize {
  const { fallbackPixelSize, pixelSizeOverHeaders } = store();
  return { fallbackPixelSize, pixelSizeOverHeaders };
}

/**
 * The pixel size of the user's micrographs whose file gives none, or of all of them over their
 * headers (undefined: none entered): with the diameter in Å, those micrographs take it in their
 * pixels and are picked again. One undo step.
 */
export function setFallbackPixelSize(pixelSize: number | undefined): void {
  const fallbackPixelSize = isUsablePixelSize(pixelSize) ? pixelSize : undefined;
  const label = store().pixelSizeOverHeaders ? 'pixel size of every micrograph' : 'pixel size of files without one';
  setEnteredPixelSize(label, { ...enteredPixelSize(), fallbackPixelSize });
}

/**
 * Whether the pixel size entered goes over every micrograph's header (a binned file whose header
 * kept the unbinned size), as RELION takes it from its import job: with the diameter in Å, the
 * micrographs whose pixel size this changes are picked again. One undo step.
 */
export function setPixelSizeOverHeaders(over: boolean): void {
  setEnteredPixelSize(over ? 'pixel size over headers' : 'pixel size from headers', { ...enteredPixelSize(), pixelSizeOverHeaders: over });
}

function setEnteredPixelSize(label: string, entered: EnteredPixelSize): void {
  // The size as shown, not a unit switch made with the pixel size this replaces.
  const { value, unit } = store().diameter;
  const before = enteredPixelSize();
  // Only the micrographs whose pixel size this changes, and only in Å: one left at a size of its
  // own (a unit switch, an undo) is not set to the session's by a pixel size that is not its.
  const changes = (m: MicrographEntry) => unit === 'A' && pixelSizeOf(m, before) !== pixelSizeOf(m, entered);
  if (applySessionSize(label, { value, unit }, entered, changes)) sayOverHeaders(entered);
}

/**
 * Over the headers, how many micrographs' headers say another size: the setting is one for the
 * session, and a tester's project mixing a binned session with a right one re-picked the right
 * one at the wrong size without a word.
 */
function sayOverHeaders(entered: EnteredPixelSize): void {
  const { fallbackPixelSize } = entered;
  const headers = new Map<string, number>();
  for (const m of store().micrographs) {
    const own = overriddenHeader(m, entered);
    if (own === undefined) continue;
    const said = formatPixelSize(own);
    headers.set(said, (headers.get(said) ?? 0) + 1);
  }
  const n = [...headers.values()].reduce((a, b) => a + b, 0);
  if (!n || fallbackPixelSize === undefined) return;
  const says = [...headers.keys()].map((p) => `${p} Å/px`).join(', ');
  store().notify(
    `${n} micrograph${n === 1 ? '' : 's'} of yours whose header${n === 1 ? ' says' : 's say'} ${says} ${n === 1 ? 'takes' : 'take'} ${formatPixelSize(fallbackPixelSize)} Å/px now (Ctrl+Z undoes it). ` +
      'It goes over every header: where your sessions differ in pixel size, pick one session at a time (New session keeps the diameter and this pixel size), or use the command line with one --angpix per folder.',
  );
}

function applySessionSize(
  label: string,
  setting: DiameterSetting,
  entered: EnteredPixelSize,
  affects: (m: MicrographEntry) => boolean = () => true,
): boolean {
  if (refusedReadOnly()) return false;
  const s = store();
  const patches: Record<string, Partial<TrackedFields>> = {};
  let reviewed = 0;
  for (const m of s.micrographs) {
    if (m.demo || !m.info || !affects(m)) continue;
    const px = diameterInPx(setting, pixelSizeOf(m, entered));
    if (px === undefined) continue;
    // The size of a particle is not a setting a review can keep: it changes every pick's place,
    // so a reviewed micrograph picked again is no longer reviewed (nor taught from as checked).
    const unreview = px !== m.params.diameter && repickTakesReview(m);
    patches[m.key] = { params: { ...m.params, diameter: px }, ...(unreview ? { reviewed: false } : {}) };
    if (unreview) reviewed++;
  }
  const px = setting.unit === 'px' ? clampDiameterPx(setting.value) : undefined;
  const session = {
    diameter: setting,
    ...entered,
    ...(px !== undefined ? { defaultParams: { ...s.defaultParams, diameter: px } } : {}),
  };
  if (!s.change(label, patches, { session, sizeStep: true })) return false;
  for (const m of store().micrographs) if (!m.demo && m.info) arrivalDiameter(m.key);
  repickStale(Object.keys(patches));
  if (reviewed)
    s.notify(
      `${reviewed} micrograph${reviewed === 1 ? '' : 's'} you had marked reviewed ${reviewed === 1 ? 'was' : 'were'} picked again at the new diameter and ${reviewed === 1 ? 'is' : 'are'} no longer marked reviewed (picks you accepted, rejected or added are kept): check ${reviewed === 1 ? 'it' : 'them'} again and mark ${reviewed === 1 ? 'it' : 'them'} reviewed, or Ctrl+Z.`,
      'error',
    );
  return true;
}

/** Shows the session diameter in another unit: the same size, converted with a known pixel size. */
export function setDiameterUnit(unit: DiameterUnit): void {
  const s = store();
  if (s.diameter.unit === unit || refusedReadOnly()) return;
  const pixelSize = knownPixelSize(store());
  // Only Å needs a pixel size: a switch to px needs none, but without one the number cannot be converted.
  if (!pixelSize && unit === 'A') s.notify(NO_PIXEL_SIZE_YET);
  if (!pixelSize && unit === 'px')
    s.notify(
      `No pixel size is known to convert ${s.diameter.value} Å with: the field keeps the number, now ${s.diameter.value} px; enter the diameter in px.`,
    );
  // Back to the size converted from, while one of the micrographs' pixel sizes still gives it
  // (not after the micrographs or their pixel sizes changed); a conversion made with no pixel
  // size (the number kept) is none to come back from.
  const back = s.diameter.convertedFrom;
  const current = { value: s.diameter.value, unit: s.diameter.unit };
  const stillHolds =
    back?.unit === unit &&
    s.micrographs.some((m) => {
      const p = pixelSizeOf(m, s);
      return !m.demo && p !== undefined && Math.abs(convertSetting(back, current.unit, p).value - current.value) <= UNIT_ROUNDING_PX;
    });
  const setting: DiameterSetting = stillHolds
    ? { ...back }
    : { ...convertSetting(current, unit, pixelSize), ...(pixelSize ? { convertedFrom: current } : {}) };
  // Those that waited for a pixel size to convert Å with need none in px: they take the session's size, picked as on arrival.
  const held = unit === 'px' ? s.micrographs.filter((m) => waitsForPixelSize(m, s)) : [];
  const px = clampDiameterPx(setting.value);
  const patches = Object.fromEntries(held.map((m) => [m.key, { params: { ...m.params, diameter: px } }]));
  if (!s.change('diameter unit', patches, { session: { diameter: setting } })) return;
  if (held.length && store().autoPick) ensurePicked(held.map((m) => m.key));
  // A unit is a way to show the size: no micrograph is picked again. Those it leaves at another
  // size (no pixel size, or another one than the conversion's) are told apart, here and in their notes.
  const apart = store().micrographs.filter((m) => !m.demo && m.info && noteSessionSize(m, setting));
  if (!apart.length) return;
  const names = apart.map((m) => m.name);
  const size = `${setting.value} ${unitLabel(unit)}`;
  s.notify(
    `${apart.length} of your micrographs (${someNames(names)}) ${apart.length === 1 ? 'stays' : 'stay'} picked at ${apart.length === 1 ? 'its' : 'their'} own size, ` +
      `not the session's ${size}${pixelSize ? ` (converted with ${formatPixelSize(pixelSize)} Å/px)` : ''}; micrographs added from now on take ${size}. ` +
      'Enter the diameter again to set it on all.',
  );
}

/**
 * After an undo or redo of a size step: a picked micrograph whose size the session can no longer
 * convert (Å, no pixel size) keeps the size it was picked at, as a unit switch leaves it, rather
 * than going back to a size nobody chose (the default it held before it was first picked).
 */
export function keepPickedSizeUnconverted(keys: readonly string[]): void {
  const s = store();
  for (const k of keys) {
    const m = mic(k);
    if (!m?.pickedWith || m.demo || !m.info || diameterInPx(s.diameter, pixelSizeOf(m, s)) !== undefined) continue;
    if (m.params.diameter !== m.pickedWith.diameter) s.updateMic(k, { params: { ...m.params, diameter: m.pickedWith.diameter } });
  }
}

/** Brings the notes of the user's micrographs up to date with the session size (after an undo or redo of it). */
export function refreshDiameterNotes(): void {
  const setting = store().diameter;
  for (const m of store().micrographs) if (!m.demo && m.info) noteSessionSize(m, setting);
}

/** Brings a micrograph's diameter note up to date with the session size; true when its size is not the session's. */
function noteSessionSize(m: MicrographEntry, setting: DiameterSetting): boolean {
  const pixelSize = pixelSizeOf(m, store());
  const px = diameterInPx(setting, pixelSize);
  if (px === undefined) {
    arrivalDiameter(m.key); // says Å cannot be converted without a pixel size
    return false;
  }
  const differs = Math.abs(px - m.params.diameter) > UNIT_ROUNDING_PX;
  const note = differs
    ? `picked at ${m.params.diameter} px, not the session's ${px} px: enter the diameter again to pick every micrograph at it`
    : outOfRangeNote(setting, pixelSize);
  if (note !== m.diameterNote) store().updateMic(m.key, { diameterNote: note });
  return differs;
}
