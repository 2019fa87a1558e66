// The session's settings, shown before anything is dropped: the particle diameter every
// micrograph is picked with (in Å or px; each micrograph converts Å with its header's pixel
// size) and whether micrographs are picked as they arrive.
import { setDiameterUnit, setFallbackPixelSize, setPixelSizeOverHeaders, setSessionDiameter } from '../controller/session-diameter';
import { formatPixelSize, pixelsToAngstrom, toTenth } from '../../core/pixel-size';
import { diameterInPx, diameterRange, lacksPixelSize, unitLabel } from '../diameter';
import { currentMic, knownPixelSize, pixelSizeOf, useWorkbench, type DiameterUnit } from '../store';
import { NumberInput } from './NumberInput';

export function SessionPanel() {
  const setting = useWorkbench((s) => s.diameter);
  const autoPick = useWorkbench((s) => s.autoPick);
  const set = useWorkbench((s) => s.set);
  const readOnly = useWorkbench((s) => !!s.readOnly);
  const mic = useWorkbench(currentMic);
  const pixelSize = useWorkbench(knownPixelSize);
  const demoOnly = useWorkbench((s) => s.micrographs.filter((m) => m.demo).length);
  const range = diameterRange(setting.unit, pixelSize);
  const micPixelSize = useWorkbench((s) => pixelSizeOf(currentMic(s), s));
  const micPx = mic && !mic.demo && mic.info ? diameterInPx(setting, micPixelSize) : undefined;
  const fallback = useWorkbench((s) => s.fallbackPixelSize);
  const overHeaders = useWorkbench((s) => s.pixelSizeOverHeaders);
  // Asked for once one of the user's micrographs has no pixel size (or one was entered): a PNG as soon as it is dropped, not once opened.
  const withoutPixelSize = useWorkbench((s) => s.micrographs.filter((m) => !m.demo && m.status !== 'error' && lacksPixelSize(m)).length);
  // Offered with the user's own micrographs too, whose headers may be wrong (binned, the header not updated).
  const own = useWorkbench((s) => s.micrographs.some((m) => !m.demo));
  const entered = overHeaders && fallback !== undefined;
  const from = entered
    ? `entered for every micrograph${mic?.info?.pixelSize ? `; its header says ${formatPixelSize(mic.info.pixelSize)}` : ''}`
    : mic?.info?.pixelSize
      ? "this micrograph's header"
      : 'entered for files without one';
  return (
    <section className="panel session-panel" data-testid="session-panel">
      <h2>Session</h2>
      <label
        className="param diameter-field"
        title="The particle diameter every micrograph of this session is picked with; new micrographs inherit it. Changing it runs the detector again."
      >
        <span className="param-label">Particle diameter</span>
        <NumberInput
          testid="session-diameter"
          label={`Particle diameter (${unitLabel(setting.unit)})`}
          disabled={readOnly}
          value={setting.value}
          min={range.min}
          max={range.max}
          step={setting.unit === 'px' ? 2 : 1}
          onCommit={(value) => setSessionDiameter({ ...setting, value })}
        />
        <select
          data-testid="session-diameter-unit"
          disabled={readOnly}
          value={setting.unit}
          onChange={(e) => setDiameterUnit(e.target.value as DiameterUnit)}
          title="Å: converted with each micrograph's pixel size, from its header or the one entered for files without one"
        >
          <option value="px">px</option>
          <option value="A">Å</option>
        </select>
      </label>
      <p className="small" data-testid="session-diameter-note">
        {mic?.demo
          ? `This demo micrograph keeps its own diameter (${mic.params.diameter} px); yours are picked at ${setting.value} ${unitLabel(setting.unit)}.`
          : mic?.diameterNote
            ? `${mic.diameterNote}.`
            : micPx !== undefined
              ? setting.unit === 'A'
                ? `${setting.value} Å = ${micPx} px at ${formatPixelSize(micPixelSize!)} Å/px (${from}).`
                : `${micPx} px${micPixelSize ? ` = ${toTenth(pixelsToAngstrom(micPx, micPixelSize))} Å at ${formatPixelSize(micPixelSize)} Å/px (${from})` : ''} on this micrograph.`
              : setting.unit === 'A'
                ? 'Each micrograph converts it with the pixel size in its header.'
                : `New micrographs are picked at ${setting.value} ${unitLabel(setting.unit)}.`}
        {demoOnly > 0 && !mic?.demo ? ' Demo micrographs keep their own.' : ''}
      </p>
      {(own || fallback !== undefined) && (
        <>
          <label
            className="param pixel-size-field"
            title={
              overHeaders
                ? 'The pixel size of every micrograph of yours, over what its header says (as RELION takes it from its import job); 0: each header again'
                : 'PNG, JPEG and TIFF files carry no pixel size (as read here): enter it to give the diameter and the display low-pass in Å for them'
            }
          >
            <span className="param-label" data-testid="fallback-pixel-size-label">
              {overHeaders
                ? 'Pixel size of every micrograph, over headers, Å/px, 0 = from headers'
                : `Pixel size of files without one${withoutPixelSize > 0 ? ` (${withoutPixelSize} of yours)` : ''}, Å/px, 0 = unknown`}
            </span>
            <NumberInput
              testid="fallback-pixel-size"
              label="Pixel size (Å/px)"
              disabled={readOnly}
              value={fallback ?? 0}
              min={0}
              max={50}
              step={0.01}
              onCommit={(v) => setFallbackPixelSize(v > 0 ? v : undefined)}
            />
          </label>
          <label
            className="check"
            title="For micrographs binned or scaled after their header was written, which still gives the old pixel size: the diameter in Å and the display low-pass are converted with the size entered above"
          >
            <input
              type="checkbox"
              data-testid="pixel-size-over-headers"
              disabled={readOnly}
              checked={overHeaders}
              onChange={(e) => setPixelSizeOverHeaders(e.target.checked)}
            />
            Use it for every micrograph, over what headers say
          </label>
        </>
      )}
      <label className="check" title="Pick every micrograph as soon as it is dropped or opened">
        <input
          type="checkbox"
          data-testid="auto-pick"
          disabled={readOnly}
          checked={autoPick}
          onChange={(e) => set({ autoPick: e.target.checked })}
        />
        Pick new micrographs on arrival
      </label>
    </section>
  );
}
