import type { PickParams } from '../../core/params';
import { applyParamsToAll, changeParams, pickMicrograph } from '../controller';
import { currentMic, useWorkbench } from '../store';

type NumericKey = 'diameter' | 'sigma' | 'threshold' | 'kLevel' | 'cutoff' | 'minDistance' | 'meanPercentile' | 'stdPercentile';

interface SliderSpec {
  key: NumericKey;
  label: string;
  min: number;
  max: number;
  step: number;
  testid: string;
  hint: string;
}

// Ranges cover the paper's per-dataset values (docs/drpnet.md: sigma 4-9, T 3-8, k 1-3,
// cutoff 0.7-0.975) with room either side.
const SLIDERS: SliderSpec[] = [
  { key: 'diameter', label: 'Particle diameter (px)', min: 10, max: 800, step: 2, testid: 'param-diameter', hint: 'Original pixels. Changing it re-runs the detector.' },
  { key: 'sigma', label: 'Sigma', min: 0.5, max: 15, step: 0.5, testid: 'param-sigma', hint: 'Gaussian smoothing of the detector map before peak search.' },
  { key: 'threshold', label: 'Threshold T', min: 0, max: 40, step: 0.5, testid: 'param-threshold', hint: 'Peak height T·k on the map scaled to 0..255.' },
  { key: 'kLevel', label: 'k-level', min: 1, max: 3, step: 1, testid: 'param-klevel', hint: 'Strictness (1 = loose, 3 = strict).' },
  { key: 'minDistance', label: 'Min distance (diameters)', min: 0, max: 1.5, step: 0.05, testid: 'param-min-distance', hint: 'Of two picks closer than this, keep the stronger (0 = off).' },
  { key: 'cutoff', label: 'Classifier cutoff', min: 0.5, max: 1, step: 0.005, testid: 'param-cutoff', hint: 'Drop a pick when p(background) ≥ cutoff; 1 keeps all.' },
  { key: 'meanPercentile', label: 'Mean screen (percentile)', min: 0, max: 100, step: 1, testid: 'param-mean-percentile', hint: 'Keep picks whose patch mean is above this percentile (0 = off).' },
  { key: 'stdPercentile', label: 'Std screen (percentile)', min: 0, max: 100, step: 1, testid: 'param-std-percentile', hint: 'Keep picks whose patch std is above this percentile (0 = off).' },
];

/** Parameters that change the detector input, so the FCRN must run again. */
const DETECT_KEYS: ReadonlySet<keyof PickParams> = new Set(['diameter', 'negativeStain']);
/** Quiet time before a detector re-run; peak parameters re-pick at once (requests coalesce). */
const DETECT_DELAY_MS = 400;

function update(key: string, patch: Partial<PickParams>): void {
  const slow = Object.keys(patch).some((k) => DETECT_KEYS.has(k as keyof PickParams));
  changeParams(key, patch, slow ? DETECT_DELAY_MS : 0);
}

export function ParamsPanel() {
  const mic = useWorkbench(currentMic);
  const batch = useWorkbench((s) => s.batch);
  const canPick = useWorkbench((s) => s.engineReady && !s.backendInfo?.modelError);
  if (!mic) return null;
  const p = mic.params;
  return (
    <section className="panel params-panel" data-testid="params-panel">
      <h2>Parameters</h2>
      {SLIDERS.map((s) => (
        <label key={s.key} className="param" title={s.hint}>
          <span className="param-label">{s.label}</span>
          <input
            type="range"
            data-testid={s.testid}
            min={s.min}
            max={s.max}
            step={s.step}
            value={p[s.key]}
            onChange={(e) => update(mic.key, { [s.key]: Number(e.target.value) })}
          />
          <input
            type="number"
            data-testid={`${s.testid}-number`}
            min={s.min}
            max={s.max}
            step={s.step}
            value={p[s.key]}
            onChange={(e) => {
              const v = Number(e.target.value);
              if (e.target.value !== '' && Number.isFinite(v) && v >= s.min && v <= s.max) update(mic.key, { [s.key]: v });
            }}
          />
        </label>
      ))}
      <label className="check">
        <input type="checkbox" data-testid="param-use-classifier" checked={p.useClassifier} onChange={(e) => update(mic.key, { useClassifier: e.target.checked })} />
        Stage-2 classifier
      </label>
      <label className="check">
        <input type="checkbox" data-testid="param-negative-stain" checked={p.negativeStain} onChange={(e) => update(mic.key, { negativeStain: e.target.checked })} />
        Negative stain (particles bright)
      </label>
      <div className="buttons">
        <button data-testid="pick-current" disabled={!canPick || (mic.status === 'error' && !mic.info)} onClick={() => void pickMicrograph(mic.key)}>
          Pick this micrograph
        </button>
        <button data-testid="apply-all" disabled={!canPick || !!batch} onClick={applyParamsToAll} title="Copy these parameters to every micrograph and pick them all">
          Apply to all
        </button>
      </div>
    </section>
  );
}
