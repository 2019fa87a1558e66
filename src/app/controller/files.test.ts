// Coordinate files dropped on the workbench and the reviewed mark: loaded picks that take the
// place of checked ones take the mark off (one undo step gives both back), the same picks
// dropped again do not; an unanswered question about dropped files is kept and asked again.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { writeRelionCoordinates } from '../../core/coords/relion';
import { useWorkbench } from '../store';

vi.mock('../engine-bridge', () => ({
  engine: { isRegistered: () => true, register() {}, unregister() {}, cancel() {}, workers: 1 },
}));
vi.mock('./picking', () => ({ forgetPicking() {}, ensurePicked() {}, repickStale() {}, expectArrival() {}, pickArrived() {} }));
vi.mock('./viewing', () => ({
  forgetViews() {},
  queueThumbnail() {},
  showCurrent: async () => {},
  arrivalDiameter() {},
  applyDescribed() {},
  storeHeatmap() {},
}));
const { addFiles, answerCoordinatePrompt, askUndecidedCoordinates } = await import('./files');
const { setSessionDiameter } = await import('./session-diameter');

const s = () => useWorkbench.getState();
const m = (key: string) => s().micrographs.find((x) => x.key === key)!;
const info = { width: 1000, height: 1000, frames: 1, displayScale: 1, pixelSize: 1 };
const auto = [{ x: 100, y: 100, score: 0.9, peakHeight: 1, kept: true }];
const file = (name: string, pts: { x: number; y: number }[]) => ({ name, blob: new Blob([writeRelionCoordinates(pts)]) });
const lastNotice = () => s().notices.at(-1)?.text ?? '';

function picked(key: string): void {
  s().addMicrograph(key, `${key}.mrc`);
  s().updateMic(key, { info, status: 'picked', pickedWith: m(key).params, auto });
}

describe('micrographs dropped', () => {
  beforeEach(() => s().reset());

  it('of the same name but for the extension or the case as one loaded are skipped, and said: their coordinate files could not be told apart', async () => {
    const mrc = (name: string) => ({ name, blob: new Blob([new Uint8Array(1024)]) });
    await addFiles([mrc('mic_01.png'), mrc('mic_01.mrc'), mrc('mic_02.tif'), mrc('MIC_02.mrc'), mrc('mic_03.mrc')]);
    expect(s().micrographs.map((x) => x.name)).toEqual(['mic_01.mrc', 'MIC_02.mrc', 'mic_03.mrc']);
    expect(s().notices.at(-1)).toMatchObject({ tone: 'error' });
    expect(lastNotice()).toMatch(
      /^Skipped mic_01\.png \(beside mic_01\.mrc\); mic_02\.tif \(beside MIC_02\.mrc\): the same name but for the extension/,
    );
    // The same file again is the one loaded, as before.
    await addFiles([mrc('mic_03.mrc')]);
    expect(lastNotice()).toBe('mic_03.mrc is already loaded; skipped.');
  });
});

