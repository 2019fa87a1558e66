import { memo, useEffect, useMemo, useRef } from 'react';
import { removeMicrograph } from '../controller/files';
import { cancelBatch, pickAll } from '../controller/picking';
import { sortList, toggleFlag } from '../controller/review-flags';
import { LIST_ORDERS, listed, type ListOrder } from '../list-order';
import { displayPicksOf } from '../editing';
import { thumbnailUrl } from '../grey-canvas';
import { micrographMetrics } from '../metrics-view';
import { countEdits, keptPicks } from '../picks-merge';
import { micrographExtensionList } from '../../core/io/formats';
import { failedToOpen, reviewableMicrographs, useWorkbench, workMicrographs, type MicrographEntry } from '../store';

/** The states a user sees; 'opening'/'ready' are still waiting to be picked (or, with nothing being picked, not picked: 'unpicked'). */
const STATUS_LABEL: Record<MicrographEntry['status'], 'queued' | 'picking' | 'picked' | 'error'> = {
  queued: 'queued',
  opening: 'queued',
  ready: 'queued',
  detecting: 'picking',
  picking: 'picking',
  picked: 'picked',
  error: 'error',
};

function confirmRemove(m: MicrographEntry): void {
  const n = countEdits(m.edits);
  // What the user did on it, which removing loses (its automatic picks come back with the file).
  const lost = [
    n ? `${n} edit${n === 1 ? '' : 's'} (accepted, rejected, added and moved picks)` : '',
    m.reviewed ? 'the mark as reviewed' : '',
    m.truth && !m.demo ? 'the ground truth loaded' : '',
  ].filter(Boolean);
  if (lost.length && !window.confirm(`Remove ${m.name}? Its ${lost.join(', ')} go with it; export them first to keep them.`)) return;
  void removeMicrograph(m.key);
  useWorkbench.getState().notify(`Removed ${m.name}. Ctrl+Z does not bring it back: drop the file again to reopen it.`);
}

const Row = memo(function Row({
  m,
  current,
  readOnly,
  idle,
}: {
  m: MicrographEntry;
  current: boolean;
  readOnly: boolean;
  /** Nothing is being picked in the background: a micrograph waiting is not going to be picked (after Cancel, with picking on arrival off). */
  idle: boolean;
}) {
  const thumb = useWorkbench((s) => s.images[m.key]?.thumbnail);
  const setCurrent = useWorkbench((s) => s.setCurrent);
  const kept = m.status === 'error' ? [] : keptPicks(displayPicksOf(m));
  const metrics = m.truth && m.pickedWith ? micrographMetrics(kept, m.truth, m.params.diameter) : undefined;
  const waitingLabel = STATUS_LABEL[m.status];
  // A tester read "queued" after Cancel as work still going on.
  const status = waitingLabel === 'queued' && idle ? 'unpicked' : waitingLabel;
  // The row of the micrograph on screen stays in sight as n, p and u step through a long list.
  const row = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (current) row.current?.scrollIntoView?.({ block: 'nearest' });
  }, [current]);
  return (
    <li
      ref={row}
      className={`mic-row ${current ? 'current' : ''} status-${status} ${m.reviewed ? 'reviewed' : ''} ${m.excluded ? 'excluded' : ''}`}
      data-testid="mic-row"
      data-name={m.name}
      data-status={status}
      data-picks={kept.length}
      data-reviewed={!!m.reviewed}
      data-excluded={!!m.excluded}
      onClick={() => setCurrent(m.key)}
    >
      <div className="thumb">
        {thumb ? (
          <img src={thumbnailUrl(thumb)} alt="" />
        ) : (
          // Until the file is read (after a reload the picks are back before the files are), not a black square.
          <span className="thumb-empty" data-testid="thumb-opening">
            {m.status === 'error' ? '' : 'opening…'}
          </span>
        )}
      </div>
      <div className="mic-main">
        <div className="mic-name" title={m.name}>
          {m.name}
        </div>
        <div className="mic-meta">
          <span
            className={`badge ${status}`}
            data-testid="mic-status"
            data-progress={m.progress === undefined ? '' : Math.round(m.progress * 100)}
          >
            {status === 'unpicked' ? 'not picked' : status}
            {(m.status === 'detecting' || m.status === 'picking') && m.progress !== undefined ? ` ${Math.round(m.progress * 100)}%` : ''}
          </span>
          <span data-testid="mic-pick-count">{kept.length}</span> picks
          {metrics && (
            <span
              className="mic-f1"
              data-testid="mic-f1"
              title={`recall ${(metrics.recall * 100).toFixed(1)}, precision ${(metrics.precision * 100).toFixed(1)}`}
            >
              F1 {(metrics.f1 * 100).toFixed(1)}
            </span>
          )}
          {m.demo && <span className="tag">demo</span>}
          {m.excluded && <span className="tag excluded-tag">not exported</span>}
        </div>
        {m.error && (
          <div className="mic-error" data-testid="mic-error">
            {m.error}
          </div>
        )}
        {m.diameterNote && <div className="mic-note">{m.diameterNote}</div>}
      </div>
      <div className="row-tools" onClick={(e) => e.stopPropagation()}>
        <button
          className={`icon flag ${m.reviewed ? 'on' : ''}`}
          data-testid="mic-reviewed"
          aria-pressed={!!m.reviewed}
          disabled={readOnly || failedToOpen(m)}
          title="Reviewed (r on the current micrograph; u goes to the next unreviewed one)"
          onClick={() => toggleFlag(m.key, 'reviewed')}
        >
          ✓
        </button>
        <button
          className={`icon flag ${m.excluded ? 'on' : ''}`}
          data-testid="mic-excluded"
          aria-pressed={!!m.excluded}
          disabled={readOnly}
          title="Leave out of the export of all micrographs (e)"
          onClick={() => toggleFlag(m.key, 'excluded')}
        >
          ⊘
        </button>
        <button
          className="icon"
          data-testid="mic-remove"
          disabled={readOnly}
          title="Remove from the session"
          onClick={() => confirmRemove(m)}
        >
          ✕
        </button>
      </div>
    </li>
  );
});

