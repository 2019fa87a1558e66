// The micrograph viewer (react-konva). World coordinates are ORIGINAL micrograph pixels: the
// whole-image display is drawn scaled by displayScale, a full-detail crop of the visible region
// over it when zoomed in, the heatmap by the map's scale. Pan and zoom change only the stage
// transform (imperatively, no React render); all picks are one Konva.Shape drawn in a single
// pass; pointer gestures (click, drag, shift-drag) are handled here with a hit test on the picks.
import type Konva from 'konva';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Image as KImage, Layer, Shape, Stage } from 'react-konva';
import type { RenderedView } from '../../../workers/engine-api';
import { coordinateExtensionList } from '../../core/coords/formats';
import { micrographExtensionList } from '../../core/io/formats';
import { histogram8, percentileLut } from '../contrast';
import { lowpassSigmaOf, renderDetail } from '../controller/viewing';
import { addManualPick, clickPick, displayPicksOf, movePickById, rejectBox } from '../editing';
import { greyCanvas, rgbaCanvas } from '../grey-canvas';
import { colourizeMap } from '../heatmap';
import { confidences, drawPickScene, SELECTED_COLOUR, STATE_COLOUR, TRUTH_COLOUR, type PickScene } from '../pick-drawing';
import { pickAt, type Box } from '../picks-merge';
import { currentMic, useWorkbench } from '../store';
import { viewerCommands } from '../viewer-commands';
import { TrainingOverlay } from '../training/TrainingOverlay';
import { clickSample } from '../training/training-store';
import {
  detailCovers,
  detailRequest,
  fitView,
  renderScale,
  toWorld,
  visibleRect,
  zoomAt,
  WHEEL_STEP,
  type ViewTransform,
} from '../view-math';

/** Screen pixels the pointer may travel before a press becomes a drag. */
const DRAG_SLOP = 4;
/** Quiet time after a pan/zoom before the full-detail view is fetched. */
const DETAIL_DELAY_MS = 150;

type Gesture =
  | { kind: 'pick'; id: string; sx: number; sy: number; moved: boolean }
  | { kind: 'pan'; sx: number; sy: number; origin: ViewTransform; moved: boolean }
  | { kind: 'box'; box: Box };

interface Detail extends RenderedView {
  key: string;
  /** The low-pass sigma it was rendered with. */
  lowpass: number;
}

