// Retraining panel: the classifier from the paper's unsupervised samples, or the detector from
// the user's picks (accepted and manual ones, and every kept pick of a reviewed micrograph). Choose samples -> review them on the micrograph ->
// train (progress, speed, live loss and accuracy curves, cancel) -> the model is stored and used.
import { useEffect } from 'react';
import { NumberInput } from '../components/NumberInput';
import { ModelLibraryPanel } from './ModelLibraryPanel';
import { reviewCounts } from './review';
import type { ClassifierSettings, DetectorSettings, TrainKind } from './settings';
import { SAMPLE_COLOUR } from './TrainingOverlay';
import { TrainingChart, type ChartSeries } from './TrainingChart';
import { NO_HELD_OUT, total, verdict, type ComparisonRow, type Side } from './comparison';
import { cancelRun, chooseSamples, discardPending, discardReview, initTraining, keepPending, trainReviewed } from './training-controller';
import { useTraining, type Curves, type PendingModel } from './training-store';
import { TRAIN_OPTION_KEYS, TRAIN_OPTION_SPECS, type TrainOptionSpec } from '../../core/train/train-options';
import './training.css';

type NumberKey<T> = { [K in keyof T]: T[K] extends number ? K : never }[keyof T];

/** One numeric training setting as a form field: its range, and whether it is a whole number. */
interface FieldSpec<K extends string> {
  name: K;
  label: string;
  min: number;
  max: number;
  step: number;
  integer?: boolean;
  hint?: string;
}

/** The settings both kinds of training share. */
type CommonSettings = Pick<ClassifierSettings, keyof ClassifierSettings & keyof DetectorSettings>;

// The shared fields come from the training options' table (core/train/train-options.ts), so the
// panel accepts what the CLI accepts and core checks.
const COMMON_FIELDS: FieldSpec<NumberKey<CommonSettings> & string>[] = TRAIN_OPTION_KEYS.map((name) => {
  const spec: TrainOptionSpec = TRAIN_OPTION_SPECS[name];
  return {
    name,
    label: spec.label,
    min: spec.min,
    max: spec.max,
    step: spec.step,
    integer: spec.integer,
    hint: spec.help[0].toUpperCase() + spec.help.slice(1),
  };
});

const CLASSIFIER_FIELDS: FieldSpec<NumberKey<ClassifierSettings> & string>[] = [
  {
    name: 'lowStdCount',
    label: 'Low-std background / micrograph',
    min: 0,
    max: 500,
    step: 1,
    integer: true,
    hint: 'Random patches with little contrast (ice, carbon, contamination)',
  },
  { name: 'maxPerClass', label: 'At most, per class', min: 1, max: 100000, step: 1, integer: true },
  ...COMMON_FIELDS,
];

const DETECTOR_FIELDS: FieldSpec<NumberKey<DetectorSettings> & string>[] = [
  {
    name: 'maxPicks',
    label: 'At most, picks',
    min: 1,
    max: 100000,
    step: 1,
    integer: true,
    hint: 'Patch centres drawn from your accepted and manual picks, and the kept picks of micrographs marked reviewed',
  },
  ...COMMON_FIELDS,
];

function NumberFields<T>({ specs, s, set }: { specs: readonly FieldSpec<NumberKey<T> & string>[]; s: T; set: (p: Partial<T>) => void }) {
  // Committed on Enter or leaving the field and clamped to the range, as the picking parameters are
  // (NumberInput): a field that refused each keystroke outside its range trained with values never typed.
  return (
    <>
      {specs.map(({ name, label, min, max, step, integer, hint }) => (
        <label key={name} className="train-field" title={hint}>
          <span>{label}</span>
          <NumberInput
            testid={`train-${name}`}
            label={label}
            value={s[name] as number}
            min={min}
            max={max}
            step={step}
            integer={integer}
            title={hint}
            onCommit={(v) => set({ [name]: v } as Partial<T>)}
          />
        </label>
      ))}
    </>
  );
}

function InitField<T extends ClassifierSettings | DetectorSettings>({ s, set }: { s: T; set: (p: Partial<T>) => void }) {
  return (
    <label className="train-field">
      <span>Start from</span>
      <select data-testid="train-init" value={s.init} onChange={(e) => set({ init: e.target.value as T['init'] } as Partial<T>)}>
        <option value="active">the active model</option>
        <option value="fresh">fresh weights</option>
      </select>
    </label>
  );
}

