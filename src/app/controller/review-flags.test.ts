import { beforeEach, describe, expect, it } from 'vitest';
import { useWorkbench } from '../store';
import { nextUnreviewed, toggleFlag } from './review-flags';

const s = () => useWorkbench.getState();

describe('nextUnreviewed (the u key)', () => {
  beforeEach(() => s().reset());

  it('skips the demo data, micrographs marked reviewed and those left out of the export', () => {
    s().addMicrograph('demo', 'demo.mrc', true);
    for (const k of ['a', 'b', 'c', 'd']) s().addMicrograph(k, `${k}.mrc`);
    s().updateMic('b', { reviewed: true });
    s().updateMic('c', { excluded: true });
    s().setCurrent('a');
    nextUnreviewed();
    expect(s().currentKey).toBe('d');
    nextUnreviewed();
    expect(s().currentKey).toBe('a');
    s().updateMic('a', { reviewed: true });
    s().updateMic('d', { excluded: true });
    nextUnreviewed();
    expect(s().currentKey).toBe('a');
    expect(s().notices.at(-1)?.text).toBe('Every micrograph of yours is marked reviewed or left out of the export.');
  });
});

describe('marking reviewed (the r key)', () => {
  beforeEach(() => s().reset());
  const info = { width: 100, height: 100, frames: 1, displayScale: 1 };

  it('keeps the parameters of the picks on screen where a re-pick for new ones has not reached it', () => {
    s().addMicrograph('a', 'a.mrc');
    const old = s().micrographs[0].params;
    s().updateMic('a', { info, status: 'picked', pickedWith: old, auto: [{ x: 10, y: 10, score: 0.4, peakHeight: 1, kept: true }] });
    // A cutoff set on all micrographs, whose background re-pick has not picked this one yet.
    s().setParams('a', { cutoff: 0.5 });
    toggleFlag('a', 'reviewed');
    const m = s().micrographs[0];
    expect(m.reviewed).toBe(true);
    expect(m.params).toEqual(old);
    expect(s().notices.at(-1)?.text).toMatch(
      /a\.mrc: marked reviewed with the picks on screen .* its new Classifier cutoff 0\.5 had not been picked yet/,
    );
    // One undo takes both back.
    s().undo();
    expect(s().micrographs[0]).toMatchObject({ reviewed: undefined, params: { cutoff: 0.5 } });
  });

  it('leaves the parameters alone when its picks are up to date, or a pick for the new ones is running', () => {
    s().addMicrograph('a', 'a.mrc');
    const old = s().micrographs[0].params;
    s().updateMic('a', { info, status: 'picked', pickedWith: old, auto: [] });
    toggleFlag('a', 'reviewed');
    expect(s().micrographs[0]).toMatchObject({ reviewed: true, params: old });
    toggleFlag('a', 'reviewed');
    s().setParams('a', { cutoff: 0.5 });
    s().updateMic('a', { status: 'picking' });
    toggleFlag('a', 'reviewed');
    expect(s().micrographs[0]).toMatchObject({ reviewed: true, params: { cutoff: 0.5 } });
  });
});