export function Viewer() {
  const mic = useWorkbench(currentMic);
  const images = useWorkbench((s) => (s.currentKey ? s.images[s.currentKey] : undefined));
  const heat = useWorkbench((s) => (s.currentKey ? s.heatmaps[s.currentKey] : undefined));
  const showHeatmap = useWorkbench((s) => s.showHeatmap);
  const heatOpacity = useWorkbench((s) => s.heatmapOpacity);
  const contrastLow = useWorkbench((s) => s.contrastLow);
  const contrastHigh = useWorkbench((s) => s.contrastHigh);
  const selectedId = useWorkbench((s) => s.selectedPickId);
  const showPicks = useWorkbench((s) => s.showPicks);
  const readOnly = useWorkbench((s) => !!s.readOnly);
  const lowpass = useWorkbench((s) => lowpassSigmaOf(currentMic(s)));

  const wrapRef = useRef<HTMLDivElement>(null);
  const stageRef = useRef<Konva.Stage>(null);
  const picksLayerRef = useRef<Konva.Layer>(null);
  const zoomLabel = useRef<HTMLSpanElement>(null);
  const view = useRef<ViewTransform>({ scale: 1, x: 0, y: 0 });
  const gesture = useRef<Gesture | undefined>(undefined);
  const scene = useRef<PickScene>({ picks: [], confidence: new Map(), radius: 1 });
  const detailTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const detailSeq = useRef(0);
  const [size, setSize] = useState({ width: 800, height: 600 });
  const [detail, setDetail] = useState<Detail | undefined>();

  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setSize({ width: Math.max(100, el.clientWidth), height: Math.max(100, el.clientHeight) }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const display = images?.display;
  const hist = useMemo(() => (display ? histogram8(display.data) : undefined), [display]);
  const lut = useMemo(() => (hist ? percentileLut(hist, contrastLow, contrastHigh) : undefined), [hist, contrastLow, contrastHigh]);
  const imageCanvas = useMemo(() => (display && lut ? greyCanvas(display, lut) : undefined), [display, lut]);
  const detailCanvas = useMemo(
    () => (detail && lut && detail.key === mic?.key && detail.lowpass === lowpass ? greyCanvas(detail, lut) : undefined),
    [detail, lut, mic?.key, lowpass],
  );
  const heatCanvas = useMemo(
    () => (heat ? rgbaCanvas(colourizeMap(heat.data, heat.width, heat.height), heat.width, heat.height) : undefined),
    [heat],
  );

  const picks = useMemo(() => (mic ? displayPicksOf(mic) : []), [mic?.auto, mic?.edits, mic?.params.diameter]);
  const conf = useMemo(() => confidences(picks), [picks]);
  const diameter = mic?.params.diameter ?? 100;
  const known = !!mic?.info;
  const W = mic?.info?.width ?? 1;
  const H = mic?.info?.height ?? 1;
  const displayScale = mic?.info?.displayScale ?? 1;
  const key = mic?.key;

  const drawPicks = (): void => {
    picksLayerRef.current?.batchDraw();
  };
  scene.current = {
    ...scene.current,
    picks: showPicks ? picks : [],
    confidence: conf,
    radius: diameter / 2,
    truth: showPicks ? mic?.truth : undefined,
    selectedId,
  };
  useEffect(drawPicks, [picks, conf, diameter, mic?.truth, selectedId, showPicks]);

  const requestDetail = async (): Promise<void> => {
    if (!key || !mic?.info) return;
    const req = detailRequest(view.current, size.width, size.height, W, H, displayScale);
    if (!req || renderScale(req) >= displayScale) return;
    const visible = visibleRect(view.current, size.width, size.height, W, H);
    if (
      detail &&
      detail.key === key &&
      detail.lowpass === lowpass &&
      detailCovers(
        {
          x0: detail.x0,
          y0: detail.y0,
          x1: detail.x0 + detail.width * detail.scale,
          y1: detail.y0 + detail.height * detail.scale,
          scale: detail.scale,
        },
        visible,
        renderScale(req),
      )
    )
      return;
    const seq = ++detailSeq.current;
    const v = await renderDetail(key, { ...req, lowpassSigma: lowpass || undefined });
    if (v && seq === detailSeq.current) setDetail({ ...v, key, lowpass });
  };
  const scheduleDetail = (): void => {
    if (detailTimer.current !== undefined) clearTimeout(detailTimer.current);
    detailTimer.current = setTimeout(() => void requestDetail(), DETAIL_DELAY_MS);
  };

  const apply = (v: ViewTransform): void => {
    view.current = v;
    const stage = stageRef.current;
    if (stage) {
      stage.scale({ x: v.scale, y: v.scale });
      stage.position({ x: v.x, y: v.y });
      stage.batchDraw();
    }
    if (zoomLabel.current) zoomLabel.current.textContent = known ? `${(v.scale * 100).toFixed(v.scale < 0.1 ? 1 : 0)}%` : '';
    scheduleDetail();
  };
  // Until the micrograph's size is known there is nothing to fit (a 1x1 placeholder would read 3200%).
  const fit = (): void => {
    if (known) apply(fitView(size.width, size.height, W, H));
    else if (zoomLabel.current) zoomLabel.current.textContent = '';
  };
  const oneToOne = (): void => apply(zoomAt(view.current, 1, size.width / 2, size.height / 2));
  viewerCommands.fit = fit;
  viewerCommands.oneToOne = oneToOne;

  // A new micrograph (or viewport size) starts fitted, without the previous one's detail.
  useEffect(() => {
    setDetail((d) => (d && d.key !== key ? undefined : d));
    fit();
  }, [key, W, H, known, size.width, size.height]);

  // A new low-pass filter: the detail view is rendered again through it.
  useEffect(() => {
    if (known) scheduleDetail();
  }, [lowpass]);

  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    // A native listener: React's wheel listener is passive and cannot stop the page scrolling.
    const onWheel = (e: WheelEvent): void => {
      e.preventDefault();
      if (!known) return;
      const r = el.getBoundingClientRect();
      const v = view.current;
      const s = e.deltaY < 0 ? v.scale * WHEEL_STEP : v.scale / WHEEL_STEP;
      apply(zoomAt(v, s, e.clientX - r.left, e.clientY - r.top));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  });

  const local = (e: React.PointerEvent): { x: number; y: number } => {
    const r = wrapRef.current!.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const world = (e: React.PointerEvent): { x: number; y: number } => {
    const p = local(e);
    return toWorld(view.current, p.x, p.y);
  };
  const inImage = (p: { x: number; y: number }): boolean => p.x >= 0 && p.y >= 0 && p.x < W && p.y < H;

  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>): void => {
    if (e.button !== 0 || !mic || (e.target as HTMLElement).closest('.viewer-tools')) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const p = local(e);
    const w = world(e);
    if (e.shiftKey && showPicks && !readOnly) {
      gesture.current = { kind: 'box', box: { x0: w.x, y0: w.y, x1: w.x, y1: w.y } };
      return;
    }
    // Hidden picks cannot be hit (a click then adds nothing either: it only pans).
    const hit = showPicks && !readOnly ? pickAt(picks, w.x, w.y, diameter) : undefined;
    gesture.current = hit
      ? { kind: 'pick', id: hit.id, sx: p.x, sy: p.y, moved: false }
      : { kind: 'pan', sx: p.x, sy: p.y, origin: view.current, moved: false };
  };
  const onPointerMove = (e: React.PointerEvent<HTMLDivElement>): void => {
    const g = gesture.current;
    if (!g) return;
    const p = local(e);
    if (g.kind === 'box') {
      const w = world(e);
      g.box = { ...g.box, x1: w.x, y1: w.y };
      scene.current = { ...scene.current, box: g.box };
      drawPicks();
      return;
    }
    if (!g.moved && Math.hypot(p.x - g.sx, p.y - g.sy) <= DRAG_SLOP) return;
    g.moved = true;
    if (g.kind === 'pan') {
      apply({ scale: g.origin.scale, x: g.origin.x + p.x - g.sx, y: g.origin.y + p.y - g.sy });
    } else {
      scene.current = { ...scene.current, preview: world(e) };
      drawPicks();
    }
  };
  const onPointerUp = (e: React.PointerEvent<HTMLDivElement>): void => {
    const g = gesture.current;
    gesture.current = undefined;
    if (!g) return;
    const w = world(e);
    // While this micrograph's training samples are under review, a click edits them instead.
    if (g.kind !== 'box' && !g.moved && clickSample(key, w.x, w.y, diameter, e.altKey || e.ctrlKey)) return;
    if (g.kind === 'box') {
      scene.current = { ...scene.current, box: undefined };
      drawPicks();
      if (Math.abs(g.box.x1 - g.box.x0) > 1 || Math.abs(g.box.y1 - g.box.y0) > 1) rejectBox(g.box);
    } else if (g.kind === 'pick') {
      scene.current = { ...scene.current, preview: undefined };
      drawPicks();
      if (!g.moved) clickPick(g.id);
      else if (inImage(w)) movePickById(g.id, w.x, w.y);
    } else if (!g.moved && inImage(w) && known && showPicks) {
      if (readOnly) useWorkbench.getState().notify(`Not done: ${useWorkbench.getState().readOnly}`, 'error');
      else addManualPick(w.x, w.y);
    }
  };

  if (!mic) {
    return (
      <div className="viewer empty" ref={wrapRef} data-testid="viewer">
        <p>
          Drop micrographs ({micrographExtensionList()}), coordinate files ({coordinateExtensionList()}) or whole folders here, or use “Open
          files”.
        </p>
      </div>
    );
  }

  return (
    <div
      className="viewer"
      ref={wrapRef}
      data-testid="viewer"
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onPointerCancel={() => (gesture.current = undefined)}
    >
      <Stage
        ref={stageRef}
        width={size.width}
        height={size.height}
        scaleX={view.current.scale}
        scaleY={view.current.scale}
        x={view.current.x}
        y={view.current.y}
      >
        <Layer listening={false}>
          {imageCanvas && <KImage image={imageCanvas} scaleX={displayScale} scaleY={displayScale} perfectDrawEnabled={false} />}
          {detailCanvas && detail && (
            <KImage
              image={detailCanvas}
              x={detail.x0}
              y={detail.y0}
              scaleX={detail.scale}
              scaleY={detail.scale}
              perfectDrawEnabled={false}
            />
          )}
          {heatCanvas && heat && showHeatmap && (
            <KImage image={heatCanvas} scaleX={heat.scale} scaleY={heat.scale} opacity={heatOpacity} perfectDrawEnabled={false} />
          )}
        </Layer>
        <Layer ref={picksLayerRef} listening={false}>
          <Shape
            perfectDrawEnabled={false}
            sceneFunc={(ctx) => {
              const v = view.current;
              const drawn = drawPickScene(ctx._context, scene.current, v.scale, visibleRect(v, size.width, size.height, W, H));
              wrapRef.current?.setAttribute('data-drawn-picks', String(drawn));
            }}
          />
        </Layer>
        <TrainingOverlay micKey={key} diameter={diameter} />
      </Stage>
      {!imageCanvas && <div className="viewer-wait">{mic.status === 'error' ? mic.error : 'opening…'}</div>}
      <div className="viewer-tools">
        <button onClick={fit} data-testid="zoom-fit" title="Fit (f)">
          Fit
        </button>
        <button onClick={oneToOne} data-testid="zoom-1to1" title="1:1 (1)">
          1:1
        </button>
        <span ref={zoomLabel} className="zoom" data-testid="zoom-level" />
        <span className="legend" data-testid="legend">
          <i style={{ color: STATE_COLOUR.auto }}>○ auto</i>
          <i
            className="legend-faint"
            title="Circle opacity follows the classifier's p(particle): a faint circle is a less confident pick. It is kept and exported all the same."
          >
            <b style={{ color: STATE_COLOUR.auto, opacity: 1 }}>○</b>
            <b style={{ color: STATE_COLOUR.auto, opacity: 0.4 }}>○</b> faint = less confident, still exported
          </i>
          <i style={{ color: STATE_COLOUR.accepted }}>○ accepted</i>
          <i style={{ color: STATE_COLOUR.rejected }}>⊗ rejected (not exported)</i>
          <i style={{ color: STATE_COLOUR.manual }}>○ manual</i>
          <i style={{ color: SELECTED_COLOUR }}>◎ selected</i>
          {mic.truth && <i style={{ color: TRUTH_COLOUR }}>○ truth</i>}
          {!showPicks && <i className="picks-hidden">picks hidden (v)</i>}
        </span>
      </div>
    </div>
  );
}
