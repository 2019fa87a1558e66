// The score histogram over the user's micrographs (every micrograph while there are only demos)
// with one classifier cutoff for all of them but those marked reviewed: drag the line (or type the
// cutoff) and, once it rests or is let go, each is picked again with it, the one on screen at once.
// One drag is one undo step.
import { useMemo, useRef, useState } from 'react';
import { UNDER_SHARE } from '../../core/calibrate';
import { PICK_PARAMETERS } from '../../core/params';
import { setParamForAll } from '../controller/picking';
import { countAbove, cutoffForLine, lineForCutoff, scoreHistogram, sharedCutoff } from '../score-histogram';
import { currentMic, exportedMicrographs, unreviewedMicrographs, useWorkbench, workMicrographs } from '../store';
import { displayPicksOf } from '../editing';
import { keptPicks } from '../picks-merge';
import { NumberInput } from './NumberInput';

const W = 270;
/** The bars' height; the axis labels go in a strip under them, clear of the bars. */
const H = 90;
const AXIS = 13;
const PAD = 4;
const SPEC = PICK_PARAMETERS.cutoff;
/** How long the dragged line rests before its cutoff is set on the micrographs. */
const DRAG_SETTLE_MS = 250;

/** Kept picks of a micrograph, computed again only when its entry changes. */
const keptCache = new WeakMap<object, number>();
function keptCount(m: Parameters<typeof displayPicksOf>[0]): number {
  let n = keptCache.get(m);
  if (n === undefined) keptCache.set(m, (n = keptPicks(displayPicksOf(m)).length));
  return n;
}

