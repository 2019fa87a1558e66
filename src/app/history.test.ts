import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PICK_PARAMS } from '../core/params';
import { changedBefore, limitCheckedPicks, MERGE_WINDOW_MS, pushStep, sameEdits, type HistoryStep } from './history';
import { addManual, EMPTY_EDITS } from './picks-merge';
import { useWorkbench } from './store';

const s = () => useWorkbench.getState();

describe('one undo history for edits, parameters, truth, flags and the session diameter', () => {
  beforeEach(() => s().reset());

  it('records only fields that really change; a change that changes nothing is no step', () => {
    const fields = { params: { ...DEFAULT_PICK_PARAMS }, edits: EMPTY_EDITS };
    expect(changedBefore(fields, { params: { ...DEFAULT_PICK_PARAMS } })).toBeUndefined();
    expect(changedBefore(fields, { edits: { manual: [], rejected: [], accepted: [] } })).toBeUndefined();
    expect(changedBefore(fields, { params: { ...DEFAULT_PICK_PARAMS, sigma: 5 } })).toEqual({ params: fields.params });
    expect(sameEdits(addManual(EMPTY_EDITS, 1, 2, 'm1'), addManual(EMPTY_EDITS, 1, 2, 'm1'))).toBe(true);
    s().addMicrograph('k1', 'a.mrc');
    s().commitEdits('k1', { manual: [], rejected: [], accepted: [] });
    s().setParams('k1', { sigma: DEFAULT_PICK_PARAMS.sigma });
    expect(s().past).toHaveLength(0);
  });

  it('a run of edits of one parameter is one step; another parameter or a pause starts a new one', () => {
    const step = (mergeKey: string, at: number, sigma: number): HistoryStep<unknown> => ({
      label: 'p',
      before: { k: { params: { ...DEFAULT_PICK_PARAMS, sigma } } },
      mergeKey,
      at,
    });
    let past = pushStep([], step('a', 0, 1));
    past = pushStep(past, step('a', 300, 2));
    past = pushStep(past, step('a', 600, 3));
    expect(past).toHaveLength(1);
    expect(past[0].before.k.params!.sigma).toBe(1); // the value before the drag
    past = pushStep(past, step('b', 700, 4));
    past = pushStep(past, step('b', 700 + MERGE_WINDOW_MS + 1, 5));
    expect(past).toHaveLength(3);
  });

  it('undoes a parameter change and a pick edit in the order they were made, and redoes them', () => {
    s().addMicrograph('k1', 'a.mrc');
    s().addMicrograph('k2', 'b.mrc');
    s().setParams('k1', { threshold: 7 });
    const e = addManual(EMPTY_EDITS, 5, 5, 'm1');
    s().commitEdits('k2', e);
    expect(s().undo()).toEqual(['k2']);
    expect(s().micrographs[1].edits).toBe(EMPTY_EDITS);
    expect(s().undo()).toEqual(['k1']);
    expect(s().micrographs[0].params.threshold).toBe(DEFAULT_PICK_PARAMS.threshold);
    expect(s().currentKey).toBe('k1');
    expect(s().redo()).toEqual(['k1']);
    expect(s().micrographs[0].params.threshold).toBe(7);
    expect(s().redo()).toEqual(['k2']);
    expect(s().micrographs[1].edits).toBe(e);
  });

  it('a change of many micrographs and the session diameter is one step', () => {
    s().addMicrograph('k1', 'a.mrc');
    s().addMicrograph('k2', 'b.mrc');
    const p = (d: number) => ({ ...DEFAULT_PICK_PARAMS, diameter: d });
    s().change(
      'particle diameter',
      { k1: { params: p(102) }, k2: { params: p(102) } },
      { session: { diameter: { value: 102, unit: 'px' } } },
    );
    s().change('truth', { k1: { truth: [{ x: 1, y: 1 }], truthName: 't.star' } });
    s().change('flags', { k2: { reviewed: true, excluded: true } });
    expect(s().past).toHaveLength(3);
    s().undo();
    expect(s().micrographs[1]).toMatchObject({ reviewed: undefined, excluded: undefined });
    s().undo();
    expect(s().micrographs[0].truth).toBeUndefined();
    expect(s().undo().sort()).toEqual(['k1', 'k2']);
    expect(s().micrographs.map((m) => m.params.diameter)).toEqual([DEFAULT_PICK_PARAMS.diameter, DEFAULT_PICK_PARAMS.diameter]);
    expect(s().diameter).toEqual({ value: DEFAULT_PICK_PARAMS.diameter, unit: 'px' });
    s().redo();
    expect(s().diameter).toEqual({ value: 102, unit: 'px' });
    expect(s().micrographs.map((m) => m.params.diameter)).toEqual([102, 102]);
  });

  it('a read-only tab changes nothing and says why', () => {
    s().addMicrograph('k1', 'a.mrc');
    s().set({ readOnly: 'open in another tab' });
    expect(s().change('edit', { k1: { reviewed: true } })).toBe(false);
    expect(s().micrographs[0].reviewed).toBeUndefined();
    expect(s().notices.at(-1)?.text).toMatch(/open in another tab/);
    s().set({ readOnly: undefined });
  });

  it('keeps checked picks only in the newest steps, up to a limit of picks in all', () => {
    const picks = (n: number) => Array.from({ length: n }, (_, i) => ({ x: i, y: 0, peakHeight: 1, kept: true }));
    const step = (label: string, n: number): HistoryStep<undefined> => ({
      label,
      before: { k: { params: DEFAULT_PICK_PARAMS, auto: picks(n), pickedWith: DEFAULT_PICK_PARAMS } },
      at: 0,
    });
    const limited = limitCheckedPicks([step('oldest', 30), step('older', 30), step('newest', 30)], 70);
    expect(limited.map((st) => st.before.k.auto?.length)).toEqual([undefined, 30, 30]);
    // The step gives up all its picks' fields together (an undo then picks it again), and keeps the rest.
    expect(limited[0].before.k).toEqual({ params: DEFAULT_PICK_PARAMS });
  });

  it('steps of a removed micrograph leave the history: the next Ctrl+Z undoes something still there', () => {
    s().addMicrograph('k1', 'a.mrc');
    s().addMicrograph('k2', 'b.mrc');
    s().commitEdits('k2', addManual(EMPTY_EDITS, 1, 1, 'm0'));
    s().commitEdits('k1', addManual(EMPTY_EDITS, 5, 5, 'm1'));
    s().change('apply to all', { k1: { reviewed: true }, k2: { reviewed: true } });
    s().removeMicrograph('k1');
    expect(s().micrographs.map((m) => m.key)).toEqual(['k2']);
    expect(s().currentKey).toBe('k2');
    expect(s().past.map((step) => step.label)).toEqual(['edit picks', 'apply to all']);
    expect(s().undo()).toEqual(['k2']);
    expect(s().micrographs[0].reviewed).toBeUndefined();
    expect(s().undo()).toEqual(['k2']);
    expect(s().micrographs[0].edits).toBe(EMPTY_EDITS);
  });
});
