// The parameter panel: one control per pick parameter, as param-controls.ts generates them
// from the parameter table (sliders and number boxes for numbers, checkboxes for booleans).
import { detectorKey, isValidParam, type PickParams } from '../../core/params';
import { applyParamsToAll, changeParams, pickMicrograph } from '../controller';
import { PARAM_CONTROLS, type ParamControl } from '../param-controls';
import { currentMic, useWorkbench } from '../store';

/** Quiet time before a detector re-run; peak parameters re-pick at once (requests coalesce). */
const DETECT_DELAY_MS = 400;

function update(key: string, params: PickParams, patch: Partial<PickParams>): void {
  const slow = detectorKey({ ...params, ...patch }) !== detectorKey(params);
  changeParams(key, patch, slow ? DETECT_DELAY_MS : 0);
}

function Control({ micKey, c, params }: { micKey: string; c: ParamControl; params: PickParams }) {
  const value = params[c.key];
  if (c.kind === 'boolean') {
    return (
      <label className="check" title={c.hint}>
        <input type="checkbox" data-testid={c.testid} checked={value as boolean} onChange={(e) => update(micKey, params, { [c.key]: e.target.checked })} />
        {c.label}
      </label>
    );
  }
  return (
    <label className="param" title={c.hint}>
      <span className="param-label">{c.label}</span>
      <input type="range" data-testid={c.testid} min={c.min} max={c.max} step={c.step} value={value as number} onChange={(e) => update(micKey, params, { [c.key]: Number(e.target.value) })} />
      <input
        type="number"
        data-testid={`${c.testid}-number`}
        min={c.min}
        max={c.max}
        step={c.step}
        value={value as number}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (e.target.value !== '' && isValidParam(c.key, v)) update(micKey, params, { [c.key]: v });
        }}
      />
    </label>
  );
}

export function ParamsPanel() {
  const mic = useWorkbench(currentMic);
  const batch = useWorkbench((s) => s.batch);
  const canPick = useWorkbench((s) => s.engineReady && !s.backendInfo?.modelError);
  if (!mic) return null;
  return (
    <section className="panel params-panel" data-testid="params-panel">
      <h2>Parameters</h2>
      {PARAM_CONTROLS.map((c) => (
        <Control key={c.key} micKey={mic.key} c={c} params={mic.params} />
      ))}
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
