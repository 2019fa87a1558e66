// Pure logic behind the review features: number fields, shortcut targets, progress, the
// session diameter, the score histogram and the retrained model's before/after.
import { describe, expect, it } from 'vitest';
import { DEFAULT_PICK_PARAMS, PICK_PARAMETERS } from '../core/params';
import { clampDiameterPx, convertSetting, diameterInPx, diameterRange } from './diameter';
import { fieldOwnsKey } from './key-targets';
import { clampNote, committedNumber, steppedNumber } from './number-entry';
import { MICROGRAPH_CONTROLS, PARAM_CONTROLS, SESSION_PARAMS } from './param-controls';
import { overallProgress, progressTracker } from './progress';
import { countAbove, cutoffForLine, lineForCutoff, scoreHistogram, sharedCutoff } from './score-histogram';
import { sideOf, total, verdict, type ComparisonRow } from './training/comparison';

describe('number fields', () => {
  const range = { min: 10, max: 800 };
  it('commit the typed number, clamped into the range, and nothing for text that is no number', () => {
    expect(committedNumber('102', range)).toBe(102);
    expect(committedNumber(' 1 ', range)).toBe(10); // clamped, not refused
    expect(committedNumber('5000', range)).toBe(800);
    expect(committedNumber('12,5', range)).toBe(12.5);
    expect(committedNumber('', range)).toBeUndefined();
    expect(committedNumber('1e', range)).toBeUndefined();
    expect(committedNumber('2.6', { min: 1, max: 3, integer: true })).toBe(3);
  });
  it('say when the typed number was clamped, and nothing otherwise', () => {
    expect(clampNote('0', range, 'Particle diameter (px)')).toBe('Particle diameter (px): 0 is outside 10 to 800; 10 is used.');
    expect(clampNote('1e9', range, 'Particle diameter (px)')).toBe('Particle diameter (px): 1000000000 is outside 10 to 800; 800 is used.');
    expect(clampNote('12,5', range, 'x')).toBeUndefined();
    expect(clampNote('abc', range, 'x')).toBeUndefined();
  });
  it('step by the step without float noise, inside the range', () => {
    expect(steppedNumber(0.9, 1, 0.005, { min: 0, max: 1 })).toBe(0.905);
    expect(steppedNumber(0.1, -1, 0.05, { min: 0, max: 1 })).toBe(0.05);
    expect(steppedNumber(799, 1, 2, range)).toBe(800);
  });
});

