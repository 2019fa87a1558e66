// The session diameter across unit switches, with micrographs of two pixel sizes: a switch
// converts with one of them, and switching back gives the size entered, not a re-conversion.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { applySnapshot, knownPixelSize, toSnapshot, useWorkbench } from '../store';

vi.mock('../engine-bridge', () => ({ engine: { isRegistered: () => true, workers: 1 } }));
vi.mock('./picking', () => ({ ensurePicked() {}, repickStale() {} }));
vi.mock('./viewing', () => ({ arrivalDiameter() {} }));
const { setDiameterUnit, setFallbackPixelSize, setPixelSizeOverHeaders, setSessionDiameter } = await import('./session-diameter');

const s = () => useWorkbench.getState();
const m = (key: string) => s().micrographs.find((x) => x.key === key)!;

function opened(key: string, pixelSize?: number): void {
  s().addMicrograph(key, `${key}.${pixelSize ? 'mrc' : 'png'}`);
  s().updateMic(key, {
    info: { width: 1000, height: 1000, frames: 1, displayScale: 1, ...(pixelSize ? { pixelSize } : {}) },
    status: 'ready',
  });
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

  it('converts anew once the pixel sizes changed: the fallback pixel size, or micrographs gone and others come', () => {
    opened('a'); // a PNG: no pixel size in the file
    setFallbackPixelSize(1);
    setSessionDiameter({ value: 100, unit: 'px' });
    setDiameterUnit('A');
    setFallbackPixelSize(2); // 100 Å is 50 px now, and a is picked at 50
    expect(m('a').params.diameter).toBe(50);
    setDiameterUnit('px');
    expect(s().diameter).toMatchObject({ value: 50, unit: 'px' });

    s().reset();
    opened('b', 1.9);
    setDiameterUnit('A');
    setSessionDiameter({ value: 140, unit: 'A' });
    setDiameterUnit('px'); // 73.7 px
    s().removeMicrograph('b');
    opened('c', 0.95);
    s().updateMic('c', { params: { ...m('c').params, diameter: 73.7 } }); // arrived in px: 73.7 px, 70 Å
    setDiameterUnit('A');
    expect(s().diameter).toMatchObject({ value: 70, unit: 'A' });
  });

  it('a switch that kept the number (no pixel size known) is none to come back from', () => {
    opened('a');
    setDiameterUnit('A');
    setSessionDiameter({ value: 120, unit: 'A' });
    setDiameterUnit('px'); // nothing to convert with: 120 px
    setFallbackPixelSize(2);
    setDiameterUnit('A');
    expect(s().diameter).toMatchObject({ value: 240, unit: 'A' });
  });

  it('a pixel size entered over the headers converts every micrograph of yours with it, the demos keep theirs; undone as one step', () => {
    s().addMicrograph('d', 'betagal_0001.mrc', true);
    s().updateMic('d', { info: { width: 1000, height: 1000, frames: 1, displayScale: 1, pixelSize: 2.6 }, status: 'ready' });
    opened('a', 1); // binned 2x after the header was written: really 2 Å/px
    opened('b'); // a PNG
    setDiameterUnit('A');
    setSessionDiameter({ value: 120, unit: 'A' });
    setFallbackPixelSize(2);
    // The header wins for a; the PNG takes the size entered.
    expect([m('a').params.diameter, m('b').params.diameter]).toEqual([120, 60]);
    const demo = m('d').params.diameter;
    setPixelSizeOverHeaders(true);
    expect([m('a').params.diameter, m('b').params.diameter, m('d').params.diameter]).toEqual([60, 60, demo]);
    // Said, with what the headers said: the setting is one for the session.
    expect(s().notices.at(-1)?.text).toMatch(/^1 micrograph of yours whose header says 1 Å\/px takes 2 Å\/px now .*one session at a time/);
    expect(knownPixelSize(s())).toBe(2);
    // Kept with the session.
    const snap = JSON.parse(JSON.stringify(toSnapshot(s())));
    s().reset();
    applySnapshot(snap);
    expect(s().pixelSizeOverHeaders).toBe(true);
    expect(m('a').params.diameter).toBe(60);
    setFallbackPixelSize(1.5); // another size entered: over the headers still
    expect(m('a').params.diameter).toBe(80);
    s().undo();
    expect(m('a').params.diameter).toBe(60);
    // Nothing entered: each header again, over the headers or not.
    setFallbackPixelSize(undefined);
    expect(m('a').params.diameter).toBe(120);
    setFallbackPixelSize(2);
    setPixelSizeOverHeaders(false);
    expect([m('a').params.diameter, m('b').params.diameter]).toEqual([120, 60]);
    s().undo();
    expect([s().pixelSizeOverHeaders, m('a').params.diameter]).toEqual([true, 60]);
  });

  it('the pixel size entered, or its going over the headers, changes only the micrographs whose pixel size it changes, and only in Å', () => {
    opened('a', 1);
    opened('b', 1.5);
    setDiameterUnit('A');
    setSessionDiameter({ value: 150, unit: 'A' });
    setDiameterUnit('px'); // 150 px; b stays at its own 100 px
    expect([m('a').params.diameter, m('b').params.diameter]).toEqual([150, 100]);
    s().updateMic('b', { reviewed: true });
    // In px no pixel size sets a size: b keeps its own, and its mark.
    setFallbackPixelSize(2);
    setPixelSizeOverHeaders(true);
    expect([m('a').params.diameter, m('b').params.diameter, m('b').reviewed]).toEqual([150, 100, true]);
    // In Å, only those whose pixel size moved.
    setPixelSizeOverHeaders(false);
    setDiameterUnit('A');
    setSessionDiameter({ value: 150, unit: 'A' });
    opened('c'); // a PNG
    s().updateMic('c', { params: { ...m('c').params, diameter: 75 } });
    s().updateMic('b', { reviewed: true });
    setFallbackPixelSize(3); // only c has no pixel size of its own
    expect([m('a').params.diameter, m('b').params.diameter, m('b').reviewed, m('c').params.diameter]).toEqual([150, 100, true, 50]);
  });
});
