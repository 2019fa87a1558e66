import { describe, expect, it } from 'vitest';
import { scoresFromCounts } from '../metrics';
import { SETTINGS_MARGIN, settingsWin } from './adapt';

// F1 from counts: tp true positives, the rest split evenly between misses and false picks.
const at = (tp: number, errors: number) => scoresFromCounts({ tp, fp: errors / 2, fn: errors / 2 });

describe('pick settings chosen on labelled micrographs replace the current ones', () => {
  const train = { current: at(80, 20), tuned: at(85, 15) };
  it('when better on the training micrographs and clearly better on the held-out one', () => {
    expect(settingsWin(train, { current: at(80, 20), tuned: at(85, 15) })).toBe(true);
    expect(settingsWin(train, null)).toBe(true); // one labelled micrograph: nothing held out
  });
  it('not for a held-out gain of a particle or so, nor for none on the training micrographs', () => {
    const slight = { current: at(170, 60), tuned: at(171, 59) };
    expect(slight.tuned.f1 - slight.current.f1).toBeGreaterThan(0);
    expect(slight.tuned.f1 - slight.current.f1).toBeLessThan(SETTINGS_MARGIN);
    expect(settingsWin(train, slight)).toBe(false);
    expect(settingsWin({ current: train.current, tuned: train.current }, { current: at(80, 20), tuned: at(85, 15) })).toBe(false);
  });
});
