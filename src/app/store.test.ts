import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PICK_PARAMS } from '../core/params';
import { addManual, EMPTY_EDITS } from './picks-merge';
import {
  applySnapshot,
  currentMic,
  knownPixelSize,
  pixelSizeOf,
  toSnapshot,
  unreviewedMicrographs,
  useWorkbench,
  workMicrographs,
} from './store';

const s = () => useWorkbench.getState();
const info = (pixelSize?: number) => ({ width: 100, height: 100, frames: 1, displayScale: 1, ...(pixelSize ? { pixelSize } : {}) });

describe('workbench store', () => {
  beforeEach(() => s().reset());

  it('adds micrographs, selects the first, steps within bounds', () => {
    s().addMicrograph('k1', 'a.mrc');
    s().addMicrograph('k2', 'b.mrc');
    s().addMicrograph('k1', 'a.mrc'); // duplicate key ignored
    expect(s().micrographs.map((m) => m.name)).toEqual(['a.mrc', 'b.mrc']);
    expect(currentMic(s())?.key).toBe('k1');
    s().step(1);
    s().step(1);
    expect(s().currentKey).toBe('k2');
    s().step(-5);
    expect(s().currentKey).toBe('k1');
  });

  it('a parameter changed on a reviewed micrograph takes its mark off in the same undo step; not where loaded picks stand in', () => {
    s().addMicrograph('k1', 'a.mrc');
    s().updateMic('k1', { info: info(), status: 'picked', pickedWith: s().micrographs[0].params, reviewed: true });
    s().setParams('k1', { threshold: 12 });
    s().setParams('k1', { threshold: 13 });
    expect(s().micrographs[0]).toMatchObject({ reviewed: false, params: { threshold: 13 } });
    s().undo();
    expect(s().micrographs[0]).toMatchObject({ reviewed: true, params: { threshold: 4 } });
    s().updateMic('k1', { edits: { ...s().micrographs[0].edits, autoSetAside: 'a_manualpick.star' } });
    s().setParams('k1', { threshold: 12 });
    expect(s().micrographs[0].reviewed).toBe(true);
    // Marked before it was first picked (picks added by hand on a PNG waiting for a pixel size): its first picks are nobody's checked ones.
    s().addMicrograph('k2', 'b.png');
    s().updateMic('k2', { info: info(), reviewed: true });
    s().setParams('k2', { threshold: 14 });
    expect(s().micrographs[1].reviewed).toBe(false);
  });

  it("the user's first own micrograph comes on screen over the demo data; their later ones do not", () => {
    s().addMicrograph('d1', 'betagal_0001.mrc', true);
    s().addMicrograph('d2', 'betagal_0002.mrc', true);
    expect(s().currentKey).toBe('d1');
    s().addMicrograph('k1', 'May08_03.05.02.png');
    expect(s().currentKey).toBe('k1');
    s().setCurrent('d2');
    s().addMicrograph('k2', 'May08_03.05.03.png');
    s().addMicrograph('d3', 'betagal_0003.mrc', true);
    expect(s().currentKey).toBe('d2');
  });

  it("the user's work: their own micrographs as soon as there are any, else the demo data", () => {
    s().addMicrograph('d1', 'betagal_0001.mrc', true);
    s().addMicrograph('d2', 'betagal_0002.mrc', true);
    expect(workMicrographs(s().micrographs).map((m) => m.key)).toEqual(['d1', 'd2']);
    s().addMicrograph('k1', 'own.mrc');
    expect(workMicrographs(s().micrographs).map((m) => m.key)).toEqual(['k1']);
  });

  it('settings for all go to the micrographs not reviewed that opened: not to reviewed ones, not to files that failed', () => {
    s().addMicrograph('d1', 'betagal_0001.mrc', true);
    for (const k of ['k1', 'k2', 'k3']) s().addMicrograph(k, `${k}.mrc`);
    s().updateMic('k2', { reviewed: true });
    s().updateMic('k3', { status: 'error', error: 'k3.mrc: the file is empty (0 bytes)' });
    expect(unreviewedMicrographs(s().micrographs).map((m) => m.key)).toEqual(['k1']);
  });

  it("converts the session diameter with a pixel size of the user's own micrographs, never a demo's", () => {
    const pixelSizeIn = (key: string) =>
      pixelSizeOf(
        s().micrographs.find((m) => m.key === key),
        s(),
      );
    s().addMicrograph('d1', 'betagal_0001.mrc', true);
    s().updateMic('d1', { info: info(2.6) });
    // The session diameter is for the user's data: with only demos, no pixel size is known.
    expect(knownPixelSize(s())).toBeUndefined();
    s().addMicrograph('k1', 'May08_03.05.02.png');
    s().updateMic('k1', { info: info() });
    expect(knownPixelSize(s())).toBeUndefined();
    s().setCurrent('d1');
    expect(knownPixelSize(s())).toBeUndefined();
    // A pixel size entered for files without one: the PNG takes it, the demo keeps its own.
    s().set({ fallbackPixelSize: 0.83 });
    expect(knownPixelSize(s())).toBe(0.83);
    expect(pixelSizeIn('k1')).toBe(0.83);
    expect(pixelSizeIn('d1')).toBe(2.6);
    s().addMicrograph('k2', 'own.mrc');
    s().updateMic('k2', { info: info(1.3) });
    expect(pixelSizeIn('k2')).toBe(1.3);
    s().setCurrent('k2');
    expect(knownPixelSize(s())).toBe(1.3);
    // Two at 1.3 Å/px (one written 1.301) against the PNG's 0.83: the most common, whichever is on screen.
    s().addMicrograph('k3', 'own3.mrc');
    s().updateMic('k3', { info: info(1.301) });
    s().setCurrent('k1');
    expect(knownPixelSize(s())).toBe(1.3);
  });

  it('a micrograph picked before calibration shifted the scores is picked again (reviewed ones keep their picks), its old report dropped', () => {
    s().addMicrograph('k1', 'a.mrc');
    const report = { detectorCount: 9, referenceCutoff: 0.9, referenceCount: 2, adjusted: true, shift: 3 };
    s().updateMic('k1', { calibration: report });
    const snap = JSON.parse(JSON.stringify(toSnapshot(s())));
    s().reset();
    applySnapshot(snap);
    expect(currentMic(s())?.calibration).toEqual(report);
    const old = { detectorCount: 9, settingsCount: 2, adjusted: true, scoreThreshold: 0.01 };
    snap.micrographs[0] = { ...snap.micrographs[0], calibration: old, pickedWith: snap.micrographs[0].params };
    s().reset();
    applySnapshot(snap);
    expect(currentMic(s())?.calibration).toBeUndefined();
    expect(currentMic(s())?.pickedWith).toBeUndefined();
    snap.micrographs[0].reviewed = true;
    s().reset();
    applySnapshot(snap);
    expect(currentMic(s())?.calibration).toBeUndefined();
    expect(currentMic(s())?.pickedWith).toEqual(snap.micrographs[0].params);
  });

  it("keeps the user's waiting coordinate files with the session (not the demos'), and drops a saved group that is not whole", () => {
    s().addMicrograph('k1', 'a.mrc');
    const mine = { file: 'b.star', micrograph: 'b.mrc', picks: [{ x: 1, y: 2 }], as: 'truth' as const, quiet: false };
    const demo = { ...mine, file: 'demo.star', quiet: true };
    s().set({ waitingCoordinates: [mine, demo] });
    const snap = JSON.parse(JSON.stringify(toSnapshot(s())));
    expect(snap.waitingCoordinates).toEqual([mine]);
    snap.waitingCoordinates.push({ file: 'c.star', micrograph: 'c.mrc', picks: [{ x: 'NaN' }], as: 'truth', quiet: false }, null);
    s().reset();
    expect(s().waitingCoordinates).toEqual([]);
    applySnapshot(snap);
    expect(s().waitingCoordinates).toEqual([mine]);
  });

  it('restores parameters inside the parameter table: a value outside its range falls back to the default', () => {
    s().addMicrograph('k1', 'a.mrc');
    s().setParams('k1', { sigma: 6, kLevel: 2 });
    const snap = JSON.parse(JSON.stringify(toSnapshot(s())));
    snap.micrographs[0].params.kLevel = 2.5; // once accepted by the number box
    delete snap.micrographs[0].params.stdPercentile; // a parameter added since
    s().reset();
    applySnapshot(snap);
    expect(s().micrographs[0].params).toEqual({ ...DEFAULT_PICK_PARAMS, sigma: 6 });
  });

  it('parameter edits stick to the micrograph and become the default for new ones', () => {
    s().addMicrograph('k1', 'a.mrc');
    s().setParams('k1', { threshold: 7.5 });
    expect(currentMic(s())?.params.threshold).toBe(7.5);
    s().addMicrograph('k2', 'b.mrc');
    expect(s().micrographs[1].params).toEqual({ ...DEFAULT_PICK_PARAMS, threshold: 7.5 });
  });

  it('undoing a parameter edit also takes it back from the default for new micrographs, and redo puts it back', () => {
    s().addMicrograph('k1', 'a.mrc');
    s().setParams('k1', { threshold: 10 });
    s().undo();
    expect(s().micrographs[0].params.threshold).toBe(DEFAULT_PICK_PARAMS.threshold);
    s().addMicrograph('k2', 'b.mrc');
    expect(s().micrographs[1].params).toEqual(DEFAULT_PICK_PARAMS);
    s().redo();
    s().addMicrograph('k3', 'c.mrc');
    expect(s().micrographs[2].params.threshold).toBe(10);
  });

  it('undoing a session diameter takes the micrographs added since along, not those at a size of their own', () => {
    const initial = s().diameter;
    const px = (k: string) => s().micrographs.find((m) => m.key === k)!.params.diameter;
    s().addMicrograph('k1', 'a.png');
    s().updateMic('k1', { info: info() });
    const at64 = { ...s().micrographs[0].params, diameter: 64 };
    s().change(
      'particle diameter',
      { k1: { params: at64 } },
      { session: { diameter: { value: 64, unit: 'px' }, defaultParams: at64 }, sizeStep: true },
    );
    // Added after the step, as files.ts adds them: at the session's diameter, one at a size of its own.
    for (const k of ['k2', 'k3']) {
      s().addMicrograph(k, `${k}.png`);
      s().updateMic(k, { info: info() });
    }
    s().updateMic('k3', { params: { ...at64, diameter: 80 } });
    expect([px('k1'), px('k2'), px('k3')]).toEqual([64, 64, 80]);
    expect(s().undo().sort()).toEqual(['k1', 'k2']);
    expect(s().diameter).toEqual(initial);
    expect([px('k1'), px('k2'), px('k3')]).toEqual([initial.value, initial.value, 80]);
    s().redo();
    expect(s().diameter).toEqual({ value: 64, unit: 'px' });
    expect([px('k1'), px('k2'), px('k3')]).toEqual([64, 64, 80]);
  });

  it('an undo of a size step in Å moves only micrographs added since, beyond rounding, keeping a reviewed one its picks; a unit switch moves none', () => {
    const px = (k: string) => s().micrographs.find((m) => m.key === k)!.params.diameter;
    // There at the step: a at 1.07 Å/px, which the step set; b already at the size, so not in the step.
    s().addMicrograph('a', 'a.mrc');
    s().updateMic('a', { info: info(1.07) });
    s().addMicrograph('b', 'b.mrc');
    s().updateMic('b', { info: info(1.5), params: { ...s().micrographs[1].params, diameter: 100 } });
    const initial = s().diameter;
    const aBefore = px('a');
    s().change(
      'particle diameter',
      { a: { params: { ...s().micrographs[0].params, diameter: 140.2 } } },
      { session: { diameter: { value: 150, unit: 'A' } }, sizeStep: true },
    );
    // Added since: c took 100 px (1.5 Å/px) on arrival and was reviewed; d is at a size of its own.
    for (const [k, d] of [
      ['c', 100],
      ['d', 90],
    ] as const) {
      s().addMicrograph(k, `${k}.mrc`);
      s().updateMic(k, { info: info(1.5), params: { ...s().micrographs[0].params, diameter: d } });
    }
    const checked = [{ x: 5, y: 5, peakHeight: 1, kept: true }];
    s().updateMic('c', { reviewed: true, auto: checked, pickedWith: s().micrographs[2].params });
    s().undo();
    expect(s().diameter).toEqual(initial);
    expect([px('a'), px('b'), px('c'), px('d')]).toEqual([aBefore, 100, initial.value, 90]);
    s().updateMic('c', { auto: [], pickedWith: s().micrographs[2].params }); // picked again at the size restored
    s().redo();
    expect([px('a'), px('b'), px('c'), px('d')]).toEqual([140.2, 100, 100, 90]);
    expect(s().micrographs[2].auto).toBe(checked);

    // A unit switch changes how the size is shown, no micrograph: neither does its undo or redo,
    // on a micrograph added after it at the session's size included.
    s().change('diameter unit', {}, { session: { diameter: { value: 140.2, unit: 'px' } } });
    s().addMicrograph('e', 'e.mrc');
    s().updateMic('e', { info: info(1.07), params: { ...s().micrographs[0].params, diameter: 140.2 } });
    const sizes = ['a', 'b', 'c', 'd', 'e'].map(px);
    s().undo();
    expect(['a', 'b', 'c', 'd', 'e'].map(px)).toEqual(sizes);
    s().redo();
    expect(['a', 'b', 'c', 'd', 'e'].map(px)).toEqual(sizes);
  });

  it('undo and redo edits across micrographs, and a new edit clears redo', () => {
    s().addMicrograph('k1', 'a.mrc');
    s().addMicrograph('k2', 'b.mrc');
    const e1 = addManual(EMPTY_EDITS, 1, 1, 'm1');
    const e2 = addManual(e1, 2, 2, 'm2');
    s().commitEdits('k1', e1);
    s().commitEdits('k1', e2);
    s().commitEdits('k2', addManual(EMPTY_EDITS, 3, 3, 'm3'));
    s().undo();
    expect(s().micrographs[1].edits).toBe(EMPTY_EDITS);
    s().undo();
    expect(s().micrographs[0].edits).toBe(e1);
    expect(s().currentKey).toBe('k1');
    s().redo();
    expect(s().micrographs[0].edits).toBe(e2);
    s().commitEdits('k1', EMPTY_EDITS);
    expect(s().future).toHaveLength(0);
    s().redo(); // nothing to redo
    expect(s().micrographs[0].edits).toBe(EMPTY_EDITS);
  });

  it('snapshot round trip keeps picks, edits and parameters but not transient progress', () => {
    s().addMicrograph('k1', 'a.mrc');
    s().updateMic('k1', { status: 'picking', progress: 0.3, auto: [{ x: 5, y: 6, kept: true, peakHeight: 0.5, score: 0.9 }] });
    s().setParams('k1', { sigma: 6 });
    s().commitEdits('k1', addManual(EMPTY_EDITS, 10, 20, 'm1'));
    const snap = JSON.parse(JSON.stringify(toSnapshot(s())));
    s().reset();
    applySnapshot(snap);
    const m = s().micrographs[0];
    expect(m.status).toBe('picked');
    expect(m.progress).toBeUndefined();
    expect(m.params.sigma).toBe(6);
    expect(m.auto).toEqual([{ x: 5, y: 6, kept: true, peakHeight: 0.5, score: 0.9 }]);
    expect(m.edits.manual).toEqual([{ id: 'm1', x: 10, y: 20 }]);
    expect(s().currentKey).toBe('k1');
  });

  it('restores parameters inside the parameter table: a value outside its range falls back to the default', () => {
    s().addMicrograph('k1', 'a.mrc');
    s().setParams('k1', { sigma: 6, kLevel: 2 });
    const snap = JSON.parse(JSON.stringify(toSnapshot(s())));
    snap.micrographs[0].params.kLevel = 2.5; // once accepted by the number box
    delete snap.micrographs[0].params.stdPercentile; // a parameter added since
    s().reset();
    applySnapshot(snap);
    expect(s().micrographs[0].params).toEqual({ ...DEFAULT_PICK_PARAMS, sigma: 6 });
  });

  it('snapshot keeps the parameters picks were made with and the worker choice; images merge and drop', () => {
    s().addMicrograph('k1', 'a.mrc');
    s().updateMic('k1', { status: 'picked', pickedWith: { ...DEFAULT_PICK_PARAMS, threshold: 5 } });
    s().set({ workersChoice: 2, backendChoice: 'wasm' });
    const snap = JSON.parse(JSON.stringify(toSnapshot(s())));
    s().reset();
    expect(s().workersChoice).toBe(2); // a new session keeps the engine settings
    s().set({ workersChoice: undefined });
    applySnapshot(snap);
    expect(s().micrographs[0].pickedWith?.threshold).toBe(5);
    expect(s().workersChoice).toBe(2);
    const grey = { width: 1, height: 1, data: new Uint8ClampedArray(1) };
    s().setImages('k1', { thumbnail: grey });
    s().setImages('k1', { display: grey });
    expect(s().images.k1).toEqual({ thumbnail: grey, display: grey });
    s().setImages('k1', { display: undefined });
    expect(s().images.k1.thumbnail).toBe(grey);
    expect(s().images.k1.display).toBeUndefined();
  });

  it('a session saved before the session-wide diameter gets the last diameter used', () => {
    s().addMicrograph('k1', 'a.mrc');
    s().setParams('k1', { diameter: 102 });
    const snap = JSON.parse(JSON.stringify(toSnapshot(s())));
    delete snap.diameter;
    s().reset();
    applySnapshot(snap);
    expect(s().diameter).toEqual({ value: 102, unit: 'px' });
  });
});