function ClassifierFields() {
  const s = useTraining((x) => x.classifier);
  const set = useTraining((x) => x.setClassifier);
  return (
    <div className="train-fields">
      <label className="train-field">
        <span>Micrographs</span>
        <select data-testid="train-scope" value={s.scope} onChange={(e) => set({ scope: e.target.value as ClassifierSettings['scope'] })}>
          <option value="all">all loaded</option>
          <option value="picked">picked ones</option>
          <option value="current">this one</option>
        </select>
      </label>
      <label className="train-field" title="Candidates at this level (threshold × k) that pass the intensity screen are particles">
        <span>Particles at level k</span>
        <select
          data-testid="train-strict-level"
          value={s.strictLevel}
          onChange={(e) => set({ strictLevel: Number(e.target.value) as 2 | 3 })}
        >
          <option value={2}>2</option>
          <option value={3}>3</option>
        </select>
      </label>
      <NumberFields<ClassifierSettings> specs={CLASSIFIER_FIELDS} s={s} set={set} />
      <InitField s={s} set={set} />
    </div>
  );
}

function DetectorFields() {
  const s = useTraining((x) => x.detector);
  const set = useTraining((x) => x.setDetector);
  return (
    <div className="train-fields">
      <NumberFields<DetectorSettings> specs={DETECTOR_FIELDS} s={s} set={set} />
      <InitField s={s} set={set} />
    </div>
  );
}

function Charts({ curves, epochs }: { curves: Curves; epochs: number }) {
  const ep = curves.epochs;
  const at = (i: number) => i + 1;
  const loss: ChartSeries[] = [
    { id: 'batch', label: 'train (batches)', points: curves.batchLoss, colour: '#6b7b8c' },
    { id: 'train', label: 'train', points: ep.map((e, i) => ({ x: at(i), y: e.loss })), colour: '#3fd0ff', dots: true },
    {
      id: 'val',
      label: 'validation',
      points: ep.filter((e) => e.valLoss !== null).map((e) => ({ x: at(e.epoch), y: e.valLoss! })),
      colour: '#ffc83d',
      dots: true,
    },
  ];
  const acc: ChartSeries[] = [
    {
      id: 'train',
      label: 'train',
      points: ep.flatMap((e) => ('accuracy' in e ? [{ x: at(e.epoch), y: e.accuracy }] : [])),
      colour: '#3fd0ff',
      dots: true,
    },
    {
      id: 'val',
      label: 'validation',
      points: ep.flatMap((e) => ('valAccuracy' in e && e.valAccuracy !== null ? [{ x: at(e.epoch), y: e.valAccuracy }] : [])),
      colour: '#ffc83d',
      dots: true,
    },
  ];
  return (
    <div className="train-charts">
      <TrainingChart
        title={curves.kind === 'detector' ? 'loss (MSE)' : 'loss (cross-entropy)'}
        series={loss}
        xMax={epochs}
        testid="loss-chart"
      />
      {curves.kind === 'classifier' && (
        <TrainingChart title="accuracy" series={acc} xMax={epochs} yRange={[0, 1]} testid="accuracy-chart" />
      )}
    </div>
  );
}

const f1 = (s: Side): string => (s.metrics ? (s.metrics.f1 * 100).toFixed(1) : '–');

function RowF1({ r }: { r: ComparisonRow }) {
  // Scored where it learnt from it only against ground truth it never saw (the unsupervised classifier's runs).
  if (r.trainedOn && !r.before.metrics)
    return <td title="The new model learnt from this micrograph's picks: they are no check of it">trained on</td>;
  return (
    <td title={r.trainedOn ? 'Trained on, from labels it made itself: scored against the ground truth it never saw' : undefined}>
      {f1(r.before)} → {f1(r.after)}
    </td>
  );
}

