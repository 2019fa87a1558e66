// The session diameter across unit switches, with micrographs of two pixel sizes: a switch
// converts with one of them, and switching back gives the size entered, not a re-conversion.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { useWorkbench } from '../store';

vi.mock('../engine-bridge', () => ({ engine: { isRegistered: () => true, workers: 1 } }));
vi.mock('./picking', () => ({ ensurePicked() {}, repickStale() {} }));
vi.mock('./viewing', () => ({ arrivalDiameter() {} }));
const { setDiameterUnit, setSessionDiameter } = await import('./session-diameter');

const s = () => useWorkbench.getState();
const m = (key: string) => s().micrographs.find((x) => x.key === key)!;

function opened(key: string, pixelSize: number): void {
  s().addMicrograph(key, `${key}.mrc`);
  s().updateMic(key, { info: { width: 1000, height: 1000, frames: 1, displayScale: 1, pixelSize }, status: 'ready' });
}

describe('the session diameter and its unit', () => {
  beforeEach(() => s().reset());

  it('comes back exact from px to Å, whichever micrograph is on screen; a size entered in between is the new one', () => {
    opened('a', 1.9);
    opened('b', 0.95);
    s().setCurrent('a');
    setDiameterUnit('A');
    setSessionDiameter({ value: 140, unit: 'A' });
    // Each micrograph takes 140 Å in its own pixels.
    expect(Math.abs(m('a').params.diameter - 140 / 1.9)).toBeLessThan(1);
    expect(Math.abs(m('b').params.diameter - 140 / 0.95)).toBeLessThan(1);
    const [a, b] = [m('a').params.diameter, m('b').params.diameter];
    setDiameterUnit('px');
    expect(s().diameter).toMatchObject({ value: 73.7, unit: 'px' });
    s().setCurrent('b'); // converting back with b's 0.95 Å/px would give 70 Å
    setDiameterUnit('A');
    expect(s().diameter).toEqual({ value: 140, unit: 'A' });
    expect([m('a').params.diameter, m('b').params.diameter]).toEqual([a, b]);
    // Entered in px, then shown in Å: converted (with b's pixel size), and back to px exact.
    setDiameterUnit('px');
    setSessionDiameter({ ...s().diameter, value: 100 });
    expect(s().diameter).toEqual({ value: 100, unit: 'px' });
    setDiameterUnit('A');
    expect(s().diameter).toMatchObject({ value: 95, unit: 'A' });
    setDiameterUnit('px');
    expect(s().diameter).toEqual({ value: 100, unit: 'px' });
  });
});
