// burstNotice: lines that come in a burst are said in one notice, once none came for a moment.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useWorkbench } from '../store';
import { burstNotice } from './context';

const s = () => useWorkbench.getState();

describe('burstNotice', () => {
  beforeEach(() => {
    s().reset();
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('says a steady trickle once, after it stops (micrographs reopening one by one after a reload), then starts afresh', () => {
    const note = burstNotice((lines) => `Loaded: ${lines.join('; ')}`, { tone: 'info', quietMs: 2000 });
    for (let i = 0; i < 29; i++) {
      note(`mic_${i}.star`);
      vi.advanceTimersByTime(700);
    }
    expect(s().notices).toHaveLength(0);
    vi.advanceTimersByTime(1300);
    expect(s().notices.map((n) => [n.tone, n.text.split('; ').length])).toEqual([['info', 29]]);
    note('late.star');
    vi.advanceTimersByTime(2000);
    expect(s().notices.at(-1)?.text).toBe('Loaded: late.star');
  });
});
