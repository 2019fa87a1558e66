import { beforeEach, describe, expect, it } from 'vitest';
import { useWorkbench } from '../store';
import { nextUnreviewed } from './review-flags';

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
