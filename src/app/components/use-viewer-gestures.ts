// The viewer's pointer gestures: wheel zoom, drag to pan (the middle button pans over picks too),
// click to select or reject a pick, click to add one, drag a pick to move it (with a preview),
// shift-drag to reject a box. The mode says
// what a plain click edits: the picks, or this micrograph's training samples under review (then a
// click flips or removes a sample; drags and shift-drags still pan, move and reject picks).
import { useEffect, useRef, type MutableRefObject, type RefObject } from 'react';
import { addManualPick, clickPick, movePickById, rejectBox } from '../editing';
import type { PickScene } from '../pick-drawing';
import { pickAt, type Box, type DisplayPick } from '../picks-merge';
import { useWorkbench } from '../store';
import { clickSample } from '../training/training-store';
import { PICK_OFFSET, toPixel, zoomAt, WHEEL_STEP, type ViewTransform } from '../view-math';

/** Screen pixels the pointer may travel before a press becomes a drag. */
const DRAG_SLOP = 4;

type ViewerMode = 'picks' | 'training-review';

type Gesture =
  | { kind: 'pick'; id: string; sx: number; sy: number; moved: boolean }
  /** `only`: the middle button, which pans and never edits (a click with it adds nothing). */
  | { kind: 'pan'; sx: number; sy: number; origin: ViewTransform; moved: boolean; only?: boolean }
  | { kind: 'box'; box: Box };

interface ViewerGestureInput {
  mode: ViewerMode;
  wrapRef: RefObject<HTMLDivElement | null>;
  /** The current stage transform, read and replaced through `apply`. */
  view: MutableRefObject<ViewTransform>;
  apply(v: ViewTransform): void;
  /** The pick scene the gestures add a box or a move preview to, redrawn with `drawPicks`. */
  scene: MutableRefObject<PickScene>;
  drawPicks(): void;
  micKey: string | undefined;
  picks: readonly DisplayPick[];
  diameter: number;
  /** The micrograph's size in original pixels, and whether it is known yet. */
  width: number;
  height: number;
  known: boolean;
  showPicks: boolean;
  readOnly: boolean;
}

interface ViewerGestureHandlers {
  onPointerDown(e: React.PointerEvent<HTMLDivElement>): void;
  onPointerMove(e: React.PointerEvent<HTMLDivElement>): void;
  onPointerUp(e: React.PointerEvent<HTMLDivElement>): void;
  onPointerCancel(): void;
}

export function useViewerGestures(g: ViewerGestureInput): ViewerGestureHandlers {
  const { mode, wrapRef, view, apply, scene, drawPicks, micKey, picks, diameter, width: W, height: H, known, showPicks, readOnly } = g;
  const gesture = useRef<Gesture | undefined>(undefined);

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
  // Pointer positions in pick coordinates: a click on a pixel's centre lands on its index.
  const world = (e: React.PointerEvent): { x: number; y: number } => {
    const p = local(e);
    return toPixel(view.current, p.x, p.y);
  };
  const inImage = (p: { x: number; y: number }): boolean =>
    p.x >= -PICK_OFFSET && p.y >= -PICK_OFFSET && p.x < W - PICK_OFFSET && p.y < H - PICK_OFFSET;

  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>): void => {
    if ((e.button !== 0 && e.button !== 1) || !micKey || (e.target as HTMLElement).closest('.viewer-tools')) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    const p = local(e);
    // A tester panning at high zoom over densely packed particles moved a pick by accident: the middle button only pans.
    if (e.button === 1) {
      e.preventDefault(); // no autoscroll
      gesture.current = { kind: 'pan', sx: p.x, sy: p.y, origin: view.current, moved: false, only: true };
      return;
    }
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
    if (g.kind === 'pan' && g.only) return;
    const w = world(e);
    if (g.kind === 'box') {
      scene.current = { ...scene.current, box: undefined };
      drawPicks();
      if (Math.abs(g.box.x1 - g.box.x0) > 1 || Math.abs(g.box.y1 - g.box.y0) > 1) rejectBox(g.box);
      return;
    }
    if (!g.moved && mode === 'training-review') {
      // Every plain click belongs to the review, also one that hits no sample.
      clickSample(micKey, w.x, w.y, diameter, e.altKey || e.ctrlKey);
      return;
    }
    if (g.kind === 'pick') {
      scene.current = { ...scene.current, preview: undefined };
      drawPicks();
      if (!g.moved) clickPick(g.id);
      else if (inImage(w)) movePickById(g.id, w.x, w.y);
    } else if (!g.moved && inImage(w) && known && showPicks) {
      if (readOnly) useWorkbench.getState().notify(`Not done: ${useWorkbench.getState().readOnly}`, 'error');
      else addManualPick(w.x, w.y);
    }
  };

  return { onPointerDown, onPointerMove, onPointerUp, onPointerCancel: () => (gesture.current = undefined) };
}
