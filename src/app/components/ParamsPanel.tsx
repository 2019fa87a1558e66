// The parameter panel: one control per pick parameter of the current micrograph, as
// param-controls.ts generates them from the parameter table (sliders with number boxes for
// numbers, checkboxes for booleans). The diameter is the session's (SessionPanel). A slider
// re-picks as it moves; a number box commits on Enter or when it loses focus. Every change is
// an undo step (a slider drag is one).
import { Fragment, memo, useState } from 'react';
import { describeCalibration, unlikeTraining } from '../../core/calibrate';
import { detectorKey, PARAM_SPECS, type PickParams } from '../../core/params';
import { applyParamsToAll, applyToAllTargets, bringBackAutomaticPicks, changeParams, pickMicrograph } from '../controller/picking';
import { cancelSettingsFromReview, reviewedMicrographs, settingsFromReview } from '../controller/settings-from-review';
import { MICROGRAPH_CONTROLS, type ParamControl } from '../param-controls';
import { currentMic, useWorkbench, waitsForPixelSize } from '../store';
import { NumberInput } from './NumberInput';
import { SliderRow } from './SliderRow';

/** Quiet time before a detector re-run; peak parameters re-pick at once (requests coalesce). */
const DETECT_DELAY_MS = 400;

function update(key: string, params: PickParams, patch: Partial<PickParams>): void {
  const slow = detectorKey({ ...params, ...patch }) !== detectorKey(params);
  changeParams(key, patch, slow ? DETECT_DELAY_MS : 0);
}

/** One parameter's control; drawn again only when the parameters change (not on every re-pick). */
const Control = memo(function Control({
  micKey,
  c,
  params,
  disabled,
}: {
  micKey: string;
  c: ParamControl;
  params: PickParams;
  disabled: boolean;
}) {
  const value = params[c.key];
  if (c.kind === 'boolean') {
    return (
      <label className="check" title={c.hint}>
        <input
          type="checkbox"
          data-testid={c.testid}
          disabled={disabled}
          checked={value as boolean}
          onChange={(e) => update(micKey, params, { [c.key]: e.target.checked })}
        />
        {c.label}
      </label>
    );
  }
  const spec = PARAM_SPECS[c.key];
  return (
    <SliderRow
      label={c.label}
      title={c.hint}
      testId={c.testid}
      disabled={disabled}
      min={c.min}
      max={c.max}
      step={c.step}
      value={value as number}
      onChange={(v) => update(micKey, params, { [c.key]: v })}
    >
      <NumberInput
        testid={`${c.testid}-number`}
        label={c.label}
        disabled={disabled}
        value={value as number}
        min={c.min}
        max={c.max}
        step={c.step}
        integer={spec.kind === 'number' && spec.integer}
        onCommit={(v) => update(micKey, params, { [c.key]: v })}
      />
    </SliderRow>
  );
});

