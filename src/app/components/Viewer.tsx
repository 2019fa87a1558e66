// The micrograph viewer (react-konva). World coordinates are ORIGINAL micrograph pixels: the
// display image is drawn once, scaled by displayScale; the heatmap by the working scale; pan
// and zoom change only the stage transform (imperatively, no React re-render), and the
// circles live in their own layer so editing never redraws the image.
import Konva from 'konva';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Circle, Image as KImage, Layer, Rect, Stage } from 'react-konva';
import type { PickState } from '../../core/coords/types';
import { histogram8, percentileLut } from '../contrast';
import { addManualPick, displayPicksOf, movePickById, rejectBox, togglePickById } from '../editing';
import { greyCanvas, rgbaCanvas } from '../grey-canvas';
import { colourizeMap } from '../heatmap';
import type { Box, DisplayPick } from '../picks-merge';
import { currentMic, useWorkbench } from '../store';
import { viewerCommands } from '../viewer-commands';

const STATE_COLOUR: Record<PickState, string> = {
  auto: '#3fd0ff',
  accepted: '#4cff7a',
  rejected: '#ff4d4d',
  manual: '#ffc83d',
};

/** 0..1 confidence used for the circle opacity: p(particle) when known, else the rank of the score. */
function confidences(picks: DisplayPick[]): Map<string, number> {
  const out = new Map<string, number>();
  const scores = picks.filter((p) => p.score !== undefined).map((p) => p.score!);
  const lo = Math.min(...scores);
  const hi = Math.max(...scores);
  for (const p of picks) {
    if (p.pParticle !== undefined) out.set(p.id, p.pParticle);
    else if (p.score !== undefined && hi > lo) out.set(p.id, (p.score - lo) / (hi - lo));
    else out.set(p.id, 1);
  }
  return out;
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

  const wrapRef = useRef<HTMLDivElement>(null);
  const stageRef = useRef<Konva.Stage>(null);
  const zoomLabel = useRef<HTMLSpanElement>(null);
  const [size, setSize] = useState({ width: 800, height: 600 });
  const [shift, setShift] = useState(false);
  const [box, setBox] = useState<Box | undefined>();
  const downAt = useRef<{ x: number; y: number } | undefined>(undefined);

  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setSize({ width: Math.max(100, el.clientWidth), height: Math.max(100, el.clientHeight) }));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => setShift(e.shiftKey);
    addEventListener('keydown', onKey);
    addEventListener('keyup', onKey);
    return () => {
      removeEventListener('keydown', onKey);
      removeEventListener('keyup', onKey);
    };
  }, []);

  const hist = useMemo(() => (images ? histogram8(images.display.data) : undefined), [images]);
  const imageCanvas = useMemo(() => {
    if (!images || !hist) return undefined;
    return greyCanvas(images.display, percentileLut(hist, contrastLow, contrastHigh));
  }, [images, hist, contrastLow, contrastHigh]);
  const heatCanvas = useMemo(() => (heat ? rgbaCanvas(colourizeMap(heat.map, heat.width, heat.height), heat.width, heat.height) : undefined), [heat]);

  const picks = useMemo(() => (mic ? displayPicksOf(mic) : []), [mic?.auto, mic?.edits, mic?.params.diameter]);
  const conf = useMemo(() => confidences(picks), [picks]);
  const radius = (mic?.params.diameter ?? 100) / 2;
  const W = mic?.info?.width ?? 1;
  const H = mic?.info?.height ?? 1;

  const showZoom = (scale: number): void => {
    if (zoomLabel.current) zoomLabel.current.textContent = `${(scale * 100).toFixed(scale < 0.1 ? 1 : 0)}%`;
  };
  const setView = (scale: number, x: number, y: number): void => {
    const stage = stageRef.current;
    if (!stage) return;
    stage.scale({ x: scale, y: scale });
    stage.position({ x, y });
    stage.batchDraw();
    showZoom(scale);
  };
  const fit = (): void => {
    const s = Math.min(size.width / W, size.height / H) * 0.98;
    setView(s, (size.width - W * s) / 2, (size.height - H * s) / 2);
  };
  const oneToOne = (): void => {
    const stage = stageRef.current;
    if (!stage) return;
    const s0 = stage.scaleX();
    const cx = (size.width / 2 - stage.x()) / s0;
    const cy = (size.height / 2 - stage.y()) / s0;
    setView(1, size.width / 2 - cx, size.height / 2 - cy);
  };
  viewerCommands.fit = fit;
  viewerCommands.oneToOne = oneToOne;

  // Fit when the micrograph (or its size) changes.
  useEffect(fit, [mic?.key, W, H, size.width, size.height]);

  const onWheel = (e: Konva.KonvaEventObject<WheelEvent>): void => {
    e.evt.preventDefault();
    const stage = stageRef.current;
    const p = stage?.getPointerPosition();
    if (!stage || !p) return;
    const old = stage.scaleX();
    const s = Math.min(16, Math.max(0.01, e.evt.deltaY < 0 ? old * 1.15 : old / 1.15));
    const wx = (p.x - stage.x()) / old;
    const wy = (p.y - stage.y()) / old;
    setView(s, p.x - wx * s, p.y - wy * s);
  };

  const worldPointer = (): { x: number; y: number } | undefined => {
    const stage = stageRef.current;
    const p = stage?.getPointerPosition();
    if (!stage || !p) return undefined;
    return { x: (p.x - stage.x()) / stage.scaleX(), y: (p.y - stage.y()) / stage.scaleY() };
  };

  const onDown = (e: Konva.KonvaEventObject<MouseEvent>): void => {
    downAt.current = { x: e.evt.clientX, y: e.evt.clientY };
    if (e.evt.shiftKey) {
      const w = worldPointer();
      if (w) setBox({ x0: w.x, y0: w.y, x1: w.x, y1: w.y });
    }
  };
  const onMove = (): void => {
    if (!box) return;
    const w = worldPointer();
    if (w) setBox({ ...box, x1: w.x, y1: w.y });
  };
  const onUp = (): void => {
    if (!box) return;
    if (Math.abs(box.x1 - box.x0) > 1 || Math.abs(box.y1 - box.y0) > 1) rejectBox(box);
    setBox(undefined);
  };
  const movedSinceDown = (e: Konva.KonvaEventObject<MouseEvent>): boolean => {
    const d = downAt.current;
    return !!d && Math.hypot(e.evt.clientX - d.x, e.evt.clientY - d.y) > 4;
  };
  const onStageClick = (e: Konva.KonvaEventObject<MouseEvent>): void => {
    if (e.evt.button !== 0 || e.evt.shiftKey || movedSinceDown(e) || e.target !== e.target.getStage()) return;
    const w = worldPointer();
    if (w && w.x >= 0 && w.y >= 0 && w.x < W && w.y < H) addManualPick(w.x, w.y);
  };

  if (!mic) {
    return (
      <div className="viewer empty" ref={wrapRef} data-testid="viewer">
        <p>Drop micrographs (.mrc .mrcs .tif .png .jpg) and coordinate files here, or use “Open files”.</p>
      </div>
    );
  }

  return (
    <div className="viewer" ref={wrapRef} data-testid="viewer">
      <Stage
        ref={stageRef}
        width={size.width}
        height={size.height}
        draggable={!shift && !box}
        onWheel={onWheel}
        onMouseDown={onDown}
        onMouseMove={onMove}
        onMouseUp={onUp}
        onClick={onStageClick}
        onDragEnd={(e) => {
          if (e.target === stageRef.current) showZoom(e.target.scaleX());
        }}
      >
        <Layer listening={false}>
          {imageCanvas && images && (
            <KImage image={imageCanvas} scaleX={mic.info?.displayScale ?? 1} scaleY={mic.info?.displayScale ?? 1} perfectDrawEnabled={false} />
          )}
          {heatCanvas && heat && showHeatmap && (
            <KImage image={heatCanvas} scaleX={heat.scale} scaleY={heat.scale} opacity={heatOpacity} perfectDrawEnabled={false} />
          )}
        </Layer>
        <Layer>
          {mic.truth?.map((t, i) => (
            <Circle key={`t${i}`} x={t.x} y={t.y} radius={radius * 0.25} stroke="#ff5cf0" strokeWidth={1.5} strokeScaleEnabled={false} listening={false} perfectDrawEnabled={false} />
          ))}
          {picks.map((p) => (
            <Circle
              key={p.id}
              x={p.x}
              y={p.y}
              radius={radius}
              stroke={STATE_COLOUR[p.state]}
              strokeWidth={p.id === selectedId ? 3.5 : 1.8}
              dash={p.state === 'rejected' ? [6, 4] : undefined}
              opacity={p.state === 'rejected' ? 0.6 : 0.35 + 0.65 * (conf.get(p.id) ?? 1)}
              fill="transparent"
              strokeScaleEnabled={false}
              perfectDrawEnabled={false}
              shadowForStrokeEnabled={false}
              draggable
              onClick={(e) => {
                e.cancelBubble = true;
                if (e.evt.button === 0 && !movedSinceDown(e)) togglePickById(p.id);
              }}
              onDragEnd={(e) => {
                e.cancelBubble = true;
                movePickById(p.id, e.target.x(), e.target.y());
              }}
            />
          ))}
          {box && (
            <Rect
              x={Math.min(box.x0, box.x1)}
              y={Math.min(box.y0, box.y1)}
              width={Math.abs(box.x1 - box.x0)}
              height={Math.abs(box.y1 - box.y0)}
              stroke="#ff4d4d"
              dash={[4, 4]}
              strokeWidth={1}
              strokeScaleEnabled={false}
              listening={false}
            />
          )}
        </Layer>
      </Stage>
      <div className="viewer-tools">
        <button onClick={fit} data-testid="zoom-fit" title="Fit (f)">Fit</button>
        <button onClick={oneToOne} data-testid="zoom-1to1" title="1:1 (1)">1:1</button>
        <span ref={zoomLabel} className="zoom" data-testid="zoom-level" />
        <span className="legend">
          <i style={{ color: STATE_COLOUR.auto }}>● auto</i> <i style={{ color: STATE_COLOUR.accepted }}>● accepted</i>{' '}
          <i style={{ color: STATE_COLOUR.rejected }}>● rejected</i> <i style={{ color: STATE_COLOUR.manual }}>● manual</i>
          {mic.truth && <i style={{ color: '#ff5cf0' }}> ○ truth</i>}
        </span>
      </div>
    </div>
  );
}
