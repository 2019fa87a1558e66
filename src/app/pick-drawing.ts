// Draws every pick circle, ground-truth marker, drag preview and selection box in one canvas
// pass (one Konva.Shape instead of thousands of nodes), so pan and zoom stay smooth with
// thousands of picks. Circles are batched by (state, opacity step) into a few paths.
import type { PickState } from '../core/coords/types';
import type { Box, DisplayPick, Mark } from './picks-merge';
import type { Rect } from './view-math';

export const STATE_COLOUR: Record<PickState, string> = {
  auto: '#3fd0ff',
  accepted: '#4cff7a',
  rejected: '#ff4d4d',
  manual: '#ffc83d',
};
export const TRUTH_COLOUR = '#ff5cf0';
/** The ring around the selected pick: white, outside the circle, so any state shows it. */
export const SELECTED_COLOUR = '#ffffff';

/** Opacity steps a confidence is rounded to (one canvas path per state and step). */
const OPACITY_STEPS = 8;

/** 0..1 confidence for the circle opacity: p(particle) when known, else the score's rank within the micrograph. */
export function confidences(picks: readonly DisplayPick[]): Map<string, number> {
  const out = new Map<string, number>();
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of picks) {
    if (p.pParticle === undefined && p.score !== undefined) {
      lo = Math.min(lo, p.score);
      hi = Math.max(hi, p.score);
    }
  }
  for (const p of picks) {
    if (p.pParticle !== undefined) out.set(p.id, p.pParticle);
    else if (p.score !== undefined && hi > lo) out.set(p.id, (p.score - lo) / (hi - lo));
    else out.set(p.id, 1);
  }
  return out;
}

/** Circle opacity from state and confidence, rounded to a step. */
export function circleOpacity(state: PickState, confidence: number): number {
  if (state === 'rejected') return 0.9;
  if (state === 'manual' || state === 'accepted') return 1;
  const a = 0.35 + 0.65 * Math.min(1, Math.max(0, confidence));
  return Math.round(a * OPACITY_STEPS) / OPACITY_STEPS;
}

export interface PickScene {
  picks: readonly DisplayPick[];
  confidence: ReadonlyMap<string, number>;
  radius: number;
  truth?: readonly Mark[];
  selectedId?: string;
  /** A pick being dragged: where it would land. */
  preview?: Mark;
  /** A selection box being drawn. */
  box?: Box;
}

/**
 * Draws the scene in world coordinates; `scale` (screen px per world px) keeps line widths
 * constant on screen. Returns how many picks it drew (those in or near the visible rect).
 */
export function drawPickScene(ctx: CanvasRenderingContext2D, scene: PickScene, scale: number, visible: Rect): number {
  const px = 1 / scale;
  const r = scene.radius;
  const near = (p: Mark, pad: number): boolean =>
    p.x >= visible.x0 - pad && p.x <= visible.x1 + pad && p.y >= visible.y0 - pad && p.y <= visible.y1 + pad;

  if (scene.truth?.length) {
    ctx.beginPath();
    const tr = Math.max(r * 0.25, 3 * px);
    for (const t of scene.truth) {
      if (!near(t, tr)) continue;
      ctx.moveTo(t.x + tr, t.y);
      ctx.arc(t.x, t.y, tr, 0, 2 * Math.PI);
    }
    ctx.globalAlpha = 0.9;
    ctx.strokeStyle = TRUTH_COLOUR;
    ctx.lineWidth = 1.5 * px;
    ctx.setLineDash([]);
    ctx.stroke();
  }

  const groups = new Map<string, { state: PickState; alpha: number; picks: DisplayPick[] }>();
  let drawn = 0;
  for (const p of scene.picks) {
    if (!near(p, r)) continue;
    drawn++;
    const alpha = circleOpacity(p.state, scene.confidence.get(p.id) ?? 1);
    const k = `${p.state}|${alpha}`;
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { state: p.state, alpha, picks: [] }));
    g.picks.push(p);
  }
  ctx.lineWidth = 1.8 * px;
  for (const g of groups.values()) {
    ctx.beginPath();
    for (const p of g.picks) {
      ctx.moveTo(p.x + r, p.y);
      ctx.arc(p.x, p.y, r, 0, 2 * Math.PI);
    }
    ctx.globalAlpha = g.alpha;
    ctx.strokeStyle = STATE_COLOUR[g.state];
    ctx.setLineDash(g.state === 'rejected' ? [6 * px, 4 * px] : []);
    ctx.stroke();
    if (g.state === 'rejected') {
      // A cross as well: a dashed circle alone is lost at fit zoom, where circles are a few pixels wide.
      const c = Math.max(r * 0.45, 3 * px);
      ctx.beginPath();
      for (const p of g.picks) {
        ctx.moveTo(p.x - c, p.y - c);
        ctx.lineTo(p.x + c, p.y + c);
        ctx.moveTo(p.x - c, p.y + c);
        ctx.lineTo(p.x + c, p.y - c);
      }
      ctx.setLineDash([]);
      ctx.lineWidth = 2.2 * px;
      ctx.stroke();
      ctx.lineWidth = 1.8 * px;
    }
  }

  const selected = scene.selectedId ? scene.picks.find((p) => p.id === scene.selectedId) : undefined;
  ctx.globalAlpha = 1;
  ctx.setLineDash([]);
  if (selected) {
    ctx.beginPath();
    ctx.arc(selected.x, selected.y, r, 0, 2 * Math.PI);
    ctx.lineWidth = 3.5 * px;
    ctx.strokeStyle = STATE_COLOUR[selected.state];
    ctx.stroke();
    ctx.beginPath();
    ctx.arc(selected.x, selected.y, r + 6 * px, 0, 2 * Math.PI);
    ctx.lineWidth = 3 * px;
    ctx.strokeStyle = SELECTED_COLOUR;
    ctx.stroke();
  }
  if (scene.preview) {
    ctx.beginPath();
    ctx.arc(scene.preview.x, scene.preview.y, r, 0, 2 * Math.PI);
    ctx.lineWidth = 2 * px;
    ctx.strokeStyle = STATE_COLOUR.manual;
    ctx.setLineDash([4 * px, 3 * px]);
    ctx.stroke();
  }
  if (scene.box) {
    const b = scene.box;
    ctx.lineWidth = 1 * px;
    ctx.strokeStyle = STATE_COLOUR.rejected;
    ctx.setLineDash([4 * px, 4 * px]);
    ctx.strokeRect(Math.min(b.x0, b.x1), Math.min(b.y0, b.y1), Math.abs(b.x1 - b.x0), Math.abs(b.y1 - b.y0));
  }
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
  return drawn;
}
