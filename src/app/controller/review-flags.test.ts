import { beforeEach, describe, expect, it } from 'vitest';
import { listed } from '../list-order';
import { applySnapshot, toSnapshot, useWorkbench } from '../store';
import { nextUnreviewed, sortList, toggleFlag } from './review-flags';

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

describe('the order of the list (sortList), which n, p and u follow', () => {
  beforeEach(() => s().reset());
  const info = { width: 100, height: 100, frames: 1, displayScale: 1 };
  const picked = (key: string, n: number) =>
    s().updateMic(key, {
      info,
      status: 'picked',
      pickedWith: s().micrographs.find((m) => m.key === key)!.params,
      auto: Array.from({ length: n }, (_, i) => ({ x: 10 + 20 * i, y: 10, score: 0.9, peakHeight: 1, kept: true })),
    });
  const order = () => {
    const keys: string[] = [];
    s().setCurrent(listed(s().micrographs, s().listOrder, s().listKeys)[0].key);
    for (let i = 0; i < s().micrographs.length; i++, s().step(1)) keys.push(s().currentKey!);
    return keys;
  };

  it('sorts by the picks shown when chosen, unpicked and failed last; added later at the end; the sort stays as picks change', () => {
    for (const k of ['mic10', 'mic9', 'mic2', 'bad', 'new']) s().addMicrograph(k, `${k}.mrc`);
    picked('mic10', 3);
    picked('mic9', 1);
    picked('mic2', 2);
    s().updateMic('bad', { status: 'error', error: 'bad.mrc: the file is empty (0 bytes)' });
    sortList('most');
    expect(order()).toEqual(['mic10', 'mic2', 'mic9', 'bad', 'new']);
    sortList('fewest');
    expect(order()).toEqual(['mic9', 'mic2', 'mic10', 'bad', 'new']);
    // A rejection (or a re-pick) does not move the micrograph on screen; sorting again does.
    picked('mic9', 5);
    s().addMicrograph('later', 'later.mrc');
    expect(order()).toEqual(['mic9', 'mic2', 'mic10', 'bad', 'new', 'later']);
    sortList('fewest');
    expect(order().slice(0, 3)).toEqual(['mic2', 'mic10', 'mic9']);
    // By name, numbers as numbers, those added later in their place; u goes along the same order.
    sortList('name');
    expect(order()).toEqual(['bad', 'later', 'mic2', 'mic9', 'mic10', 'new']);
    s().addMicrograph('mic3', 'mic3.mrc');
    expect(order()).toEqual(['bad', 'later', 'mic2', 'mic3', 'mic9', 'mic10', 'new']);
    s().removeMicrograph('mic3');
    s().setCurrent('mic2');
    s().updateMic('mic9', { reviewed: true });
    nextUnreviewed();
    expect(s().currentKey).toBe('mic10');
    // Kept with the session; back to the order added.
    expect(JSON.parse(JSON.stringify(toSnapshot(s())))).toMatchObject({ listOrder: 'name' });
    sortList('added');
    expect(s().listKeys).toBeUndefined();
    expect(order()).toEqual(['mic10', 'mic9', 'mic2', 'bad', 'new', 'later']);
  });
});

describe('the list sorted, as saved and as micrographs go', () => {
  beforeEach(() => s().reset());
  const info = { width: 100, height: 100, frames: 1, displayScale: 1 };

  it('removing the micrograph on screen goes to the next one in the list as shown; a sort by picks saved without its keys is the order added', () => {
    for (const [k, n] of [
      ['a', 4],
      ['b', 1],
      ['c', 3],
      ['d', 2],
    ] as const) {
      s().addMicrograph(k, `${k}.mrc`);
      s().updateMic(k, {
        info,
        status: 'picked',
        pickedWith: s().micrographs.find((m) => m.key === k)!.params,
        auto: Array.from({ length: n }, (_, i) => ({ x: 10 + 20 * i, y: 10, score: 0.9, peakHeight: 1, kept: true })),
      });
    }
    sortList('fewest'); // b d c a
    s().setCurrent('b');
    s().removeMicrograph('b');
    expect([s().currentKey, s().listKeys]).toEqual(['d', ['d', 'c', 'a']]);
    const snap = JSON.parse(JSON.stringify(toSnapshot(s())));
    applySnapshot({ ...snap, listKeys: undefined });
    expect([s().listOrder, s().listKeys]).toEqual(['added', undefined]);
    applySnapshot({ ...snap, listOrder: 'sideways' });
    expect(s().listOrder).toBe('added');
    applySnapshot(snap);
    expect([s().listOrder, s().listKeys]).toEqual(['fewest', ['d', 'c', 'a']]);
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
