import { describe, expect, it } from 'vitest';
import { circleOpacity, confidences, drawPickScene, SELECTED_COLOUR, STATE_COLOUR } from './pick-drawing';
import type { DisplayPick } from './picks-merge';

/** Records the strokes a 2D context receives (enough of the API for drawPickScene). */
function recorder() {
  const strokes: { colour: string; alpha: number; arcs: number; lines: number; dash: number[]; width: number }[] = [];
  let arcs = 0;
  let lines = 0;
  const ctx = {
    globalAlpha: 1,
    strokeStyle: '',
    lineWidth: 1,
    dash: [] as number[],
    beginPath: () => {
      arcs = 0;
      lines = 0;
    },
    moveTo: () => {},
    lineTo: () => void lines++,
    arc: () => void arcs++,
    setLineDash(d: number[]) {
      this.dash = d;
    },
    stroke() {
      strokes.push({ colour: this.strokeStyle, alpha: this.globalAlpha, arcs, lines, dash: this.dash, width: this.lineWidth });
    },
    strokeRect: () => void strokes.push({ colour: 'box', alpha: 1, arcs: 0, lines: 0, dash: [], width: 0 }),
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, strokes };
}

const pick = (id: string, x: number, state: DisplayPick['state'], extra: Partial<DisplayPick> = {}): DisplayPick => ({
  id,
  x,
  y: 50,
  state,
  ...extra,
});

describe('pick drawing', () => {
  it('confidence is p(particle) when known, else the score rank; opacity steps by state', () => {
    const c = confidences([
      pick('a', 0, 'auto', { pParticle: 0.3, score: 0.3 }),
      pick('b', 0, 'auto', { score: 2 }),
      pick('c', 0, 'auto', { score: 6 }),
      pick('m', 0, 'manual'),
    ]);
    expect([c.get('a'), c.get('b'), c.get('c'), c.get('m')]).toEqual([0.3, 0, 1, 1]);
    expect(circleOpacity('rejected', 0)).toBe(0.9); // rejected picks stay visible whatever their score
    expect(circleOpacity('manual', 0)).toBe(1);
    expect(circleOpacity('auto', 0)).toBe(0.375);
    expect(circleOpacity('auto', 1)).toBe(1);
  });
  it('draws one path per state and opacity step, skips picks out of view, keeps line widths on screen', () => {
    const picks = [
      pick('a', 10, 'auto'),
      pick('b', 20, 'auto'),
      pick('r', 30, 'rejected'),
      pick('m', 40, 'manual'),
      pick('far', 5000, 'auto'),
    ];
    const { ctx, strokes } = recorder();
    const drawn = drawPickScene(
      ctx,
      { picks, confidence: new Map(), radius: 5, truth: [{ x: 15, y: 50 }], selectedId: 'm', box: { x0: 0, y0: 0, x1: 9, y1: 9 } },
      2,
      { x0: 0, y0: 0, x1: 100, y1: 100 },
    );
    expect(drawn).toBe(4); // 'far' is out of view
    expect(strokes[0]).toMatchObject({ arcs: 1, width: 0.75 }); // truth marker
    expect(strokes.find((s) => s.colour === STATE_COLOUR.auto)).toMatchObject({ arcs: 2, alpha: 1, width: 0.9 });
    const rejected = strokes.filter((s) => s.colour === STATE_COLOUR.rejected);
    expect(rejected[0]).toMatchObject({ arcs: 1, dash: [3, 2] }); // the dashed circle
    expect(rejected[1]).toMatchObject({ arcs: 0, lines: 2, dash: [] }); // and a cross in it
    expect(strokes.filter((s) => s.colour === STATE_COLOUR.manual).map((s) => s.width)).toEqual([0.9, 1.75]); // the pick, then drawn thick as the selected one
    expect(strokes.find((s) => s.colour === SELECTED_COLOUR)).toMatchObject({ arcs: 1, width: 1.5 }); // the white ring around it
    expect(strokes[strokes.length - 1].colour).toBe('box');
  });
});