export function ParamsPanel() {
  const mic = useWorkbench(currentMic);
  const batch = useWorkbench((s) => s.batch);
  const others = useWorkbench((s) => applyToAllTargets(s).length);
  const keptReviewed = useWorkbench((s) => reviewedMicrographs(s.micrographs).filter((m) => m.key !== s.currentKey).length);
  const readOnly = useWorkbench((s) => !!s.readOnly);
  const canPick = useWorkbench((s) => s.engineReady && !s.backendInfo?.modelError && !s.readOnly);
  const reviewed = useWorkbench((s) => reviewedMicrographs(s.micrographs).length);
  const defaults = useWorkbench((s) => s.defaultParams);
  // Not picked until a pixel size converts the session's Å: the size it holds meanwhile is no one's choice.
  const waiting = useWorkbench((s) => {
    const m = currentMic(s);
    return !!m && waitsForPixelSize(m, s);
  });
  // While choosing: how many reviewed micrographs are counted, of how many.
  const [learning, setLearning] = useState<{ done: number; total: number }>();
  if (!mic) return null;
  const calibrated = describeCalibration(mic.calibration);
  // What a micrograph added later starts from (the parameters last set anywhere), where this one differs.
  const laterDiffer = MICROGRAPH_CONTROLS.filter((c) => defaults[c.key] !== mic.params[c.key]).map(
    (c) => `${PARAM_SPECS[c.key].label} ${typeof defaults[c.key] === 'boolean' ? (defaults[c.key] ? 'on' : 'off') : defaults[c.key]}`,
  );
  return (
    <section className="panel params-panel" data-testid="params-panel">
      <h2>Parameters of this micrograph</h2>
      <p className="small diameter-line" data-testid="mic-diameter">
        {waiting
          ? 'Particle diameter: not known in px until a pixel size converts the session’s Å (under the diameter)'
          : `Particle diameter ${mic.params.diameter} px${mic.demo ? ' (the demo data’s own)' : mic.diameterNote ? '' : ' (the session’s)'}`}
      </p>
      {mic.edits.autoSetAside && (
        <p className="small set-aside-note" data-testid="auto-set-aside">
          The picks loaded from {mic.edits.autoSetAside} replace this micrograph’s automatic picks, so the settings below do not change what
          it shows.{' '}
          <button data-testid="bring-auto-back" disabled={readOnly} onClick={() => bringBackAutomaticPicks(mic.key)}>
            Bring the automatic picks back
          </button>
        </p>
      )}
      {MICROGRAPH_CONTROLS.map((c) => (
        <Fragment key={c.key}>
          <Control micKey={mic.key} c={c} params={mic.params} disabled={readOnly} />
          {c.key === 'calibrate' && calibrated && (
            <p className="small calibration-note" data-testid="calibration-note">
              On this micrograph {calibrated}.
            </p>
          )}
          {c.key === 'calibrate' && unlikeTraining(mic.calibration) && (
            <p className="small bad" data-testid="unlike-training">
              The two networks disagree here (the classifier kept {mic.calibration.referenceCount} of the detector&apos;s ~
              {mic.calibration.detectorCount}): this micrograph is unlike the simulated data they learnt from, and its picks are less sure.
              Check some of them, mark the micrograph reviewed (r), then “Learn from reviewed” or retrain the detector from your picks.
            </p>
          )}
        </Fragment>
      ))}
      {laterDiffer.length > 0 && (
        <p className="small" data-testid="later-defaults">
          Micrographs added later start from the parameters set last: {laterDiffer.join(', ')}.
        </p>
      )}
      <div className="buttons">
        <button
          data-testid="pick-current"
          disabled={!canPick || (mic.status === 'error' && !mic.info)}
          onClick={() => void pickMicrograph(mic.key)}
        >
          Pick this micrograph
        </button>
        <button
          data-testid="apply-all"
          disabled={!canPick || !!batch || others < 1}
          onClick={() => {
            if (
              window.confirm(
                `Apply these parameters to the other ${others} micrograph${others === 1 ? '' : 's'} and pick them again? Each keeps its diameter.${keptReviewed ? ` The ${keptReviewed} marked reviewed keep the picks you checked.` : ''} Undo (Ctrl+Z) gives them their own parameters back.`,
              )
            )
              applyParamsToAll();
          }}
          title="Copy these parameters to every other micrograph not marked reviewed and pick them again (asks first; undo restores)"
        >
          Apply to all…
        </button>
        <button
          data-testid="settings-from-review"
          disabled={!canPick || !!batch || !!learning || reviewed < 1}
          onClick={() => {
            setLearning({ done: 0, total: reviewed });
            void settingsFromReview((done, total) => setLearning({ done, total })).finally(() => setLearning(undefined));
          }}
          title="Choose the peak threshold, classifier cutoff and calibration that best reproduce your picks on the micrographs marked reviewed (✓), and set them on the others"
        >
          {learning ? `Choosing settings… ${learning.done} / ${learning.total}` : `Learn from reviewed (${reviewed})`}
        </button>
        {learning && (
          <button data-testid="settings-from-review-cancel" onClick={cancelSettingsFromReview} title="Stop choosing; no settings change">
            Cancel
          </button>
        )}
      </div>
    </section>
  );
}
