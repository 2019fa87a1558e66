// The training samples under review, drawn on the viewer's Konva stage in world coordinates
// (original pixels) as the boxes their patches are cut from: particles solid, background
// dashed, removed ones faint and dotted. One Shape, one pass, like the pick circles.
import { Layer, Shape } from 'react-konva';
import type { ReviewSample } from './review';
import { shownSamples, useTraining } from './training-store';
import { PICK_OFFSET } from '../view-math';

export const SAMPLE_COLOUR = { particle: '#2ee6a6', background: '#ff9f1c', removed: '#9aa0a6' };

function drawSamples(ctx: CanvasRenderingContext2D, samples: readonly ReviewSample[], box: number, scale: number): void {
  const px = 1 / scale;
  const h = box / 2;
  const groups: [string, number[], number, (s: ReviewSample) => boolean][] = [
    [SAMPLE_COLOUR.particle, [], 0.95, (s) => !s.removed && s.label === 1],
    [SAMPLE_COLOUR.background, [6 * px, 4 * px], 0.95, (s) => !s.removed && s.label === 0],
    [SAMPLE_COLOUR.removed, [2 * px, 4 * px], 0.6, (s) => s.removed],
  ];
  ctx.lineWidth = 1.6 * px;
  for (const [colour, dash, alpha, take] of groups) {
    ctx.beginPath();
    for (const s of samples) if (take(s)) ctx.rect(s.x - h, s.y - h, box, box);
    ctx.strokeStyle = colour;
    ctx.globalAlpha = alpha;
    ctx.setLineDash(dash);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.globalAlpha = 1;
}

/** A layer for the viewer's stage; draws nothing unless samples of this micrograph are under review. */
export function TrainingOverlay({ micKey, diameter }: { micKey?: string; diameter: number }) {
  const samples = useTraining((s) => shownSamples(s, micKey));
  if (!samples?.length) return null;
  return (
    <Layer listening={false} x={PICK_OFFSET} y={PICK_OFFSET}>
      <Shape
        perfectDrawEnabled={false}
        sceneFunc={(ctx, shape) => drawSamples(ctx._context, samples, diameter, shape.getStage()?.scaleX() ?? 1)}
      />
    </Layer>
  );
}
