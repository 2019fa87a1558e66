import { memo } from 'react';
import { cancelBatch, pickAll } from '../controller';
import { displayPicksOf } from '../editing';
import { thumbnailUrl } from '../grey-canvas';
import { micrographMetrics } from '../metrics-view';
import { keptPicks } from '../picks-merge';
import { useWorkbench, type MicrographEntry } from '../store';

/** The four states a user sees; 'opening'/'ready' are still waiting to be picked. */
const STATUS_LABEL: Record<MicrographEntry['status'], 'queued' | 'picking' | 'picked' | 'error'> = {
  queued: 'queued',
  opening: 'queued',
  ready: 'queued',
  detecting: 'picking',
  picking: 'picking',
  picked: 'picked',
  error: 'error',
};

const Row = memo(function Row({ m, current }: { m: MicrographEntry; current: boolean }) {
  const thumb = useWorkbench((s) => s.images[m.key]?.thumbnail);
  const setCurrent = useWorkbench((s) => s.setCurrent);
  const kept = m.status === 'error' ? [] : keptPicks(displayPicksOf(m));
  const metrics = m.truth && m.pickedWith ? micrographMetrics(kept, m.truth, m.params.diameter) : undefined;
  const status = STATUS_LABEL[m.status];
  return (
    <li
      className={`mic-row ${current ? 'current' : ''} status-${status}`}
      data-testid="mic-row"
      data-name={m.name}
      data-status={status}
      data-picks={kept.length}
      onClick={() => setCurrent(m.key)}
    >
      <div className="thumb">{thumb ? <img src={thumbnailUrl(thumb)} alt="" /> : <span className="thumb-empty" />}</div>
      <div className="mic-main">
        <div className="mic-name" title={m.name}>
          {m.name}
        </div>
        <div className="mic-meta">
          <span className={`badge ${status}`} data-testid="mic-status">
            {status}
            {m.status === 'detecting' && m.progress !== undefined ? ` ${Math.round(m.progress * 100)}%` : ''}
          </span>
          <span data-testid="mic-pick-count">{kept.length}</span> picks
          {metrics && (
            <span className="mic-f1" data-testid="mic-f1" title={`recall ${(metrics.recall * 100).toFixed(1)}, precision ${(metrics.precision * 100).toFixed(1)}`}>
              F1 {(metrics.f1 * 100).toFixed(1)}
            </span>
          )}
        </div>
        {m.error && (
          <div className="mic-error" data-testid="mic-error">
            {m.error}
          </div>
        )}
      </div>
    </li>
  );
});

export function MicrographList() {
  const micrographs = useWorkbench((s) => s.micrographs);
  const currentKey = useWorkbench((s) => s.currentKey);
  const batch = useWorkbench((s) => s.batch);
  const canPick = useWorkbench((s) => s.engineReady && !s.backendInfo?.modelError);
  return (
    <section className="panel list-panel">
      <header className="panel-head">
        <h2>Micrographs ({micrographs.length})</h2>
        {batch ? (
          <button data-testid="cancel-batch" disabled={batch.cancelling} onClick={cancelBatch} title="Stop the batch; finished micrographs keep their picks">
            {batch.cancelling ? 'Stopping…' : 'Cancel'}
          </button>
        ) : (
          <button data-testid="pick-all" disabled={!canPick || !micrographs.length} onClick={pickAll} title="Particle every micrograph not yet picked with its parameters, on all workers">
            Pick all
          </button>
        )}
      </header>
      {batch && (
        <div className="progress" data-testid="pick-all-progress" data-done={batch.done} data-total={batch.total}>
          <progress max={batch.total} value={batch.done} /> {batch.done}/{batch.total}
          {batch.failed > 0 && <span className="bad"> · {batch.failed} failed</span>}
        </div>
      )}
      <ul className="mic-list" data-testid="mic-list">
        {micrographs.map((m) => (
          <Row key={m.key} m={m} current={m.key === currentKey} />
        ))}
      </ul>
    </section>
  );
}
