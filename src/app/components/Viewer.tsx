// The micrograph viewer (react-konva). World coordinates are ORIGINAL micrograph pixels: the
// whole-image display is drawn scaled by displayScale, a full-detail crop of the visible region
// over it when zoomed in, the heatmap by the map's scale. Pan and zoom change only the stage
// transform (imperatively, no React render); all picks are one Konva.Shape drawn in a single
// pass; pointer gestures (click, drag, shift-drag, wheel) are handled by useViewerGestures, in
// training-review mode while this micrograph's training samples are under review.
import type Konva from 'konva';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Image as KImage, Layer, Shape, Stage } from 'react-konva';
import type { RenderedView } from '../../../workers/engine-api';
import { coordinateExtensionList } from '../../core/coords/formats';
import { micrographExtensionList } from '../../core/io/formats';
import { histogram8, percentileLut } from '../../core/display/contrast';
import { lowpassSigmaOf, renderDetail } from '../controller/viewing';
import { displayPicksOf } from '../editing';
import { greyCanvas, rgbaCanvas } from '../grey-canvas';
import { colourizeMap } from '../../core/display/heatmap-colours';
import { confidences, drawPickScene, SELECTED_COLOUR, STATE_COLOUR, TRUTH_COLOUR, type PickScene } from '../pick-drawing';
import { currentMic, useWorkbench } from '../store';
import { viewerCommands } from '../viewer-commands';
import { TrainingOverlay } from '../training/TrainingOverlay';
import { reviewingSamples, useTraining } from '../training/training-store';
import { detailCovers, detailRequest, fitView, PICK_OFFSET, renderScale, visibleRect, zoomAt, type ViewTransform } from '../view-math';
import { useViewerGestures } from './use-viewer-gestures';

/** Quiet time after a pan/zoom before the full-detail view is fetched. */
const DETAIL_DELAY_MS = 150;
/** Screen pixels between the tool bar and a fitted micrograph. */
const TOOLS_GAP = 4;

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
  // While this micrograph's training samples are under review, a click edits them instead of picks.
  const reviewing = useTraining((s) => reviewingSamples(s, mic?.key));

  const wrapRef = useRef<HTMLDivElement>(null);
  const stageRef = useRef<Konva.Stage>(null);
  const picksLayerRef = useRef<Konva.Layer>(null);
  const zoomLabel = useRef<HTMLSpanElement>(null);
  const toolsRef = useRef<HTMLDivElement>(null);
  const view = useRef<ViewTransform>({ scale: 1, x: 0, y: 0 });
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
  // The tool bar and legend lie over the stage: a fitted micrograph goes below them, whole and clickable.
  const toolsBottom = (): number => (toolsRef.current ? toolsRef.current.offsetTop + toolsRef.current.offsetHeight + TOOLS_GAP : 0);
  // Until the micrograph's size is known there is nothing to fit (a 1x1 placeholder would read 3200%).
  const fit = (): void => {
    if (known) apply(fitView(size.width, size.height, W, H, toolsBottom()));
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

  const gestures = useViewerGestures({
    mode: reviewing ? 'training-review' : 'picks',
    wrapRef,
    view,
    apply,
    scene,
    drawPicks,
    micKey: key,
    picks,
    diameter,
    width: W,
    height: H,
    known,
    showPicks,
    readOnly,
  });

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
      onPointerDown={gestures.onPointerDown}
      // The middle button pans (use-viewer-gestures.ts): not the browser's autoscroll, which starts from mousedown.
      onMouseDown={(e) => e.button === 1 && e.preventDefault()}
      onPointerMove={gestures.onPointerMove}
      onPointerUp={gestures.onPointerUp}
      onPointerCancel={gestures.onPointerCancel}
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
        <Layer ref={picksLayerRef} listening={false} x={PICK_OFFSET} y={PICK_OFFSET}>
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
      <div className="viewer-tools" ref={toolsRef}>
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