export function MicrographList() {
  const micrographs = useWorkbench((s) => s.micrographs);
  const listOrder = useWorkbench((s) => s.listOrder);
  const listKeys = useWorkbench((s) => s.listKeys);
  const shown = useMemo(() => listed(micrographs, listOrder, listKeys), [micrographs, listOrder, listKeys]);
  const currentKey = useWorkbench((s) => s.currentKey);
  const batch = useWorkbench((s) => s.batch);
  const readOnly = useWorkbench((s) => !!s.readOnly);
  const idle = useWorkbench((s) => s.engineReady && !s.batch);
  const canPick = useWorkbench((s) => s.engineReady && !s.backendInfo?.modelError && !s.readOnly);
  // Progress over the user's own micrographs once there are any (the demos are not their work),
  // files that failed left out.
  const work = reviewableMicrographs(micrographs);
  const ownOnly = workMicrographs(micrographs).length < micrographs.length;
  const reviewed = work.filter((m) => m.reviewed).length;
  return (
    <section className="panel list-panel">
      <header className="panel-head">
        <h2>Micrographs ({micrographs.length})</h2>
        {batch ? (
          <button
            data-testid="cancel-batch"
            disabled={batch.cancelling}
            onClick={cancelBatch}
            title="Stop picking; finished micrographs keep their picks"
          >
            {batch.cancelling ? 'Stopping…' : 'Cancel'}
          </button>
        ) : (
          <button
            data-testid="pick-all"
            disabled={!canPick || !micrographs.length}
            onClick={pickAll}
            title="Pick every micrograph not yet picked with its parameters, on all workers"
          >
            Pick all
          </button>
        )}
      </header>
      {micrographs.length > 0 && (
        <div className="small review-count">
          <span data-testid="review-progress">
            {reviewed} of {work.length} {ownOnly ? 'of yours ' : ''}reviewed
          </span>
          {micrographs.length > 1 && (
            <span className="list-order">
              <select
                data-testid="list-order"
                aria-label="Order of the list"
                value={listOrder}
                onChange={(e) => sortList(e.target.value as ListOrder)}
                title="The order of the list, which n, p and u follow. A sort by picks is taken when chosen (the list does not move as you edit); micrographs added later go at the end."
              >
                {Object.entries(LIST_ORDERS).map(([k, label]) => (
                  <option key={k} value={k}>
                    {label}
                  </option>
                ))}
              </select>
              {(listOrder === 'fewest' || listOrder === 'most') && (
                <button
                  data-testid="list-sort-again"
                  onClick={() => sortList(listOrder)}
                  title="Sort again, with the picks shown now and the micrographs added since"
                >
                  ↻
                </button>
              )}
            </span>
          )}
        </div>
      )}
      {batch && (
        <div className="progress" data-testid="pick-all-progress" data-done={batch.done} data-total={batch.total}>
          <progress max={batch.total} value={batch.done} /> {batch.done}/{batch.total} picked
          {batch.failed > 0 && <span className="bad"> · {batch.failed} failed</span>}
        </div>
      )}
      <ul className="mic-list" data-testid="mic-list">
        {shown.map((m) => (
          <Row key={m.key} m={m} current={m.key === currentKey} readOnly={readOnly} idle={idle} />
        ))}
      </ul>
      {!readOnly && micrographs.every((m) => m.demo) && (
        // Until the user has micrographs of their own: where theirs go, and what to set first.
        <p className="first-files small" data-testid="first-files">
          Drop your micrographs ({micrographExtensionList(', ')}) anywhere on the page, or open them with the buttons at the top. Set the
          particle diameter first (Session, on the right): each micrograph is picked as it arrives. Coordinate files dropped too are loaded
          as ground truth or as picks to edit.
        </p>
      )}
    </section>
  );
}
