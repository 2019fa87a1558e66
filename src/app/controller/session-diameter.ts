// The session's diameter: one particle size for every micrograph, in Å or px, each micrograph
// taking it in its own pixels.
import { clampDiameterPx, convertSetting, diameterInPx, unitLabel } from '../diameter';
import type { TrackedFields } from '../history';
import { knownPixelSize, type DiameterSetting, type DiameterUnit } from '../store';
import { refusedReadOnly, store } from './context';
import { repickStale } from './picking';
import { arrivalDiameter } from './viewing';

/**
 * The session diameter: every micrograph (but the demo data, which keeps its own) takes it in
 * its own pixels and is picked again; new micrographs inherit it. One undo step.
 */
export function setSessionDiameter(setting: DiameterSetting): void {
  if (refusedReadOnly()) return;
  const s = store();
  const patches: Record<string, Partial<TrackedFields>> = {};
  for (const m of s.micrographs) {
    if (m.demo || !m.info) continue;
    const px = diameterInPx(setting, m.info.pixelSize);
    if (px !== undefined) patches[m.key] = { params: { ...m.params, diameter: px } };
  }
  const px = setting.unit === 'px' ? clampDiameterPx(setting.value) : undefined;
  const session = { diameter: setting, ...(px !== undefined ? { defaultParams: { ...s.defaultParams, diameter: px } } : {}) };
  if (!s.change('particle diameter', patches, { session })) return;
  for (const m of store().micrographs) if (!m.demo && m.info) arrivalDiameter(m.key);
  repickStale(Object.keys(patches));
}

/** Shows the session diameter in another unit: the same size, converted with a known pixel size. */
export function setDiameterUnit(unit: DiameterUnit): void {
  const s = store();
  if (s.diameter.unit === unit || refusedReadOnly()) return;
  const pixelSize = knownPixelSize(store());
  if (!pixelSize)
    s.notify(
      `No micrograph with a pixel size is loaded yet: enter the diameter in ${unitLabel(unit)}; each micrograph converts it with its own header.`,
    );
  s.change('diameter unit', {}, { session: { diameter: convertSetting(s.diameter, unit, pixelSize) } });
}
