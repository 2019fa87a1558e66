// Undo and redo of session steps: the notes of the micrographs follow, and the step is said.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { useWorkbench } from '../store';

vi.mock('../engine-bridge', () => ({
  engine: {
    isRegistered: () => true,
    pick: () => new Promise(() => {}),
    batch: () => ({ cancel: () => {}, done: new Promise(() => {}) }),
  },
}));
const { undo, redo } = await import('./undo');
const { setDiameterUnit, setFallbackPixelSize } = await import('./session-diameter');
const { NO_PIXEL_SIZE_YET } = await import('../diameter');
const { arrivalDiameter } = await import('./viewing');

const s = () => useWorkbench.getState();

describe('undo and redo of a session step', () => {
  beforeEach(() => {
    s().reset();
    s().set({ readOnly: undefined }); // reset keeps a tab's read-only state
  });

  it('bring the notes of micrographs without a pixel size back with the step, and say what was undone', () => {
    s().set({ diameter: { value: 156, unit: 'A' } });
    s().addMicrograph('p', 'May08_03.05.02.png');
    s().updateMic('p', { info: { width: 100, height: 100, frames: 1, displayScale: 1 } });
    arrivalDiameter('p');
    const unconverted = s().micrographs[0].diameterNote;
    expect(unconverted).toMatch(/^no pixel size in the file: 156 Å cannot be converted/);
    setFallbackPixelSize(1.5);
    expect(s().micrographs[0].params.diameter).toBe(104);
    expect(s().micrographs[0].diameterNote).toBeUndefined();
    undo();
    expect(s().fallbackPixelSize).toBeUndefined();
    expect(s().micrographs[0].diameterNote).toBe(unconverted);
    expect(s().notices.at(-1)?.text).toBe('Undone: pixel size of files without one.');
    redo();
    expect(s().micrographs[0].diameterNote).toBeUndefined();
    expect(s().notices.at(-1)?.text).toBe('Redone: pixel size of files without one.');
  });

  it("say nothing of one micrograph's parameter, whose undo brings it on screen, nor in a tab that only looks", () => {
    s().addMicrograph('a', 'a.mrc');
    s().setParams('a', { threshold: 9 });
    const said = s().notices.length;
    undo();
    expect(s().micrographs[0].params.threshold).not.toBe(9);
    expect(s().notices).toHaveLength(said);
    setFallbackPixelSize(1.5);
    s().set({ readOnly: 'open in another tab' });
    undo();
    expect(s().fallbackPixelSize).toBe(1.5);
    expect(
      s()
        .notices.map((n) => n.text)
        .filter((t) => t.startsWith('Undone')),
    ).toEqual([]);
  });

  it('the notice that no pixel size is known goes once a micrograph gives one', () => {
    setDiameterUnit('A');
    expect(s().notices.map((n) => n.text)).toContain(NO_PIXEL_SIZE_YET);
    s().addMicrograph('m', 'm.mrc');
    s().updateMic('m', { info: { width: 100, height: 100, frames: 1, displayScale: 1, pixelSize: 1.3 } });
    arrivalDiameter('m');
    expect(s().notices.map((n) => n.text)).not.toContain(NO_PIXEL_SIZE_YET);
  });
});

describe('a switch of the diameter unit', () => {
  beforeEach(() => {
    s().reset();
    s().set({ readOnly: undefined });
  });

  it('to px gives micrographs that waited for a pixel size the session size, in one undo step', () => {
    s().set({ diameter: { value: 120, unit: 'A' } });
    s().addMicrograph('p', 'a.png');
    s().updateMic('p', { info: { width: 100, height: 100, frames: 1, displayScale: 1 } });
    const guessed = s().micrographs[0].params.diameter;
    setDiameterUnit('px');
    expect(s().diameter).toMatchObject({ value: 120, unit: 'px' });
    expect(s().notices.map((n) => n.text)).toContain(
      'No pixel size is known to convert 120 Å with: the field keeps the number, now 120 px; enter the diameter in px.',
    );
    expect(s().micrographs[0].params.diameter).toBe(120);
    undo();
    expect(s().micrographs[0].params.diameter).toBe(guessed);
    expect(s().diameter.unit).toBe('A');
  });

  it('undone after the waiting micrographs were picked in px, leaves them at the size they were picked at, not a guessed one', () => {
    s().set({ diameter: { value: 85, unit: 'A' } });
    s().addMicrograph('p', 'a.png');
    s().updateMic('p', { info: { width: 100, height: 100, frames: 1, displayScale: 1 } });
    setDiameterUnit('px');
    const picked = s().micrographs[0].params;
    expect(picked.diameter).toBe(85);
    s().updateMic('p', { status: 'picked', pickedWith: picked, auto: [] });
    undo();
    expect(s().diameter).toEqual({ value: 85, unit: 'A' });
    expect(s().micrographs[0].params.diameter).toBe(85);
    expect(s().micrographs[0].diameterNote).toMatch(/85 Å cannot be converted; picked at 85 px/);
  });
});
