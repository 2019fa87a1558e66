import { describe, expect, it } from 'vitest';
import { circleOpacity, confidences, drawPickScene, STATE_COLOUR } from './pick-drawing';
import type { DisplayPick } from './picks-merge';

/** Records the strokes a 2D context receives (enough of the API for drawPickScene). */
function recorder() {
  const strokes: { colour: string; alpha: number; arcs: number; dash: number[]; width: number }[] = [];
  let arcs = 0;
  const ctx = {
    globalAlpha: 1,
    strokeStyle: '',
    lineWidth: 1,
    dash: [] as number[],
    beginPath: () => (arcs = 0),
    moveTo: () => {},
    arc: () => void arcs++,
    setLineDash(d: number[]) {
      this.dash = d;
    },
    stroke() {
      strokes.push({ colour: this.strokeStyle, alpha: this.globalAlpha, arcs, dash: this.dash, width: this.lineWidth });
    },
    strokeRect: () => void strokes.push({ colour: 'box', alpha: 1, arcs: 0, dash: [], width: 0 }),
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, strokes };
}

const pick = (id: string, x: number, state: DisplayPick['state'], extra: Partial<DisplayPick> = {}): DisplayPick => ({ id, x, y: 50, state, ...extra });

describe('pick drawing', () => {
  it('confidence is p(particle) when known, else the score rank; opacity steps by state', () => {
    const c = confidences([pick('a', 0, 'auto', { pParticle: 0.3, score: 0.3 }), pick('b', 0, 'auto', { score: 2 }), pick('c', 0, 'auto', { score: 6 }), pick('m', 0, 'manual')]);
    expect([c.get('a'), c.get('b'), c.get('c'), c.get('m')]).toEqual([0.3, 0, 1, 1]);
    expect(circleOpacity('rejected', 1)).toBe(0.6);
    expect(circleOpacity('manual', 0)).toBe(1);
    expect(circleOpacity('auto', 0)).toBe(0.375);
    expect(circleOpacity('auto', 1)).toBe(1);
  });
  it('draws one path per state and opacity step, skips picks out of view, keeps line widths on screen', () => {
    const picks = [pick('a', 10, 'auto'), pick('b', 20, 'auto'), pick('r', 30, 'rejected'), pick('m', 40, 'manual'), pick('far', 5000, 'auto')];
    const { ctx, strokes } = recorder();
    drawPickScene(ctx, { picks, confidence: new Map(), radius: 5, truth: [{ x: 15, y: 50 }], selectedId: 'm', box: { x0: 0, y0: 0, x1: 9, y1: 9 } }, 2, { x0: 0, y0: 0, x1: 100, y1: 100 });
    expect(strokes[0]).toMatchObject({ arcs: 1, width: 0.75 }); // truth marker
    expect(strokes.find((s) => s.colour === STATE_COLOUR.auto)).toMatchObject({ arcs: 2, alpha: 1, width: 0.9 });
    expect(strokes.find((s) => s.colour === STATE_COLOUR.rejected)).toMatchObject({ arcs: 1, dash: [3, 2] });
    expect(strokes.filter((s) => s.colour === STATE_COLOUR.manual).map((s) => s.width)).toEqual([0.9, 1.75]); // the pick, then its selection ring
    expect(strokes[strokes.length - 1].colour).toBe('box');
  });
});