/** The retrained model's picks next to the current ones; keep or discard. */
function PendingComparison({ p }: { p: PendingModel }) {
  const before = total(p.rows, 'before');
  const after = total(p.rows, 'after');
  const v = verdict(p.rows);
  const what = p.kind === 'fcrn' ? 'detector' : 'classifier';
  return (
    <div
      className={`model-comparison verdict-${v}`}
      data-testid="model-comparison"
      data-verdict={v}
      data-picks-before={before.picks}
      data-picks-after={after.picks}
      data-f1-before={before.metrics ? before.metrics.f1.toFixed(4) : ''}
      data-f1-after={after.metrics ? after.metrics.f1.toFixed(4) : ''}
    >
      <p className="small">
        The new {what} is stored but not in use. Picked with it ({p.rows.length} micrograph{p.rows.length === 1 ? '' : 's'}), before →
        after:
      </p>
      <table className="metrics comparison">
        <thead>
          <tr>
            <th />
            <th>picks</th>
            <th>F1</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <tr
              key={r.key}
              data-testid="comparison-row"
              data-before={r.before.picks}
              data-after={r.after.picks}
              data-trained-on={!!r.trainedOn}
            >
              <th
                title={
                  r.shownFrom ? `${r.name}: shows the picks loaded from ${r.shownFrom}` : r.reviewed ? `${r.name}: marked reviewed` : r.name
                }
              >
                {r.name}
                {r.shownFrom ? ' *' : r.reviewed ? ' †' : ''}
              </th>
              <td>
                {r.before.picks} → {r.after.picks}
              </td>
              <RowF1 r={r} />
            </tr>
          ))}
          <tr className="total">
            <th>all</th>
            <td>
              {before.picks} → {after.picks}
            </td>
            <td>
              {f1(before)} → {f1(after)}
            </td>
          </tr>
        </tbody>
      </table>
      {p.rows.some((r) => r.shownFrom) && (
        <p className="small" data-testid="comparison-shown-from">
          * shows picks loaded from a file: its counts are its automatic picks, set aside there, so keeping the model does not change what
          it shows.
        </p>
      )}
      {p.rows.some((r) => r.reviewed && !r.shownFrom) && (
        <p className="small" data-testid="comparison-reviewed">
          † marked reviewed: it keeps the picks you checked whichever model you keep; its counts are each model's own picks.
        </p>
      )}
      {v === 'worse' && <p className="small bad">It picks worse on the held-out micrographs: discarding it is advised.</p>}
      {v === 'unknown' && (
        <p className="small" data-testid="comparison-no-held-out">
          {NO_HELD_OUT} Meanwhile judge from the pick counts and by looking.
        </p>
      )}
      <div className="buttons">
        <button data-testid="comparison-keep" onClick={() => void keepPending()}>
          Keep and use it
        </button>
        <button data-testid="comparison-discard" onClick={() => void discardPending()}>
          Discard it
        </button>
      </div>
    </div>
  );
}