export function ScorePanel() {
  const micrographs = useWorkbench((s) => s.micrographs);
  const mic = useWorkbench(currentMic);
  const readOnly = useWorkbench((s) => !!s.readOnly);
  const svg = useRef<SVGSVGElement>(null);
  const dragging = useRef(false);
  // While the line is dragged it follows the pointer here, and the cutoff is set on the
  // micrographs once the pointer rests or lets go: set on every move, forty micrographs stalled
  // the page 180-320 ms a move in a tester's session.
  const [dragLine, setDragLine] = useState<number>();
  const settle = useRef<{ timer?: ReturnType<typeof setTimeout>; cutoff?: number }>({});
  // The user's own micrographs once there are any: demo scores (simulated data) would skew the pool.
  const work = useMemo(() => workMicrographs(micrographs), [micrographs]);
  const picked = useMemo(() => work.filter((m) => m.auto.length && m.status !== 'error'), [work]);
  // The same lists while no micrograph's picks changed (a status or progress change copies the array): the histogram is not recomputed.
  const lastLists = useRef<(typeof picked)[number]['auto'][]>([]);
  const lists = useMemo(() => {
    const next = picked.map((m) => m.auto);
    const prev = lastLists.current;
    if (prev.length === next.length && next.every((a, i) => a === prev[i])) return prev;
    lastLists.current = next;
    return next;
  }, [picked]);
  const hist = useMemo(() => scoreHistogram(lists), [lists]);
  // What the cutoff sets: the micrographs not marked reviewed (those keep the picks that were checked).
  const targets = useMemo(() => unreviewedMicrographs(micrographs), [micrographs]);
  // Each class of bars is one path (a live re-pick redraws two elements, not eighty).
  const bars = useMemo(() => {
    const x = (v: number): number => PAD + v * (W - 2 * PAD);
    const height = (n: number): number => (hist.peak ? (Math.sqrt(n) / Math.sqrt(hist.peak)) * (H - 2 * PAD) : 0);
    let kept = '';
    let dropped = '';
    for (const b of hist.bins) {
      const all = b.kept + b.dropped;
      if (!all) continue;
      const top = height(all);
      const low = (top * b.dropped) / all;
      const bx = x(b.lo).toFixed(1);
      const bw = Math.max(1, x(b.hi) - x(b.lo) - 1).toFixed(1);
      if (top > low) kept += `M${bx},${(H - PAD - top).toFixed(1)}h${bw}v${(top - low).toFixed(1)}h-${bw}z`;
      if (low > 0) dropped += `M${bx},${(H - PAD - low).toFixed(1)}h${bw}v${low.toFixed(1)}h-${bw}z`;
    }
    return { kept, dropped };
  }, [hist]);
  if (!picked.length) return null;
  // What the box (and the line) set for all: the micrographs' one cutoff, or the most common when they differ.
  const shared = sharedCutoff(
    targets.map((m) => m.params.cutoff),
    picked[0].params.cutoff,
  );
  const reviewed = work.filter((m) => m.reviewed).length;
  const reviewedPicked = picked.filter((m) => m.reviewed).length;
  // Every micrograph reviewed: nothing for the cutoff to set.
  const locked = readOnly || !targets.length;
  const cutoff = shared.value;
  const mixed = !!shared.mixed;
  const line = dragLine ?? lineForCutoff(cutoff);
  const above = countAbove(lists, line);
  // What the export writes: what the cutoff keeps, with the user's rejections, additions and moves (a tester saw 155 here and 147 in the file).
  const toExport = exportedMicrographs(micrographs);
  const kept = toExport.reduce((n, m) => n + keptCount(m), 0);
  const calibrated = picked.filter((m) => m.calibration?.adjusted).length;
  const x = (v: number): number => PAD + v * (W - 2 * PAD);
  const commit = (): void => {
    clearTimeout(settle.current.timer);
    const c = settle.current.cutoff;
    settle.current = {};
    if (c !== undefined) setParamForAll('cutoff', c);
  };
  const setFromPointer = (clientX: number): void => {
    const r = svg.current!.getBoundingClientRect();
    const v = (clientX - r.left - PAD) / (r.width - 2 * PAD);
    const c = cutoffForLine(v, SPEC.step);
    setDragLine(lineForCutoff(c));
    if (c === (settle.current.cutoff ?? (mixed ? undefined : cutoff))) return;
    clearTimeout(settle.current.timer);
    settle.current = { cutoff: c, timer: setTimeout(commit, DRAG_SETTLE_MS) };
  };
  const endDrag = (): void => {
    dragging.current = false;
    commit();
    setDragLine(undefined);
  };
  const noClassifier = !!mic && !mic.params.useClassifier;
  return (
    <section className="panel score-panel" data-testid="score-panel">
      <h2>Pick scores, all micrographs</h2>
      {hist.scored === 0 ? (
        <p className="small">No classifier scores: the classifier is off.</p>
      ) : (
        <svg
          ref={svg}
          className={`score-hist ${locked ? 'read-only' : ''}`}
          data-testid="score-histogram"
          data-line={line.toFixed(3)}
          width={W}
          height={H + AXIS}
          viewBox={`0 0 ${W} ${H + AXIS}`}
          onPointerDown={(e) => {
            if (locked) return;
            dragging.current = true;
            e.currentTarget.setPointerCapture(e.pointerId);
            setFromPointer(e.clientX);
          }}
          onPointerMove={(e) => dragging.current && setFromPointer(e.clientX)}
          onPointerUp={endDrag}
          onPointerCancel={endDrag}
        >
          <rect className="frame" x={0} y={0} width={W} height={H} />
          <path className="bar kept" d={bars.kept} />
          <path className="bar dropped" d={bars.dropped} />
          <line className="cutoff-line" data-testid="score-cutoff-line" x1={x(line)} x2={x(line)} y1={0} y2={H} />
          {/* The axis in the cutoff's own unit (a p(background), 1 at the left), so the line sits at the number in the box:
              a tester read the cutoff 0.9 beside a line at 0.1 of a p(particle) axis the wrong way round. */}
          <text
            className="cutoff-value"
            data-testid="score-cutoff-value"
            x={line > 0.8 ? x(line) - 3 : x(line) + 3}
            y={10}
            textAnchor={line > 0.8 ? 'end' : 'start'}
          >
            {cutoff}
          </text>
          <text x={PAD} y={H + AXIS - 2} data-testid="score-axis-label">
            p(background) 1
          </text>
          <text x={W - PAD} y={H + AXIS - 2} textAnchor="end">
            0
          </text>
        </svg>
      )}
      <label
        className="param score-cutoff"
        title="Candidates with p(background) at or above this are dropped, on every micrograph of yours not marked reviewed (the demos keep theirs once you have some)"
      >
        <span className="param-label" data-testid="score-cutoff-label">
          Classifier cutoff for all micrographs (a p(background), as in DRPnet: higher keeps more)
          {shared.mixed ? ` (mixed: ${shared.mixed.at} of ${shared.mixed.of} at ${cutoff}, the others differ; this sets them all)` : ''}
          {reviewed
            ? targets.length
              ? ` · not on the ${reviewed} marked reviewed: they keep the picks you checked`
              : ' · every micrograph is marked reviewed and keeps the picks you checked (r unmarks one)'
            : ''}
        </span>
        <span className="small" data-testid="score-summary">
          {/* Two sets, each named: the histogram pools every picked micrograph, the export leaves out those excluded
              (a tester wondered where 179 picks went between the two numbers). */}
          {above} of {hist.scored} candidates above the line (
          {picked.length === 1 ? 'the 1 micrograph picked' : `all ${picked.length} micrographs picked`}
          {reviewedPicked ? `, the ${reviewedPicked} reviewed among them, whose picks the line does not move` : ''}) · {kept} picks kept on{' '}
          {toExport.length} micrograph{toExport.length === 1 ? '' : 's'} to export
          {calibrated
            ? ` · on ${calibrated} micrograph${calibrated === 1 ? '' : 's'} calibration raised the classifier's scores (the default cutoff kept ${UNDER_SHARE} the detector's particle estimate there)`
            : ''}
          {noClassifier ? ' · the classifier is off here' : ''}
        </span>
        <NumberInput
          testid="score-cutoff"
          label={SPEC.label}
          disabled={locked}
          value={cutoff}
          min={SPEC.min}
          max={SPEC.max}
          step={SPEC.step}
          onCommit={(c) => setParamForAll('cutoff', c)}
        />
      </label>
    </section>
  );
}
