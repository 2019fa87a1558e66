import { useMemo, useRef } from 'react';
import { matchingRadius } from '../../core/metrics';
import { unloadTruth } from '../controller/files';
import { curvePicks, displayPicksOf } from '../editing';
import {
  micrographMetrics,
  noPooledNote,
  pooledMetrics,
  pooledPrCurve,
  pooledWithTruth,
  prCurve,
  type MetricsSummary,
} from '../metrics-view';
import { keptPicks } from '../picks-merge';
import { currentMic, useWorkbench, workMicrographs, type MicrographEntry } from '../store';
import { PrCurve, type PrSeries } from './PrCurve';

const pct = (v: number): string => (v * 100).toFixed(1);

function Row({ label, m, suffix }: { label: string; m: MetricsSummary; suffix: string }) {
  return (
    <tr data-testid={`metrics-row${suffix}`}>
      <th>{label}</th>
      <td data-testid={`metrics-recall${suffix}`}>{pct(m.recall)}</td>
      <td data-testid={`metrics-precision${suffix}`}>{pct(m.precision)}</td>
      <td data-testid={`metrics-f1${suffix}`}>{pct(m.f1)}</td>
    </tr>
  );
}

function metricsOf(m: MicrographEntry): MetricsSummary {
  return micrographMetrics(keptPicks(displayPicksOf(m)), m.truth!, m.params.diameter);
}

/**
 * The same array as last time while its entries are the same objects: a live re-pick of a
 * micrograph without truth then recomputes none of the pooled metrics and curves.
 */
function useSameEntries(list: MicrographEntry[]): MicrographEntry[] {
  const last = useRef(list);
  if (last.current.length !== list.length || last.current.some((m, i) => m !== list[i])) last.current = list;
  return last.current;
}

export function MetricsPanel() {
  const mic = useWorkbench(currentMic);
  const micrographs = useWorkbench((s) => s.micrographs);
  // Pooled over the user's work that was picked: unpicked ones would only add misses.
  const withTruth = useSameEntries(pooledWithTruth(micrographs));
  const all = useMemo(() => pooledMetrics(withTruth.map(metricsOf)), [withTruth]);
  const scored = mic?.truth && mic.pickedWith ? mic : undefined;
  const current = useMemo(() => (scored ? metricsOf(scored) : undefined), [scored]);
  // Curves sweep the engine's scores over its candidates; the dot is what is kept now.
  const currentSeries = useMemo(
    (): PrSeries | undefined =>
      current && scored?.auto.length
        ? { id: 'current', label: 'this', points: prCurve(curvePicks(scored), scored.truth!, scored.params.diameter), at: current }
        : undefined,
    [scored, current],
  );
  const allSeries = useMemo((): PrSeries | undefined => {
    const picked = withTruth.filter((m) => m.auto.length);
    return picked.length > 1
      ? {
          id: 'all',
          label: `all (${picked.length})`,
          points: pooledPrCurve(picked.map((m) => ({ picks: curvePicks(m), truth: m.truth!, diameter: m.params.diameter }))),
          at: all,
        }
      : undefined;
  }, [withTruth, all]);
  const series = useMemo(() => [currentSeries, allSeries].filter((x): x is PrSeries => !!x), [currentSeries, allSeries]);
  // "All" is the user's work, as everywhere: the demos keep theirs once the user has micrographs of their own.
  const truthKeys = workMicrographs(micrographs)
    .filter((m) => m.truth)
    .map((m) => m.key);
  const readOnly = useWorkbench((s) => !!s.readOnly);
  const note = useMemo(() => noPooledNote(micrographs), [micrographs]);
  if (!micrographs.some((m) => m.truth)) return null;
  return (
    <section className="panel metrics-panel" data-testid="metrics-panel">
      <h2>Against ground truth</h2>
      {(current || withTruth.length > 0) && (
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
            {current && <Row label="this" m={current} suffix="" />}
            {withTruth.length > 0 && <Row label={`all (${withTruth.length})`} m={all} suffix="-all" />}
          </tbody>
        </table>
      )}
      {current && mic && (
        <p className="small">
          TP {current.tp} · FP {current.fp} · FN {current.fn} · match radius {matchingRadius(mic.params.diameter)} px
        </p>
      )}
      {note && (
        <p className="small" data-testid="metrics-note">
          {note}
        </p>
      )}
      {series.length > 0 && <PrCurve series={series} />}
      <div className="buttons">
        {mic?.truth && (
          <button
            data-testid="unload-truth"
            disabled={readOnly}
            onClick={() => unloadTruth([mic.key])}
            title={`Unload ${mic.truthName ?? 'the ground truth'} from this micrograph (undo brings it back)`}
          >
            Unload truth here
          </button>
        )}
        {truthKeys.length > 0 && (
          <button
            data-testid="unload-truth-all"
            disabled={readOnly}
            onClick={() => unloadTruth(truthKeys)}
            title="Unload the ground truth of every micrograph of yours (undo brings it back)"
          >
            Unload all truth ({truthKeys.length})
          </button>
        )}
      </div>
      {mic?.truthName && <p className="small">Truth here: {mic.truthName}</p>}
    </section>
  );
}