export function TrainingPanel() {
  const tab = useTraining((s) => s.tab);
  const set = useTraining((s) => s.set);
  const review = useTraining((s) => s.review);
  const busy = useTraining((s) => s.busy);
  const curves = useTraining((s) => s.curves);
  const pending = useTraining((s) => s.pending);
  const includeDemo = useTraining((s) => s.includeDemo);
  const message = useTraining((s) => s.message);
  const showSamples = useTraining((s) => s.showSamples);
  const clickAction = useTraining((s) => s.clickAction);
  const epochs = useTraining((s) => (s.tab === 'classifier' ? s.classifier.epochs : s.detector.epochs));
  useEffect(initTraining, []);
  const counts = review ? reviewCounts(review.samples) : undefined;
  const reviewing = review?.kind === tab;
  const selectTab = (t: TrainKind) => !busy && set({ tab: t });
  return (
    <>
      <ModelLibraryPanel />
      <section className="panel training-panel" data-testid="training-panel">
        <h2>Retrain</h2>
        <div className="train-tabs" role="tablist">
          <button
            role="tab"
            aria-selected={tab === 'detector'}
            data-testid="train-tab-detector"
            className={tab === 'detector' ? 'on' : ''}
            onClick={() => selectTab('detector')}
          >
            Detector (from my picks)
          </button>
          <button
            role="tab"
            aria-selected={tab === 'classifier'}
            data-testid="train-tab-classifier"
            className={tab === 'classifier' ? 'on' : ''}
            onClick={() => selectTab('classifier')}
          >
            Classifier (unsupervised)
          </button>
        </div>
        <p className="small">
          {tab === 'classifier'
            ? 'The paper’s method: strict-level candidates that pass the intensity screen are particles; loose-level candidates away from them, and low-contrast patches, are background. Each micrograph uses its own sigma and threshold. Where we measured it, it did not raise F1: compare before keeping.'
            : 'Your accepted and manual picks, and every kept pick of a micrograph you marked reviewed (“r”), are particles, and your rejected picks are not; places you did not mark count half, since nobody marks every particle.'}
        </p>
        <label
          className="check"
          title="Demo micrographs stay out of training unless ticked; in a session of demos only, they are the held-out check of a retrained model"
        >
          <input
            type="checkbox"
            data-testid="train-include-demo"
            checked={includeDemo}
            disabled={!!busy}
            onChange={(e) => set({ includeDemo: e.target.checked })}
          />
          Include demo micrographs
        </label>
        <details className="train-settings">
          <summary>Settings</summary>
          {tab === 'classifier' ? <ClassifierFields /> : <DetectorFields />}
        </details>
        <div className="buttons">
          <button data-testid="choose-samples" disabled={!!busy} onClick={() => void chooseSamples(tab)}>
            {reviewing ? 'Choose again' : 'Choose samples'}
          </button>
          <button
            data-testid="train-start"
            disabled={!!busy || !reviewing || !!pending}
            onClick={() => void trainReviewed()}
            title={pending ? 'Keep or discard the model just trained first' : undefined}
          >
            Train
          </button>
          {reviewing && !busy && (
            <button data-testid="discard-samples" onClick={discardReview}>
              Discard
            </button>
          )}
        </div>
        {reviewing && counts && (
          <div
            className="review"
            data-testid="review-counts"
            data-particles={counts.particles}
            data-background={counts.background}
            data-removed={counts.removed}
            data-micrographs={counts.micrographs}
          >
            <span>
              <i style={{ color: SAMPLE_COLOUR.particle }}>■ {counts.particles} particle</i>{' '}
              <i style={{ color: SAMPLE_COLOUR.background }}>▢ {counts.background} background</i>
              {counts.removed > 0 && <i style={{ color: SAMPLE_COLOUR.removed }}> ⋯ {counts.removed} removed</i>} on {counts.micrographs}{' '}
              micrograph(s)
            </span>
            <label className="check">
              <input
                type="checkbox"
                data-testid="show-samples"
                checked={showSamples}
                onChange={(e) => set({ showSamples: e.target.checked })}
              />
              show on the micrographs (clicks edit samples, not picks)
            </label>
            {tab === 'classifier' ? (
              <label className="train-field">
                <span>Click a box to</span>
                <select
                  data-testid="click-action"
                  value={clickAction}
                  onChange={(e) => set({ clickAction: e.target.value as 'flip' | 'remove' })}
                >
                  <option value="flip">flip particle / background</option>
                  <option value="remove">remove / restore</option>
                </select>
              </label>
            ) : (
              <p className="small">Click a box to remove it from the patch centres (click again to restore).</p>
            )}
            {tab === 'classifier' && <p className="small">Alt- or Ctrl-click does the other action.</p>}
          </div>
        )}
        {busy && busy.kind === tab && (
          <div className="train-progress" data-testid="train-progress" data-phase={busy.phase} data-fraction={busy.fraction.toFixed(3)}>
            <div className="progress">
              <progress max={1} value={busy.fraction} />
              <button data-testid="train-cancel" onClick={cancelRun}>
                Cancel
              </button>
            </div>
            <div className="small">
              {busy.message}
              {busy.phase === 'training' && busy.samplesPerSecond !== undefined && (
                <span data-testid="train-speed">
                  {' '}
                  · {busy.samplesPerSecond.toFixed(1)} samples/s{busy.backend ? ` on ${busy.backend}` : ''}
                </span>
              )}
            </div>
          </div>
        )}
        {curves && curves.kind === tab && <Charts curves={curves} epochs={busy?.epochs ?? Math.max(epochs, curves.epochs.length, 1)} />}
        {pending && !busy && <PendingComparison p={pending} />}
        {message && (
          <p className={`small train-message ${message.error ? 'bad' : ''}`} data-testid="train-message">
            {message.text}
          </p>
        )}
      </section>
    </>
  );
}
