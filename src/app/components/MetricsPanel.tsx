import { useMemo } from 'react';
import { displayPicksOf } from '../editing';
import { micrographMetrics, pooledMetrics, prCurve, type MetricsSummary } from '../metrics-view';
import { keptPicks } from '../picks-merge';
import { currentMic, useWorkbench } from '../store';
import { PrCurve } from './PrCurve';

const pct = (v: number): string => (v * 100).toFixed(1);

function Row({ label, m, testid }: { label: string; m: MetricsSummary; testid: string }) {
  return (
    <tr data-testid={`metrics-${testid}`}>
      <th>{label}</th>
      <td data-testid={`metrics-recall${testid === 'current' ? '' : '-all'}`}>{pct(m.recall)}</td>
      <td data-testid={`metrics-precision${testid === 'current' ? '' : '-all'}`}>{pct(m.precision)}</td>
      <td data-testid={`metrics-f1${testid === 'current' ? '' : '-all'}`}>{pct(m.f1)}</td>
    </tr>
  );
}

export function MetricsPanel() {
  const mic = useWorkbench(currentMic);
  const micrographs = useWorkbench((s) => s.micrographs);
  const withTruth = micrographs.filter((m) => m.truth && m.status !== 'error');
  const all = useMemo(
    () => pooledMetrics(withTruth.map((m) => micrographMetrics(keptPicks(displayPicksOf(m)), m.truth!, m.params.diameter))),
    [micrographs],
  );
  const current = useMemo(() => (mic?.truth ? micrographMetrics(keptPicks(displayPicksOf(mic)), mic.truth, mic.params.diameter) : undefined), [mic]);
  // The curve sweeps the score of the engine's candidates (those the user did not reject).
  const curve = useMemo(() => {
    if (!mic?.truth) return [];
    const scored = keptPicks(displayPicksOf(mic)).filter((p) => p.score !== undefined);
    return scored.length ? prCurve(scored, mic.truth, mic.params.diameter) : [];
  }, [mic]);
  if (!withTruth.length) return null;
  return (
    <section className="panel metrics-panel" data-testid="metrics-panel">
      <h2>Against ground truth</h2>
      <table className="metrics">
        <thead>
          <tr>
            <th />
            <th>recall</th>
            <th>precision</th>
            <th>F1</th>
          </tr>
        </thead>
        <tbody>
          {current && <Row label="this" m={current} testid="current" />}
          <Row label={`all (${withTruth.length})`} m={all} testid="all" />
        </tbody>
      </table>
      {current && (
        <p className="small">
          TP {current.tp} · FP {current.fp} · FN {current.fn} · match radius {mic!.params.diameter / 2} px
        </p>
      )}
      {curve.length > 1 && <PrCurve points={curve} />}
    </section>
  );
}
