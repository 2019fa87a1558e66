// Viewer geometry (pure): the stage maps world points (ORIGINAL micrograph pixels) to screen
// pixels as screen = world * scale + offset.
import type { RenderRequest } from '../../workers/engine-api';
import type { Box } from './picks-merge';

export interface ViewTransform {
  scale: number;
  x: number;
  y: number;
}

/** A region [x0,x1) x [y0,y1) of the micrograph (ordered corners here). */
export type Rect = Box;

export const MIN_ZOOM = 0.005;
export const MAX_ZOOM = 32;
/** Zoom factor of one wheel notch. */
export const WHEEL_STEP = 1.15;

export function clampZoom(scale: number): number {
  return Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, scale));
}

/** The whole micrograph centred in the viewport below its top `top` pixels (the tool bar), with a small margin. */
export function fitView(viewW: number, viewH: number, imgW: number, imgH: number, top = 0, margin = 0.98): ViewTransform {
  const h = Math.max(1, viewH - top);
  const scale = clampZoom(Math.min(viewW / imgW, h / imgH) * margin);
  return { scale, x: (viewW - imgW * scale) / 2, y: top + (h - imgH * scale) / 2 };
}

/** Zoom to `scale`, keeping the world point under screen point (px, py) in place. */
export function zoomAt(v: ViewTransform, scale: number, px: number, py: number): ViewTransform {
  const s = clampZoom(scale);
  const wx = (px - v.x) / v.scale;
  const wy = (py - v.y) / v.scale;
  return { scale: s, x: px - wx * s, y: py - wy * s };
}

export function toWorld(v: ViewTransform, px: number, py: number): { x: number; y: number } {
  return { x: (px - v.x) / v.scale, y: (py - v.y) / v.scale };
}

/**
 * Where picks sit in the world: image pixel i covers world [i, i+1), while pick coordinates put
 * pixel i's centre at i (core/coords/types.ts), so the picks' layers are shifted by this.
 */
export const PICK_OFFSET = 0.5;

/** The pick coordinates (original pixels, pixel centres at whole numbers) under a screen point. */
export function toPixel(v: ViewTransform, px: number, py: number): { x: number; y: number } {
  const w = toWorld(v, px, py);
  return { x: w.x - PICK_OFFSET, y: w.y - PICK_OFFSET };
}

/** The world rectangle visible in a viewW x viewH viewport, clipped to the image. */
export function visibleRect(v: ViewTransform, viewW: number, viewH: number, imgW: number, imgH: number): Rect {
  const a = toWorld(v, 0, 0);
  const b = toWorld(v, viewW, viewH);
  return { x0: Math.max(0, a.x), y0: Math.max(0, a.y), x1: Math.min(imgW, b.x), y1: Math.min(imgH, b.y) };
}

/** A region to render and the longest side to render it at (what the worker's render takes). */
export type DetailRequest = RenderRequest;

/**
 * The region to render at full detail when the whole-image display is magnified on screen
 * (each display pixel wider than `threshold` screen pixels), else undefined. The region is the
 * visible part plus half a viewport around it, so short pans stay sharp; its resolution
 * matches the screen, capped at `cap` pixels on its longest side.
 */
export function detailRequest(
  v: ViewTransform,
  viewW: number,
  viewH: number,
  imgW: number,
  imgH: number,
  displayScale: number,
  threshold = 1.25,
  cap = 2048,
): DetailRequest | undefined {
  if (v.scale * displayScale <= threshold) return undefined;
  const r = visibleRect(v, viewW, viewH, imgW, imgH);
  if (r.x1 <= r.x0 || r.y1 <= r.y0) return undefined;
  const padX = (r.x1 - r.x0) / 2;
  const padY = (r.y1 - r.y0) / 2;
  const x0 = Math.max(0, Math.floor(r.x0 - padX));
  const y0 = Math.max(0, Math.floor(r.y0 - padY));
  const x1 = Math.min(imgW, Math.ceil(r.x1 + padX));
  const y1 = Math.min(imgH, Math.ceil(r.y1 + padY));
  const screenSide = Math.max(x1 - x0, y1 - y0) * v.scale;
  return { x0, y0, x1, y1, maxSide: Math.max(1, Math.min(cap, Math.ceil(screenSide))) };
}

/** Original pixels per pixel the worker renders a request at (its display factor). */
export function renderScale(req: DetailRequest): number {
  return Math.max(1, Math.ceil(Math.max(req.x1 - req.x0, req.y1 - req.y0) / req.maxSide));
}

/** True when a rendered detail (region at `scale` original px per pixel) still serves the visible rect at `wantScale`. */
export function detailCovers(have: Rect & { scale: number }, visible: Rect, wantScale: number): boolean {
  return visible.x0 >= have.x0 && visible.y0 >= have.y0 && visible.x1 <= have.x1 && visible.y1 <= have.y1 && have.scale <= wantScale;
}
