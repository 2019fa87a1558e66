import { beforeEach, describe, expect, it } from 'vitest';
import type { ReviewSample } from './review';
import { clickSample, isPendingModel, reviewingSamples, useTraining } from './training-store';

const s = (x: number, label: 0 | 1): ReviewSample => ({ x, y: 100, label, reason: 'strict-candidate', removed: false });
const samples = () => useTraining.getState().review!.samples.k1;

beforeEach(() => {
  useTraining.setState({
    review: { kind: 'classifier', samples: { k1: [s(100, 1), s(200, 0)], k2: [] }, failures: [] },
    showSamples: true,
    clickAction: 'flip',
    busy: undefined,
  });
});

const reviewing = (key: string) => reviewingSamples(useTraining.getState(), key);

describe('clicks on samples under review', () => {
  it('flip with a plain click, remove with the other action, and ignore a miss', () => {
    expect(reviewing('k1')).toBe(true);
    clickSample('k1', 105, 100, 40, false);
    expect(samples()[0].label).toBe(0);
    clickSample('k1', 200, 110, 40, true);
    expect(samples()[1].removed).toBe(true);
    // A miss edits no sample (and, in review mode, the viewer adds or toggles no pick).
    const before = samples();
    clickSample('k1', 400, 400, 40, false);
    expect(samples()).toBe(before);
    useTraining.getState().set({ clickAction: 'remove' });
    clickSample('k1', 100, 100, 40, false);
    expect(samples()[0].removed).toBe(true);
  });

  it('leave review mode where no samples are shown, or while a run is busy', () => {
    expect(reviewing('k2')).toBe(false);
    expect(reviewing('other')).toBe(false);
    useTraining.getState().set({ showSamples: false });
    expect(reviewing('k1')).toBe(false);
    clickSample('k1', 100, 100, 40, false);
    useTraining.getState().set({ showSamples: true, busy: { kind: 'classifier', phase: 'training', fraction: 0, message: '' } });
    expect(reviewing('k1')).toBe(false);
    clickSample('k1', 100, 100, 40, false);
    expect(samples()[0]).toMatchObject({ label: 1, removed: false });
  });

  it('remove detector samples (they have no label to flip)', () => {
    useTraining.getState().set({ review: { kind: 'detector', samples: { k1: [s(100, 1)] }, failures: [] } });
    clickSample('k1', 100, 100, 40, true);
    expect(samples()[0]).toMatchObject({ label: 1, removed: true });
  });
});

describe('a pending model read back after a reload', () => {
  const row = { key: 'k1', name: 'a.mrc', before: { picks: 10 }, after: { picks: 12 } };
  it('is taken when it has the shape the page wrote', () => {
    expect(isPendingModel({ kind: 'fcrn', id: 'fcrn-1', name: 'detector from 1 mic', rows: [row] })).toBe(true);
    expect(isPendingModel({ kind: 'classifier', id: 'c', name: 'n', rows: [] })).toBe(true);
  });
  it('is refused when anything is missing or of another kind', () => {
    expect(isPendingModel(undefined)).toBe(false);
    expect(isPendingModel({ id: 'x' })).toBe(false);
    expect(isPendingModel({ kind: 'other', id: 'x', name: 'n', rows: [] })).toBe(false);
    expect(isPendingModel({ kind: 'fcrn', id: 'x', name: 'n', rows: [{ key: 'k1', name: 'a' }] })).toBe(false);
  });
});