describe('keys a focused control keeps', () => {
  it('a slider keeps its arrows and page keys, not the letter shortcuts or undo', () => {
    const slider = { tagName: 'INPUT', type: 'range' };
    for (const k of ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown'])
      expect(fieldOwnsKey(slider, k)).toBe(true);
    for (const k of ['n', 'p', 'h', 'z', 'Delete']) expect(fieldOwnsKey(slider, k)).toBe(false);
  });
  it('a text field keeps every key; a checkbox and a button Space and Enter only; the page none', () => {
    expect(fieldOwnsKey({ tagName: 'INPUT', type: 'text' }, 'n')).toBe(true);
    expect(fieldOwnsKey({ tagName: 'INPUT' }, 'ArrowLeft')).toBe(true);
    expect(fieldOwnsKey({ tagName: 'TEXTAREA' }, 'a')).toBe(true);
    expect(fieldOwnsKey({ tagName: 'SELECT' }, 'ArrowDown')).toBe(true);
    expect(fieldOwnsKey({ tagName: 'DIV', isContentEditable: true }, 'x')).toBe(true);
    expect(fieldOwnsKey({ tagName: 'INPUT', type: 'checkbox' }, ' ')).toBe(true);
    expect(fieldOwnsKey({ tagName: 'INPUT', type: 'checkbox' }, 'ArrowRight')).toBe(false);
    expect(fieldOwnsKey({ tagName: 'BUTTON' }, 'Enter')).toBe(true);
    expect(fieldOwnsKey({ tagName: 'BUTTON' }, 'n')).toBe(false);
    expect(fieldOwnsKey({ tagName: 'BODY' }, 'ArrowRight')).toBe(false);
    expect(fieldOwnsKey(null, 'n')).toBe(false);
    // A number field with nothing typed since its last commit leaves Ctrl+Z/Y to the workbench's undo.
    const settled = { tagName: 'INPUT', type: 'text', dataset: { undo: 'workbench' } };
    for (const k of ['z', 'Z', 'y']) expect(fieldOwnsKey(settled, k, true)).toBe(false);
    expect(fieldOwnsKey(settled, 'z')).toBe(true);
    expect(fieldOwnsKey({ tagName: 'INPUT', type: 'text' }, 'z', true)).toBe(true);
  });
});

describe('pick progress', () => {
  it('never goes back when the classifier starts after the detector finished', () => {
    const track = progressTracker();
    const seen = [
      ['preprocess', 0],
      ['detector', 0.5],
      ['detector', 1],
      ['classifier', 0],
      ['classifier', 0.47],
      ['detector', 0.9], // a late message from the detector
      ['classifier', 1],
    ].map(([s, f]) => track(s as string, f as number));
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
    expect(seen[seen.length - 1]).toBe(1);
    expect(overallProgress('detector', 1)).toBeLessThan(overallProgress('classifier', 0.1));
    expect(overallProgress('something else', 0.3)).toBe(0.3);
  });
});

describe('the session diameter', () => {
  it('in pixels of each micrograph: px as it is, Å through the pixel size, inside the table range', () => {
    expect(diameterInPx({ value: 102, unit: 'px' }, 1.3)).toBe(102);
    expect(diameterInPx({ value: 130, unit: 'A' }, 1.3)).toBe(100);
    expect(diameterInPx({ value: 130, unit: 'A' }, undefined)).toBeUndefined();
    expect(diameterInPx({ value: 5, unit: 'px' }, undefined)).toBe(PICK_PARAMETERS.diameter.min);
    expect(clampDiameterPx(10000)).toBe(PICK_PARAMETERS.diameter.max);
  });
  it('keeps the physical size when the unit changes, and the number when no pixel size is known', () => {
    expect(convertSetting({ value: 100, unit: 'px' }, 'A', 1.3)).toEqual({ value: 130, unit: 'A' });
    expect(convertSetting({ value: 130, unit: 'A' }, 'px', 1.3)).toEqual({ value: 100, unit: 'px' });
    expect(convertSetting({ value: 140, unit: 'px' }, 'A', undefined)).toEqual({ value: 140, unit: 'A' });
    expect(diameterRange('A', 2)).toEqual({ min: PICK_PARAMETERS.diameter.min * 2, max: PICK_PARAMETERS.diameter.max * 2 });
  });
  it('is set for the session, so the per-micrograph panel shows every other parameter of the table', () => {
    expect(SESSION_PARAMS).toEqual(['diameter']);
    expect(MICROGRAPH_CONTROLS.map((c) => c.key)).toEqual(PARAM_CONTROLS.map((c) => c.key).filter((k) => k !== 'diameter'));
    expect(Object.keys(DEFAULT_PICK_PARAMS).length).toBe(MICROGRAPH_CONTROLS.length + SESSION_PARAMS.length);
  });
});

describe('score histogram', () => {
  const mic1 = [0.05, 0.5, 0.97, 0.99].map((p) => ({ pParticle: p, kept: p > 0.1 }));
  const mic2 = [{ pParticle: 0.02, kept: false }, { kept: true }, { pParticle: 1, kept: true }];
  it('bins every scored candidate of every micrograph, kept and dropped apart', () => {
    const h = scoreHistogram([mic1, mic2], 10);
    expect(h.scored).toBe(6);
    expect(h.bins[0]).toMatchObject({ kept: 0, dropped: 2 });
    expect(h.bins[5]).toMatchObject({ kept: 1, dropped: 0 });
    expect(h.bins[9]).toMatchObject({ kept: 3, dropped: 0 }); // 0.97, 0.99 and 1
    expect(h.peak).toBe(3);
  });
  it('the line stands at 1 - cutoff; dragging it gives a cutoff on its step', () => {
    expect(lineForCutoff(0.9)).toBeCloseTo(0.1);
    expect(cutoffForLine(0.3, 0.005)).toBe(0.7);
    expect(cutoffForLine(0.3012, 0.005)).toBe(0.7);
    expect(cutoffForLine(-1, 0.005)).toBe(1);
    expect(countAbove([mic1, mic2], 0.1)).toBe(4);
  });
});

describe('a retrained model before and after', () => {
  const truth = [
    { x: 100, y: 100 },
    { x: 300, y: 300 },
  ];
  const row = (before: { x: number; y: number }[], after: { x: number; y: number }[], withTruth = true): ComparisonRow => ({
    key: 'k',
    name: 'a.mrc',
    before: sideOf(before, withTruth ? truth : undefined, 50),
    after: sideOf(after, withTruth ? truth : undefined, 50),
  });
  it('counts picks and pools F1 over the micrographs with truth', () => {
    const rows = [row(truth, [truth[0]]), row([{ x: 0, y: 0 }], [], false)];
    expect(total(rows, 'before')).toMatchObject({ picks: 3, metrics: { tp: 2, fp: 0, fn: 0 } });
    expect(total(rows, 'after')).toMatchObject({ picks: 1, metrics: { tp: 1, fn: 1 } });
    expect(verdict(rows)).toBe('worse');
    expect(verdict([row([truth[0]], truth)])).toBe('better');
    expect(verdict([row(truth, truth)])).toBe('same');
    expect(verdict([row(truth, [], false)])).toBe('unknown');
  });
});

describe('the cutoff the score histogram sets for all micrographs', () => {
  it('is theirs when they agree, and the most common, marked mixed, when one micrograph was set apart', () => {
    expect(sharedCutoff([0.5, 0.5], 0.9)).toEqual({ value: 0.5 });
    expect(sharedCutoff([], 0.9)).toEqual({ value: 0.9 });
    // The current micrograph's own 0.2 is not what the box shows while 21 others are at 0.5.
    expect(sharedCutoff([0.2, ...Array<number>(21).fill(0.5)], 0.9)).toEqual({ value: 0.5, mixed: { at: 21, of: 22 } });
  });
});