describe('loaded picks and the reviewed mark', () => {
  beforeEach(() => s().reset());

  it('take it off where they replace the checked picks, on every micrograph of the file, and one Ctrl+Z gives it back', async () => {
    picked('a');
    picked('b');
    s().updateMic('a', { reviewed: true });
    const table = 'data_particles\nloop_\n_rlnMicrographName\n_rlnCoordinateX\n_rlnCoordinateY\na.mrc 300 300\nb.mrc 400 400\n';
    await addFiles([{ name: 'particles.star', blob: new Blob([table]) }], { coordinatesAs: 'picks' });
    expect(m('a').reviewed).toBe(false);
    expect(m('a').edits.manual.map((p) => [p.x, p.y])).toEqual([[300, 300]]);
    expect(lastNotice()).toBe(
      'a.mrc was marked reviewed: the loaded picks replace the ones checked there, so it is no longer marked reviewed; check and mark it again, or Ctrl+Z.',
    );
    s().undo();
    expect(m('a').reviewed).toBe(true);
    expect(m('a').edits.manual).toHaveLength(0);
    expect(m('b').edits.manual).toHaveLength(0);
  });

  it("go to a table row's micrograph only by its own name, not by a prefix as a file's name goes (stack_0001_2 is not stack_0001's)", async () => {
    picked('stack_0001');
    const table =
      'data_particles\nloop_\n_rlnMicrographName\n_rlnCoordinateX\n_rlnCoordinateY\nMovies/stack_0001.mrc 300 300\nMovies/stack_0001_2.mrc 400 400\n';
    await addFiles([{ name: 'particles.star', blob: new Blob([table]) }], { coordinatesAs: 'picks' });
    expect(m('stack_0001').edits.manual.map((p) => [p.x, p.y])).toEqual([[300, 300]]);
    expect(s().waitingCoordinates.map((w) => w.micrograph)).toEqual(['Movies/stack_0001_2.mrc']);
    // A file named after the micrograph still goes to it by prefix.
    await addFiles([file('stack_0001_topaz-run3.star', [{ x: 500, y: 500 }])], { coordinatesAs: 'picks' });
    expect(m('stack_0001').edits.manual.map((p) => [p.x, p.y])).toEqual([
      [300, 300],
      [500, 500],
    ]);
  });

  it('go to the micrograph a file is named after when its name holds a folder or ends in a space (not taken for a table row)', async () => {
    picked('mic_01');
    await addFiles([file('truth/mic_01_truth.star', [{ x: 500, y: 500 }])], { coordinatesAs: 'picks' });
    await addFiles([file('mic_01_topaz-run3.star ', [{ x: 600, y: 600 }])], { coordinatesAs: 'picks' });
    expect(s().waitingCoordinates).toEqual([]);
    expect(m('mic_01').edits.manual.map((p) => [p.x, p.y])).toEqual([
      [500, 500],
      [600, 600],
    ]);
  });

  it('keep it when the same picks are dropped again (nothing replaced)', async () => {
    picked('a');
    const pts = [
      { x: 300, y: 300 },
      { x: 500, y: 500 },
    ];
    await addFiles([file('a_picks.star', pts)], { coordinatesAs: 'picks' });
    s().updateMic('a', { reviewed: true });
    await addFiles([file('a_picks.star', pts)], { coordinatesAs: 'picks' });
    expect(m('a').edits.manual).toHaveLength(2);
    expect(m('a').reviewed).toBe(true);
  });

  it('a new session diameter takes it off where it re-picks the checked picks, not where loaded picks are shown', async () => {
    picked('a');
    picked('b');
    await addFiles([file('b_picks.star', [{ x: 300, y: 300 }])], { coordinatesAs: 'picks' });
    s().updateMic('a', { reviewed: true });
    s().updateMic('b', { reviewed: true });
    setSessionDiameter({ value: 120, unit: 'px' });
    expect(m('a').reviewed).toBe(false);
    expect(m('b').reviewed).toBe(true);
    expect(lastNotice()).toMatch(
      /^1 micrograph you had marked reviewed was picked again at the new diameter and is no longer marked reviewed/,
    );
    s().undo();
    expect(m('a').reviewed).toBe(true);
    expect(m('a').params.diameter).not.toBe(120);
  });
});

describe('a question about dropped coordinates', () => {
  beforeEach(() => s().reset());

  it('is kept until answered, one drop after the other, and asked again after a reload', async () => {
    picked('a');
    picked('b');
    const first = addFiles([file('a_picks.star', [{ x: 300, y: 300 }])]);
    const second = addFiles([file('b_picks.star', [{ x: 400, y: 400 }])]);
    await vi.waitFor(() => expect(s().undecidedCoordinates.map((g) => g.file)).toEqual(['a_picks.star', 'b_picks.star']));
    expect(s().coordinatePrompt?.files).toEqual(['a_picks.star']);
    answerCoordinatePrompt('picks');
    await first;
    expect(m('a').edits.manual).toHaveLength(1);
    await vi.waitFor(() => expect(s().coordinatePrompt?.files).toEqual(['b_picks.star']));
    expect(s().undecidedCoordinates.map((g) => g.file)).toEqual(['b_picks.star']);

    // The page reloads with the question open: the restored session holds the file, and asks again.
    const saved = structuredClone(s().undecidedCoordinates);
    answerCoordinatePrompt(undefined);
    await second;
    s().set({ undecidedCoordinates: saved, coordinatePrompt: undefined });
    const asked = askUndecidedCoordinates();
    await vi.waitFor(() => expect(s().coordinatePrompt?.files).toEqual(['b_picks.star']));
    answerCoordinatePrompt('truth');
    await asked;
    expect(s().undecidedCoordinates).toEqual([]);
    expect(m('b').truth?.map((p) => [p.x, p.y])).toEqual([[400, 400]]);
  });
});
