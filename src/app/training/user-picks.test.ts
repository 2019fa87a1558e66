import { describe, expect, it } from 'vitest';
import type { ScoredPick } from '../../../workers/engine-api';
import { addManual, EMPTY_EDITS, replaceAuto } from '../picks-merge';
import type { MicrographEntry } from '../store';
import { userPicks } from './training-controller';

const auto: ScoredPick[] = [{ x: 300, y: 300, score: 0.9, kept: true, peakHeight: 1 }];
const mic = (patch: Partial<MicrographEntry>): MicrographEntry =>
  ({ key: 'k', name: 'a.mrc', status: 'picked', params: { diameter: 100 }, auto, edits: EMPTY_EDITS, ...patch }) as MicrographEntry;

describe("the detector's particles on a micrograph (userPicks)", () => {
  const imported = replaceAuto(EMPTY_EDITS, [{ id: 'f1', x: 700, y: 700 }], 'a.cbox', 100);
  const withOwn = addManual(imported, 500, 500, 'h1');

  it("are the user's own added picks on a micrograph not reviewed, not another picker's imported ones", () => {
    expect(userPicks(mic({ edits: withOwn }))).toEqual([{ x: 500, y: 500 }]);
    expect(userPicks(mic({ edits: imported }))).toEqual([]);
  });

  it('are every kept pick, imported ones included, once the micrograph is marked reviewed', () => {
    expect(userPicks(mic({ edits: withOwn, reviewed: true }))).toEqual([
      { x: 700, y: 700 },
      { x: 500, y: 500 },
    ]);
  });
});
