import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ScoredPick } from '../../workers/engine-api';
import { sameEdits } from './history';
import * as M from './picks-merge';

const D = 100; // diameter; match radius 50
const auto = (xs: Array<[number, number]>, kept = true): ScoredPick[] => xs.map(([x, y], i) => ({ x, y, score: i, kept, peakHeight: 0.5 }));

describe('mergePicks', () => {
  it('shows kept auto picks and hides candidates the classifier dropped', () => {
    const picks = M.mergePicks([...auto([[10, 10]]), { x: 500, y: 500, kept: false, peakHeight: 0.5 }], M.EMPTY_EDITS, D);
    expect(picks.map((p) => [p.x, p.state])).toEqual([[10, 'auto']]);
  });

  it('keeps a rejection on an auto pick that moved slightly after a repick', () => {
    const before = M.mergePicks(
      auto([
        [100, 100],
        [400, 400],
      ]),
      M.EMPTY_EDITS,
      D,
    );
    const edits = M.rejectPick(M.EMPTY_EDITS, before[0], D);
    const after = M.mergePicks(
      auto([
        [410, 395],
        [112, 95],
      ]),
      edits,
      D,
    );
    expect(after.find((p) => p.x === 112)!.state).toBe('rejected');
    expect(after.find((p) => p.x === 410)!.state).toBe('auto');
  });

  it('does not carry a rejection to a pick farther than the match radius', () => {
    const edits = M.rejectPick(M.EMPTY_EDITS, { id: 'a0', x: 100, y: 100, state: 'auto' }, D);
    const after = M.mergePicks(auto([[160, 100]]), edits, D);
    expect(after[0].state).toBe('auto');
  });

  it('a decision stays with its particle when a re-pick moves the pick by less than a radius (0.3 diameters)', () => {
    const before = M.mergePicks(
      auto([
        [100, 100],
        [400, 400],
      ]),
      M.EMPTY_EDITS,
      D,
    );
    let edits = M.acceptPick(M.EMPTY_EDITS, before[0], D);
    edits = M.rejectPick(edits, before[1], D);
    const moved = auto([
      [130, 100],
      [400, 430],
    ]);
    // Neither shown twice nor back to plain auto: the accepted one stays a training positive.
    expect(M.mergePicks(moved, edits, D).map((p) => [p.x, p.y, p.state])).toEqual([
      [130, 100, 'accepted'],
      [400, 430, 'rejected'],
    ]);
    // Accepting the moved rejected pick wins for good, wherever the next re-pick puts it.
    edits = M.acceptPick(edits, M.mergePicks(moved, edits, D)[1], D);
    expect(M.mergePicks(auto([[400, 400]]), edits, D).find((p) => p.x === 400)!.state).toBe('accepted');
  });

  it('one mark decides one pick: with min distance under a radius, its neighbour stays auto', () => {
    const edits = M.rejectPick(M.EMPTY_EDITS, { id: 'a0', x: 100, y: 100, state: 'auto' }, D);
    const after = M.mergePicks(
      auto([
        [130, 100],
        [110, 100],
      ]),
      edits,
      D,
    );
    expect(after.map((p) => [p.x, p.state])).toEqual([
      [130, 'auto'],
      [110, 'rejected'],
    ]);
  });

  it('manual picks survive any repick and hide an auto duplicate', () => {
    let edits = M.addManual(M.EMPTY_EDITS, 250, 250, 'm1');
    const after = M.mergePicks(
      auto([
        [255, 248],
        [600, 600],
      ]),
      edits,
      D,
    );
    expect(after.map((p) => p.state).sort()).toEqual(['auto', 'manual']);
    edits = M.addManual(edits, 900, 900, 'm2');
    expect(M.mergePicks([], edits, D).map((p) => p.id)).toEqual(['m1', 'm2']);
  });

  it('picks loaded from a file replace the automatic ones until they are brought back', () => {
    const picks = auto([
      [100, 100],
      [300, 300],
    ]);
    const rejected = M.rejectPick(M.EMPTY_EDITS, M.mergePicks(picks, M.EMPTY_EDITS, D)[0], D);
    const loaded = M.replaceAuto(rejected, [{ id: 'm1', x: 500, y: 500, score: 0.7 }], 'mic_manualpick.star', D);
    expect(M.mergePicks(picks, loaded, D)).toEqual([
      { id: 'm1', x: 500, y: 500, score: 0.7, pParticle: undefined, state: 'manual', imported: true },
    ]);
    expect(sameEdits(loaded, { ...loaded, autoSetAside: undefined })).toBe(false);
    const back = M.bringAutoBack(loaded);
    expect(M.mergePicks(picks, back, D).map((p) => p.state)).toEqual(['rejected', 'auto', 'manual']);
  });

  it('the same picks file loaded twice adds its picks once', () => {
    const file = [
      { id: 'm1', x: 500, y: 500 },
      { id: 'm2', x: 800, y: 500 },
    ];
    const once = M.replaceAuto(M.EMPTY_EDITS, file, 'mic.star', D);
    const moved = M.movePick(once, M.mergePicks([], once, D)[0], 520, 510, 'x', D);
    const twice = M.replaceAuto(
      moved,
      file.map((p, i) => ({ ...p, id: `n${i}` })),
      'mic.star',
      D,
    );
    // The user's move is kept; nothing doubles.
    expect(M.mergePicks([], twice, D).map((p) => [p.x, p.y])).toEqual([
      [520, 510],
      [800, 500],
    ]);
  });

  it("picks loaded from another picker's file: deleting one rejects its place (a negative); moving one makes it the user's", () => {
    const loaded = M.replaceAuto(
      M.EMPTY_EDITS,
      [
        { id: 'm1', x: 140, y: 140, score: 0.3 },
        { id: 'm2', x: 600, y: 600, score: 0.9 },
      ],
      'mic.cbox',
      D,
    );
    let shown = M.mergePicks([], loaded, D);
    expect(shown.map((p) => [p.id, p.imported])).toEqual([
      ['m1', true],
      ['m2', true],
    ]);
    const deleted = M.rejectPick(loaded, shown[0], D);
    expect(deleted.manual.map((m) => m.id)).toEqual(['m2']);
    expect(deleted.rejected).toEqual([{ x: 140, y: 140 }]);
    const moved = M.movePick(deleted, M.mergePicks([], deleted, D)[0], 610, 600, 'x', D);
    shown = M.mergePicks([], moved, D);
    expect(shown.map((p) => [p.x, p.imported, p.score])).toEqual([[610, undefined, 0.9]]);
    // A pick the user added and then deletes leaves no negative behind.
    const own = M.addManual(M.EMPTY_EDITS, 50, 50, 'h');
    expect(M.rejectPick(own, M.mergePicks([], own, D)[0], D)).toEqual({ ...own, manual: [] });
  });

  it('toggle rejects then accepts, and accept wins over an older rejection', () => {
    let picks = M.mergePicks(auto([[50, 50]]), M.EMPTY_EDITS, D);
    let edits = M.togglePick(M.EMPTY_EDITS, picks[0], D);
    picks = M.mergePicks(auto([[50, 50]]), edits, D);
    expect(picks[0].state).toBe('rejected');
    edits = M.togglePick(edits, picks[0], D);
    expect(M.mergePicks(auto([[50, 50]]), edits, D)[0].state).toBe('accepted');
    expect(edits.rejected).toHaveLength(0);
  });

  it('moving an auto pick hides it where it was, without rejecting it, and adds a manual pick that keeps its score', () => {
    const picks = M.mergePicks([{ x: 50, y: 50, score: 0.93, pParticle: 0.93, kept: true, peakHeight: 0.5 }], M.EMPTY_EDITS, D);
    const edits = M.movePick(M.EMPTY_EDITS, picks[0], 300, 310, 'm7', D);
    // After a re-pick that finds the same particle a little off: still hidden, and no negative for retraining.
    const after = M.mergePicks(auto([[52, 49]]), edits, D);
    expect(after.map((p) => [p.id, p.state])).toEqual([['m7', 'manual']]);
    expect(edits.rejected).toEqual([]);
    expect(M.keptPicks(after)).toEqual([{ x: 300, y: 310, score: 0.93 }]);
    expect(after[0].pParticle).toBe(0.93);
    expect(M.countEdits(edits)).toBe(1); // one move is one edit (the remove dialog counted it twice)
    // Moving a rejected pick takes its rejection back: the user says a particle is there.
    const rejected = M.rejectPick(M.EMPTY_EDITS, picks[0], D);
    const shown = M.mergePicks(auto([[50, 50]]), rejected, D)[0];
    expect(M.movePick(rejected, shown, 60, 60, 'm8', D).rejected).toEqual([]);
  });

  it('sessions saved before moves were kept apart (no moved list) merge as before', () => {
    const old = { manual: [], rejected: [{ x: 50, y: 50 }], accepted: [] };
    expect(M.mergePicks(auto([[50, 50]]), old, D)[0].state).toBe('rejected');
  });

  it('rejecting a rejected pick or accepting an accepted one changes nothing (no empty undo step)', () => {
    const picks = M.mergePicks(auto([[50, 50]]), M.EMPTY_EDITS, D);
    const rejected = M.rejectPick(M.EMPTY_EDITS, picks[0], D);
    const shown = M.mergePicks(auto([[50, 50]]), rejected, D)[0];
    expect(M.rejectPick(rejected, shown, D)).toBe(rejected);
    const accepted = M.acceptPick(rejected, shown, D);
    expect(M.acceptPick(accepted, M.mergePicks(auto([[50, 50]]), accepted, D)[0], D)).toBe(accepted);
    expect(M.rejectPick(M.EMPTY_EDITS, { id: 'm9', x: 1, y: 1, state: 'manual' }, D)).toBe(M.EMPTY_EDITS);
  });

  it('deleting a manual pick removes it; moving one updates it in place', () => {
    let edits = M.addManual(M.EMPTY_EDITS, 1, 2, 'm1');
    const [p] = M.mergePicks([], edits, D);
    edits = M.movePick(edits, p, 5, 6, 'unused', D);
    expect(edits.manual).toEqual([{ id: 'm1', x: 5, y: 6 }]);
    edits = M.rejectPick(edits, { ...p, x: 5, y: 6 }, D);
    expect(edits.manual).toEqual([]);
  });

  it('box select rejects exactly the picks inside the box (any drag direction)', () => {
    const a = auto([
      [10, 10],
      [50, 50],
      [90, 90],
      [200, 20],
    ]);
    const picks = M.mergePicks(a, M.EMPTY_EDITS, 20);
    const edits = M.rejectInBox(M.EMPTY_EDITS, picks, { x0: 95, y0: 95, x1: 40, y1: 40 }, 20);
    const states = M.mergePicks(a, edits, 20).map((p) => p.state);
    expect(states).toEqual(['auto', 'rejected', 'rejected', 'auto']);
  });

  it('accept all accepts auto picks and leaves rejected ones rejected', () => {
    const a = auto([
      [10, 10],
      [300, 300],
    ]);
    let edits = M.rejectPick(M.EMPTY_EDITS, M.mergePicks(a, M.EMPTY_EDITS, D)[1], D);
    edits = M.acceptAll(edits, M.mergePicks(a, edits, D), D);
    expect(M.mergePicks(a, edits, D).map((p) => p.state)).toEqual(['accepted', 'rejected']);
  });

  it('an accepted pick the re-pick no longer finds stays, with its score (a retrained detector must not drop reviewed work)', () => {
    const before = M.mergePicks(
      [{ x: 100, y: 100, score: 0.8, pParticle: 0.8, kept: true, peakHeight: 0.5 }, ...auto([[400, 400]])],
      M.EMPTY_EDITS,
      D,
    );
    const edits = M.acceptAll(M.EMPTY_EDITS, before, D);
    // The new picks: the first particle is gone, the second found a little off.
    const after = M.mergePicks(auto([[410, 395]]), edits, D);
    expect(after.map((p) => [p.x, p.y, p.state])).toEqual([
      [410, 395, 'accepted'],
      [100, 100, 'accepted'],
    ]);
    expect(M.keptPicks(after)).toContainEqual({ x: 100, y: 100, score: 0.8 });
    // An automatic pick within a particle radius is the same particle, still accepted: no duplicate.
    expect(M.mergePicks(auto([[135, 100]]), edits, D).map((p) => [p.x, p.state])).toEqual([
      [135, 'accepted'],
      [400, 'accepted'],
    ]);
    // Rejecting it, or moving it, removes the acceptance; set-aside automatic picks take it with them.
    const kept = after.find((p) => p.x === 100)!;
    expect(M.mergePicks(auto([[410, 395]]), M.rejectPick(edits, kept, D), D).map((p) => p.x)).toEqual([410]);
    expect(M.mergePicks([], M.movePick(edits, kept, 700, 700, 'm1', D), D).map((p) => [p.x, p.state])).toEqual([
      [400, 'accepted'],
      [700, 'manual'],
    ]);
    expect(M.mergePicks([], M.replaceAuto(edits, [], 'f.star', D), D)).toEqual([]);
  });

  it('pickAt finds the nearest pick whose circle contains the point', () => {
    const picks = M.mergePicks(
      auto([
        [100, 100],
        [160, 100],
      ]),
      M.EMPTY_EDITS,
      D,
    );
    expect(M.pickAt(picks, 135, 100, D)?.id).toBe('a1');
    expect(M.pickAt(picks, 100, 300, D)).toBeUndefined();
  });

  it('property: edits on unchanged auto picks never change the pick count, only states', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 })), { minLength: 1, maxLength: 15 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (cells, clicks) => {
          // particles on a 200 px grid never fall within each other's match radius
          const uniq = [...new Map(cells.map(([i, j]) => [`${i},${j}`, [i * 200, j * 200] as [number, number]])).values()];
          const a = auto(uniq);
          let edits = M.EMPTY_EDITS;
          for (const c of clicks) edits = M.togglePick(edits, M.mergePicks(a, edits, D)[c % a.length], D);
          const picks = M.mergePicks(a, edits, D);
          expect(picks).toHaveLength(a.length);
          expect(M.keptPicks(picks).length).toBe(picks.filter((p) => p.state !== 'rejected').length);
        },
      ),
      { numRuns: 100 },
    );
  });
});
