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
const { setFallbackPixelSize } = await import('./session-diameter');
const { arrivalDiameter } = await import('./viewing');

const s = () => useWorkbench.getState();

describe('undo and redo of a session step', () => {
  beforeEach(() => s().reset());

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
});
