import { describe, expect, it } from 'vitest';
import { journalNewer, newestSession } from './persist';
import { toSnapshot, useWorkbench, type SessionSnapshot } from './store';

describe('the session to restore', () => {
  const snapshot = (savedAt?: number): SessionSnapshot => ({ ...toSnapshot(useWorkbench.getState()), ...(savedAt ? { savedAt } : {}) });

  it('is the journal written as the page went where it is newer than what IndexedDB holds, else IndexedDB', () => {
    const stored = snapshot(1000);
    const later = snapshot();
    expect(newestSession(stored, { at: 1500, snapshot: later })).toBe(later);
    // A journal left from a page hidden earlier, saved over since: IndexedDB's is newer.
    expect(newestSession(stored, { at: 900, snapshot: later })).toBe(stored);
    expect(newestSession(stored, { at: 1000, snapshot: later })).toBe(stored);
    // Nothing in IndexedDB (the page went before its first write), or a session saved before savedAt was kept.
    expect(newestSession(undefined, { at: 5, snapshot: later })).toBe(later);
    expect(newestSession(snapshot(), { at: 5, snapshot: later })).toBe(later);
    expect(newestSession(stored, undefined)).toBe(stored);
    // Something else under the key is no session.
    expect(newestSession(stored, { at: 5000, snapshot: {} as SessionSnapshot })).toBe(stored);
  });

  it("is kept when a write begun before it lands after it: that write's state is older", () => {
    const journal = { at: 2000, snapshot: snapshot() };
    expect(journalNewer(journal, 1500)).toBe(true); // begun at 1500, landed after the page wrote the journal at 2000
    expect(journalNewer(journal, 2500)).toBe(false);
    expect(journalNewer(undefined, 2500)).toBe(false);
  });
});
